import { randomBytes } from 'node:crypto'
import { BackupError, removeUnfinishedBackups, unfinishedRestore } from '../backup/backup.ts'
import type { FastifyBaseLogger } from 'fastify'
import { DEMO_ACCOUNTS, ensureAdmin, findAccount, saveAccount } from '../../access/accounts.ts'
import { AuditLog } from '../../access/audit-log.ts'
import * as clock from '../../time/clock.ts'
import { openAuditSeal } from '../../access/audit-seal.ts'
import { SecretStore } from '../../access/secret-store.ts'
import { Keyring } from '../../keys/keyring.ts'
import { AllowedHosts } from '../../http/allowed-hosts.ts'
import { loadSecret } from '../../access/tokens.ts'
import { loadCatalog, withDatasets, type Catalog } from '../../catalog/load-catalog.ts'
import { approvedEntries } from '../../catalog/catalog-entries.ts'
import { syncCatalog } from '../../catalog/sync-catalog.ts'
import type { KhoConfig } from '../../config.ts'
import { smtpMailer } from '../../files/mailer.ts'
import { JobScheduler } from '../../scheduler/job-scheduler.ts'
import { sealWarehouse, openWarehouse, queryRows, type Warehouse } from '../../warehouse/client.ts'
import { warehouseTime } from '../../warehouse/sql.ts'
import { SigningKey } from '../../keys/signing-key.ts'
import { FeedPusher } from '../../../semantic/sharing/feed-pusher.ts'
import { migrate } from '../../warehouse/migrate.ts'
import { deliverer } from '../../../loaders/deliver.ts'
import { deliveryEntry } from '../../../loaders/delivery-audit.ts'
import { interruptedBefore, recoverInterruptedLoads } from '../../../loaders/recover.ts'
import { DELIVERY_RUN_DELAY_MS, TransformCoordinator } from '../../../transforms/runner/coordinator.ts'
import { catalogProject, type Project } from '../../../transforms/project/project.ts'
import { compileSemanticModel, type SemanticModel } from '../../../semantic/cube/compile-model.ts'
import { ResultCache } from '../../../semantic/cube/result-cache.ts'
import { buildRollups, RollupStore } from '../../../semantic/cube/rollups.ts'
import { LiveChanges } from '../../../semantic/api/live-changes.ts'
import { TIMEZONE } from '../../../semantic/cube/cube-query.ts'
import { loadIocConfig } from '../../../dashboards/ioc-config.ts'
import { loadBriefings } from '../../../dashboards/briefings/briefing-definition.ts'
import { GrantRegistry } from '../../../semantic/sharing/grants.ts'
import { catalogueSharing } from '../../../semantic/policy/view-policy.ts'
import { generatedCubeFiles } from '../../../semantic/model/dataset-cubes.ts'
import { ensureDemoSharing } from '../demo/demo-sharing.ts'
import { ModelStore } from './model-state.ts'
import { cubeContextOf, type ServiceContext } from './context.ts'
import { AlertKeeper } from '../alerts/alert-keeper.ts'
import { alertNotifier } from '../alerts/alert-notify.ts'
import { firingNow } from '../alerts/alert-rules.ts'

/**
 * What a catalogue makes besides its tables: the transform project with a std model generated for
 * each dataset no hand-written model reads, and the semantic model with a cube and view generated
 * for each dataset without a hand-written view. Also run when a dataset is registered in the product.
 */
export async function derivedModels(catalog: Catalog): Promise<{ project: Project; semantic: SemanticModel }> {
  const project = catalogProject(catalog)
  const semantic = await compileSemanticModel(undefined, generatedCubeFiles(catalog))
  return { project, semantic }
}

/**
 * What the service and the CLI both stand on: the catalogue validated (a broken file stops here),
 * the warehouse opened, migrated and holding the catalogue, interrupted loads closed, the first
 * administrator, and the context every route is built from. The service then serves it over HTTP;
 * a CLI command that finds no service runs the same routes in-process (cli/client.ts).
 * `log` is read when something is to be logged (the app's logger exists only once it is built).
 */
