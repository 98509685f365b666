import { randomBytes } from 'node:crypto'
import { InboxWatcher } from '../../../loaders/inbox.ts'
import { deliverer } from '../../../loaders/deliver.ts'
import { pullJobs } from '../../../loaders/pull-jobs.ts'
import { loadCatalog } from '../../catalog/load-catalog.ts'
import { syncCatalog } from '../../catalog/sync-catalog.ts'
import type { KhoConfig } from '../../config.ts'
import { ensureDemo } from '../demo/seed-demo.ts'
import { openWarehouse } from '../../warehouse/client.ts'
import { migrate } from '../../warehouse/migrate.ts'
import { interruptedBefore, recoverInterruptedLoads } from '../../../loaders/recover.ts'
import { TransformCoordinator } from '../../../transforms/runner/coordinator.ts'
import { loadProject } from '../../../transforms/runner/project.ts'
import { compileSemanticModel } from '../../../semantic/cube/compile-model.ts'
import { DEMO_ACCOUNTS, ensureAdmin, findAccount, saveAccount } from '../../access/accounts.ts'
import { AuditLog } from '../../access/audit-log.ts'
import { loadSecret } from '../../access/tokens.ts'
import { ResultCache } from '../../../semantic/cube/result-cache.ts'
import { writeDigest } from '../../../semantic/portal/submission-digest.ts'
import { JobScheduler } from '../../time/job-scheduler.ts'
import { smtpMailer } from '../../files/mailer.ts'
import { createBackup, pruneBackups } from '../backup/backup.ts'
import { loadIocConfig } from '../../../dashboards/ioc-config.ts'
import { loadBriefings } from '../../../dashboards/briefings/briefing-definition.ts'
import { scheduleBriefings } from '../../../dashboards/briefings/briefing-runner.ts'
import { buildApp, type KhoApp } from './app.ts'
import { cubeContextOf, type ServiceContext } from './context.ts'
import { removeServiceFile, writeServiceFile } from './service-file.ts'

export interface RunningService {
  app: KhoApp
  ctx: ServiceContext
  url: string
  /** Resolves when the demo seed started at boot has finished (at once when there is none). */
  demoDone: Promise<void>
  stop(): Promise<void>
}

/**
 * Boots kho: validates the catalogue (a broken file stops here), opens and migrates the warehouse,
 * syncs the catalogue, serves HTTP, then loads the demo province in the background if needed.
 */