/** When the last transform run on record began (warehouse time), or null: the feeds' starting point after a restart. */
async function lastRunStart(wh: Warehouse): Promise<string | null> {
  const [row] = await queryRows<{ t: string | null }>(wh.client, 'SELECT if(count() = 0, NULL, toString(min(started_at))) AS t FROM meta.runs WHERE run_id = (SELECT argMax(run_id, started_at) FROM meta.runs)')
  return row?.t ?? null
}

export async function bootstrap(
  config: KhoConfig,
  log: () => FastifyBaseLogger | null = () => null,
  /** Create the first administrator and the demo's accounts (the service does; a CLI command does not). */
  opts: { accounts: boolean } = { accounts: true },
): Promise<{ ctx: ServiceContext }> {
  // A command run without the service (it opens the warehouse itself) keeps kho's clock too.
  if (config.now && !clock.clockIsSet()) clock.setClock(config.now)
  if (unfinishedRestore(config.home)) {
    throw new BackupError(
      `${config.home} đang chứa một lần khôi phục chưa xong; chạy lại "kho backup restore … --home ${config.home}" / ` +
        `${config.home} holds a restore that never finished; run the restore again`,
    )
  }
  // A backup a kill or a full disk stopped half-way: nothing of it is listed; its files go.
  removeUnfinishedBackups(config.paths.backups)
  const shipped = loadCatalog()
  const wh = openWarehouse(config.warehouse)
  let synced: Awaited<ReturnType<typeof syncCatalog>>
  let catalog: Catalog
  let project: Project
  let semantic: SemanticModel
  try {
    await migrate(wh)
    // A warehouse written before its disk was encrypted: its parts move onto the sealed disk once.
    const sealed = await sealWarehouse(wh)
    if (sealed > 0) log()?.info({ parts: sealed }, 'warehouse parts moved onto the encrypted disk')
    // The shipped YAML catalogue, with the datasets registered in the product added or replacing.
    catalog = withDatasets(shipped, await approvedEntries(wh))
    ;({ project, semantic } = await derivedModels(catalog))
    synced = await syncCatalog(wh, catalog)
    await recoverInterruptedLoads(wh, interruptedBefore(wh))
    if (opts.accounts) await ensureAdmin(wh, config.admin?.user, config.admin?.password)
    if (opts.accounts && config.demo.enabled) {
      // Hashed side by side: each password's scrypt takes a core for ~50 ms.
      await Promise.all(DEMO_ACCOUNTS.map(async (a) => (await findAccount(wh, a.username)) ?? (await saveAccount(wh, a))))
    }
  } catch (err) {
    await wh.close()
    throw err
  }
  // A grant naming no views opens every view of its dataset: the views as the catalogue has them now.
  const grants = new GrantRegistry(wh, { viewsOf: (dataset) => ctx.model.now.sharing.viewsOf(dataset) })
  await grants.refresh()
  const pullHosts = new AllowedHosts(wh, config.pullHosts)
  await pullHosts.refresh()
  const keys = Keyring.open(config.paths.keys)
  if (opts.accounts && config.demo.enabled) await ensureDemoSharing(wh, config.home, grants, { dir: config.paths.attachments, keys })
  const signer = SigningKey.open(config.paths.keys)
  const audit = new AuditLog(wh, openAuditSeal(config.paths.audit), (err) => log()?.error({ err }, 'audit write failed'))
  const send = smtpMailer(config.smtp)
  const alertError = (err: Error) => log()?.warn({ err: err.message }, 'alerts')
  const ctx: ServiceContext = {
    grants,
    model: new ModelStore({ catalog, project, semantic, sharing: catalogueSharing(catalog, grants.grant) }),
    send,
    config,
    wh,
    token: randomBytes(24).toString('hex'),
    demo: { state: config.demo.enabled ? 'pending' : 'off', done: 0, total: 0, error: null },
    startedAt: new Date(),
    secret: loadSecret(config.home, config.secret ?? undefined),
    secrets: new SecretStore(config.paths.secrets),
    keys,
    pullHosts,
    audit,
    cache: new ResultCache(),
    // A rollup would be one node's: on a cluster the marts answer every query.
    rollups: new RollupStore(TIMEZONE, wh.cluster === null),
    dataVersion: 0,
    live: new LiveChanges(),
    alerts: new AlertKeeper({
      wh,
      find: (now) => firingNow({ wh, catalog: ctx.model.now.catalog, jobTitles: () => ctx.jobs.titles(), models: () => ctx.model.now.project.models.keys(), thresholds: config.alerts }, now),
      notify: alertNotifier({ wh, send, webhook: config.alerts.webhook, pageUrl: `${config.publicUrl}/alerts`, agencyEmail: (code) => ctx.model.now.catalog.agency(code)?.contact.email, onError: alertError }),
      onError: alertError,
    }),
    jobs: new JobScheduler({
      wh,
      onRun: (r) => {
        log()?.[r.status === 'failed' ? 'error' : 'info']({ job: r.job, trigger: r.trigger, status: r.status, output: r.output, message: r.message }, 'job done')
        // A failed job (a pull connector, a backup) is told at once, and cleared by its next success.
        ctx.alerts.check().catch(alertError)
      },
    }),
    dashboards: { ioc: loadIocConfig(catalog), briefings: loadBriefings(catalog) },
    signer,
    settledAt: await lastRunStart(wh),
    feeds: new FeedPusher({
      wh,
      feed: () => ({ query: cubeContextOf(ctx), settled: () => ctx.settledAt }),
      signer,
      allowed: () => pullHosts.list(),
      audit,
      onError: (err) => log()?.error({ err }, 'feeds failed'),
    }),
    // Every channel delivers through this; the marts follow each committed delivery (debounced).
    deliver: deliverer({
      wh,
      catalog: () => ctx.model.now.catalog,
      paths: config.paths,
      onCommitted: (report) => ctx.transforms.request(DELIVERY_RUN_DELAY_MS, [report.dataset]),
      // Every delivery is an entry in the sharing log, whoever sent it and however it ended.
      // A refused one changes the summaries of every delivery (a "rejected" obligation, the quality
      // scores, who sent what), so those are rebuilt after it too, and only those.
      onSettled: (report, d) => {
        if (report.status === 'refused') ctx.transforms.request(DELIVERY_RUN_DELAY_MS, [])
        return ctx.audit.recordService(d.deliveredBy ?? d.channel, deliveryEntry(report, d.channel))
      },
    }),
    transforms: new TransformCoordinator(
      wh,
      project,
      async (o) => {
        // The rollups follow the marts before cached answers are let go.
        const { project, semantic } = ctx.model.now
        const built = o.run.results.filter((r) => r.status === 'success').map((r) => project.models.get(r.model))
        const rebuilt = new Set(built.flatMap((m) => (m ? [`${m.database}.${m.name}`] : [])))
        const rollups = await buildRollups(wh, semantic, ctx.rollups, rebuilt)
        ctx.dataVersion++
        ctx.live.publish({ version: ctx.dataVersion, tables: rebuilt })
        // The deliveries committed before this run began are in the marts now: the feeds follow.
        ctx.settledAt = warehouseTime(new Date(o.startedAt))
        void ctx.feeds.changed()
        const failed = o.run.results.filter((r) => r.status !== 'success').length + o.tests.results.filter((t) => t.status !== 'pass').length
        ctx.alerts.check().catch(alertError)
        log()?.info({ models: o.run.results.length, tests: o.tests.results.length, failed, rollups: rollups.map((r) => `${r.table}: ${r.error ?? `${r.rows} rows, ${r.ms} ms${r.inMemory ? ', in memory' : ''}${r.from ? `, from ${r.from}` : ''}`}`) }, 'transforms done')
      },
      (err) => log()?.error({ err }, 'transforms failed'),
    ),
  }
  // A new model state: the next transform run builds its project; answers cached under the old are let go.
  ctx.model.onChange(async (now) => {
    await ctx.transforms.replaceProject(now.project)
    ctx.dataVersion++
  })
  // A catalogue sync changes who may see what: the log keeps each, with the sharing it declared.
  ctx.audit.recordService('kho', {
    endpoint: 'catalog.sync',
    datasets: catalog.datasets.map((d) => d.id),
    query: { ...synced, sharing: catalog.datasets.map((d) => ({ id: d.id, owner: d.owner, scope: d.sharing.scope, consumers: d.sharing.consumers })) },
  })
  return { ctx }
}