export async function startService(config: KhoConfig): Promise<RunningService> {
  const catalog = loadCatalog()
  const project = loadProject({ province_code: catalog.province.code })
  const semantic = await compileSemanticModel()
  const wh = openWarehouse(config.warehouse)
  let app: KhoApp | null = null
  try {
    await migrate(wh)
    await syncCatalog(wh, catalog)
    await recoverInterruptedLoads(wh, interruptedBefore(wh))
    await ensureAdmin(wh, config.admin?.user, config.admin?.password)
    if (config.demo.enabled) {
      for (const a of DEMO_ACCOUNTS) if (!(await findAccount(wh, a.username))) await saveAccount(wh, a)
    }
    const ctx: ServiceContext = {
      config,
      catalog,
      wh,
      token: randomBytes(24).toString('hex'),
      demo: { state: config.demo.enabled ? 'pending' : 'off', done: 0, total: 0, error: null },
      startedAt: new Date(),
      project,
      semantic,
      secret: loadSecret(config.home, config.secret ?? undefined),
      audit: new AuditLog(wh, (err) => app?.log.error({ err }, 'audit write failed')),
      cache: new ResultCache(),
      dataVersion: 0,
      jobs: new JobScheduler({
        wh,
        onRun: (r) => app?.log[r.status === 'failed' ? 'error' : 'info']({ job: r.job, trigger: r.trigger, status: r.status, output: r.output, message: r.message }, 'job done'),
      }),
      dashboards: { ioc: loadIocConfig(catalog), briefings: loadBriefings(catalog) },
      // Every channel delivers through this; the marts follow each committed delivery (debounced).
      deliver: deliverer({ wh, catalog, paths: config.paths, onCommitted: () => ctx.transforms.request() }),
      transforms: new TransformCoordinator(
        wh,
        project,
        (o) => {
          ctx.dataVersion++
          const failed = o.run.results.filter((r) => r.status !== 'success').length + o.tests.results.filter((t) => t.status !== 'pass').length
          app?.log.info({ models: o.run.results.length, tests: o.tests.results.length, failed }, 'transforms done')
        },
        (err) => app?.log.error({ err }, 'transforms failed'),
      ),
    }
    app = buildApp(ctx)
    const address = await app.listen({ port: config.port, host: config.host })
    const port = new URL(address).port
    const url = `http://127.0.0.1:${port}`
    writeServiceFile(config.home, { pid: process.pid, url, token: ctx.token, startedAt: ctx.startedAt.toISOString() })

    const abort = new AbortController()
    const log = app.log
    const demoDone = !config.demo.enabled
      ? ctx.transforms.run().then(() => undefined, () => undefined)
      : (async () => {
          ctx.demo.state = 'seeding'
          try {
            // The boot seed builds the marts once at its end rather than after each delivery.
            const result = await ensureDemo({
              wh,
              deliver: deliverer({ wh, catalog, paths: config.paths, onCommitted: () => {} }),
              catalog,
              demoDir: config.paths.demo,
              scale: config.demo.scale,
              signal: abort.signal,
              onProgress: (done, total) => Object.assign(ctx.demo, { done, total }),
            })
            if (result) log.info({ loads: result.loads, rows: result.rowsLoaded, ms: result.durationMs }, 'demo province loaded')
            await ctx.transforms.run()
            ctx.demo.state = 'ready'
          } catch (err) {
            if (abort.signal.aborted) return
            Object.assign(ctx.demo, { state: 'failed', error: (err as Error).message })
            log.error({ err }, 'demo seed failed')
          }
        })()

    const inbox = new InboxWatcher({
      catalog,
      deliver: ctx.deliver,
      inboxDir: config.paths.inbox,
      onReport: (r, file) => log.info({ file, status: r.status, rows: r.rowsLoaded, rejected: r.rowsRejected }, 'inbox file loaded'),
      onError: (err) => log.warn({ err: err.message }, 'inbox scan failed'),
    })
    if (config.inboxPollSeconds > 0) inbox.start(config.inboxPollSeconds * 1000)
    for (const job of pullJobs({
      wh,
      catalog,
      deliver: ctx.deliver,
      onResult: (dataset, r) => log.info({ dataset, pages: r.pages, records: r.records, since: r.since, status: r.report?.status ?? 'nothing new' }, 'pull done'),
    })) {
      ctx.jobs.add(job)
    }
    // One SMTP transport for everything the service e-mails (null: files only).
    const send = smtpMailer(config.smtp)
    const digestMail = send ? { send, emailOf: (agency: string) => catalog.agency(agency)?.contact.email } : undefined
    ctx.jobs.add({ id: 'digest', schedule: config.digestCron, run: (at) => writeDigest(wh, config.home, at, digestMail) })
    scheduleBriefings({ cube: cubeContextOf(ctx), catalog, home: config.home, jobs: ctx.jobs, ...ctx.dashboards }, send)
    if (wh.engine === 'chdb') {
      ctx.jobs.add({
        id: 'backup',
        schedule: config.backup.cron,
        run: async (at) => {
          const m = await createBackup(wh, config.home, at)
          const pruned = pruneBackups(config.home, config.backup.keep)
          return `${m.id}: ${m.tables.length} tables, ${m.bytes} bytes; pruned ${pruned.length}`
        },
      })
    }
    // Jobs read the marts or load into the warehouse: start them once the demo (if any) is in.
    const jobsStarted = demoDone.then(() => (abort.signal.aborted ? undefined : ctx.jobs.start()))
    // Statuses move with the calendar (pending → missing): rebuild the marts at least every 6 hours.
    const refresh = setInterval(() => ctx.transforms.request(0), 6 * 3600_000)

    let stopping: Promise<void> | null = null
    const stop = () =>
      (stopping ??= (async () => {
        abort.abort()
        clearInterval(refresh)
        await inbox.stop()
        await jobsStarted.catch(() => undefined)
        await ctx.jobs.stop()
        await ctx.transforms.stop()
        await ctx.audit.flush()
        await app!.close()
        await demoDone
        removeServiceFile(config.home)
        await wh.close()
      })())
    return { app, ctx, url, demoDone, stop }
  } catch (err) {
    await app?.close()
    await wh.close()
    throw err
  }
}
