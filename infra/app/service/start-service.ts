import path from 'node:path'
import { InboxWatcher } from '../../../loaders/inbox.ts'
import { deliverer } from '../../../loaders/deliver.ts'
import { pullJobs } from '../../../loaders/pull-jobs.ts'
import type { KhoConfig } from '../../config.ts'
import { ensureDemoCatalog } from './demo-catalog.ts'
import * as clock from '../../time/clock.ts'
import { applyRetention } from '../jobs/retention.ts'
import { pruneRefusedFiles } from '../../../loaders/refused-files.ts'
import { ensureDemo } from '../demo/seed-demo.ts'
import { warmStart, type WarmStart } from './warm-start.ts'
import { writeDigest } from '../../../semantic/portal/submission-digest.ts'
import { AGENCY_RANKING, ensureStandingPublications, refreshDue, republish } from '../../../semantic/open-data/open-data.ts'
import { publishDue } from '../../../semantic/quality/agency-ranking.ts'
import { backUpNow } from '../backup/back-up-now.ts'
import { sealAtRest } from '../keys/seal-at-rest.ts'
import { scheduleBriefings, writeLatestBriefings } from '../../../dashboards/briefings/briefing-runner.ts'
import { writeDemoMap } from '../demo/demo-map.ts'
import { remindReview } from '../../../semantic/sharing/account-review.ts'
import { vietnamDay } from '../../time/periods.ts'
import { buildApp, type KhoApp } from './app.ts'
import { bootstrap } from './bootstrap.ts'
import { cubeContextOf, type ServiceContext } from './context.ts'
import { removeServiceFile, writeServiceFile } from './service-file.ts'
import { readTls, type TlsMaterial } from '../../http/tls.ts'
import { serveTls, type TlsServing } from './serve-tls.ts'
import { startSqlServer } from '../../../semantic/sql/sql-server.ts'
import { AccountNetworks } from '../../access/account-networks.ts'

export interface RunningService {
  app: KhoApp
  ctx: ServiceContext
  url: string
  /** With TLS: the plain-HTTP port's address, which redirects to HTTPS (null without one). */
  redirectUrl: string | null
  /** The SQL API's port (KHO_SQL_PORT), or null when it is not served. */
  sqlPort: number | null
  /** Resolves when the demo seed started at boot has finished (at once when there is none). */
  demoDone: Promise<void>
  stop(): Promise<void>
}

/**
 * Boots kho: validates the catalogue (a broken file stops here), opens and migrates the warehouse,
 * syncs the catalogue, serves HTTP, then loads the demo province in the background if needed.
 */
export async function startService(config: KhoConfig, warm: WarmStart = warmStart(config)): Promise<RunningService> {
  let app: KhoApp | null = null
  // A certificate that cannot be served stops the start here, with the reason.
  let certificate: TlsMaterial | null = config.tls ? readTls(config.tls) : null
  let tlsServing: TlsServing | null = null
  // On a fresh home the demo's files are being written meanwhile (a worker thread).
  const { demoFiles } = warm
  let ctx: ServiceContext
  try {
    ;({ ctx } = await bootstrap(config, () => app?.log ?? null))
  } catch (err) {
    await demoFiles?.discard()
    throw err
  }
  const { wh } = ctx
  // The catalogue in force: a registration replaces the model state while the service runs.
  const catalog = () => ctx.model.now.catalog
  try {
    app = buildApp(ctx, certificate)
    const address = await app.listen({ port: config.port, host: config.host })
    const port = new URL(address).port
    const url = `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`
    // Local commands verify the service by the very certificate it serves (they reach it as
    // 127.0.0.1, a name the certificate does not carry); rewritten when the certificate is.
    const announce = () =>
      writeServiceFile(config.home, {
        pid: process.pid,
        url,
        token: ctx.token,
        startedAt: ctx.startedAt.toISOString(),
        ...(certificate ? { tls: { cert: certificate.leafPem, fingerprint256: certificate.fingerprint256 } } : {}),
      })
    announce()
    if (config.tls && certificate) {
      tlsServing = await serveTls(app, config.tls, Number(port), certificate, app.log, (m) => {
        certificate = m
        announce()
      })
    }

    // BI tools' door: the Postgres wire protocol over the semantic layer (semantic/sql/).
    const sql = config.sqlPort !== null ? await startSqlServer(cubeContextOf(ctx), { port: config.sqlPort, host: config.host, tls: config.tls, accountNetworks: new AccountNetworks(config.accountNetworks) }) : null
    if (sql) app.log.info({ port: sql.port }, 'SQL API listening')

    const abort = new AbortController()
    const log = app.log
    // Files kept before encryption (an upgraded home) are sealed in the background, once.
    sealAtRest(config.paths, ctx.keys, { rekey: false }).then(
      (r) => r.archive + r.attachments + r.backups > 0 && log.info(r, 'kept files sealed at rest'),
      (err: Error) => log.error({ err: err.message }, 'sealing kept files failed'),
    )
    const openData = { wh, catalog, openDataDir: config.paths.openData, cube: cubeContextOf(ctx), audit: ctx.audit }
    const ranking = { wh, catalog, cube: cubeContextOf(ctx), audit: ctx.audit, onPublished: () => republish(openData, AGENCY_RANKING.id, 'job:ranking') }
    const demoDone = !config.demo.enabled
      ? ctx.transforms.run().then(() => undefined, () => undefined)
      : (async () => {
          ctx.demo.state = 'seeding'
          try {
            // The demo's agencies register their datasets in the catalogue while the deliveries
            // of the shipped datasets load (the registration's model compile runs on another
            // core); the boot seed builds the marts once at its end, not after each step.
            const registered = ensureDemoCatalog(ctx, { rebuild: false }).then(() => log.info('demo datasets registered'))
            registered.catch(() => undefined)
            const result = await ensureDemo({
              registered,
              wh,
              deliver: deliverer({ wh, catalog, paths: config.paths, onCommitted: () => {} }),
              catalog: catalog(),
              demoDir: config.paths.demo,
              scale: config.demo.scale,
              files: demoFiles,
              signal: abort.signal,
              onProgress: (done, total) => Object.assign(ctx.demo, { done, total }),
            })
            await registered
            if (result) log.info({ loads: result.loads, rows: result.rowsLoaded, ms: result.durationMs, write_ms: result.writeMs }, 'demo province loaded')
            await ctx.transforms.run()
            log.info('marts built')
            if (result) {
              // A leader's first visit finds each briefing built for its latest period.
              const deps = { cube: cubeContextOf(ctx), catalog: catalog(), ioc: ctx.dashboards.ioc }
              await writeLatestBriefings(deps, config.paths.briefings, ctx.dashboards.briefings).then(
                (files) => {
                  ctx.audit.recordService('demo', { endpoint: 'briefing.build', filters: { files: files.map((f) => path.basename(f)) } })
                  log.info({ files: files.length }, 'demo briefings built')
                },
                (err) => log.warn({ err: (err as Error).message }, 'demo briefings not built'),
              )
              // The overview's map: illustrative boundaries until a steward uploads the province's own.
              if (writeDemoMap(config.paths.maps, catalog().province.code)) log.info('demo map written (illustrative)')
            }
            // Last quarter's ranking and the province's standing open data published at once (elsewhere the nightly jobs do it).
            await publishDue(ranking, clock.now()).catch((err: Error) => log.warn({ err: err.message }, 'agency ranking'))
            await ensureStandingPublications(openData).catch((err: Error) => log.warn({ err: err.message }, 'standing open data'))
            ctx.demo.state = 'ready'
          } catch (err) {
            await demoFiles?.discard()
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
    // Each pull connector of the catalogue in force on the schedule; a registration brings its own
    // (or changes or drops one) without a restart, and its new dataset's inbox folders appear.
    const schedulePulls = () => {
      for (const id of ctx.jobs.ids()) if (id.startsWith('pull:')) ctx.jobs.remove(id)
      for (const job of pullJobs({
        wh,
        catalog: catalog(),
        deliver: ctx.deliver,
        secrets: ctx.secrets,
        allowedHosts: () => ctx.pullHosts.list(),
        onFetch: (dataset, url, status, bytes) => ctx.audit.recordService(`pull:${dataset}`, { endpoint: 'pull.fetch', datasets: [dataset], query: { url: url.replace(/\?.*$/, ''), status, bytes } }),
        onResult: (dataset, r) => log.info({ dataset, pages: r.pages, records: r.records, since: r.since, status: r.report?.status ?? 'nothing new' }, 'pull done'),
      })) {
        ctx.jobs.add(job)
      }
    }
    schedulePulls()
    ctx.model.onChange(() => {
      schedulePulls()
      if (config.inboxPollSeconds > 0) inbox.prepareFolders()
    })
    const send = ctx.send
    const digestMail = send ? { send, emailOf: (agency: string) => catalog().agency(agency)?.contact.email } : undefined
    ctx.jobs.add({ id: 'digest', title: { vi: 'Tổng hợp tình hình nộp báo cáo trong ngày', en: 'Daily submission digest' }, schedule: config.digestCron, run: (at) => writeDigest(wh, config.paths.digests, at, digestMail) })
    scheduleBriefings({ cube: cubeContextOf(ctx), catalog, audit: ctx.audit, briefingsDir: config.paths.briefings, jobs: ctx.jobs, ...ctx.dashboards }, send)
    ctx.jobs.add({ id: 'account-review', title: { vi: 'Rà soát tài khoản định kỳ', en: 'Periodic account review' }, schedule: config.accountReviewCron, run: (at) => remindReview({ wh, send, dir: config.paths.reviews }, vietnamDay(at)) })
    ctx.jobs.add({
      id: 'refused-files',
      title: { vi: 'Dọn tệp bị từ chối quá hạn lưu', en: 'Remove refused files past their keeping' },
      schedule: '45 3 * * *',
      run: async (at) => {
        const r = await pruneRefusedFiles(wh, config.paths.archive, config.refusedFiles, at)
        if (r.removed > 0) ctx.audit.recordService('job:refused-files', { endpoint: 'archive.prune', query: r, rowCount: r.removed })
        return `${r.removed} refused files removed (${Math.round(r.bytes / 1024 / 1024)} MB)`
      },
    })
    ctx.jobs.add({
      id: 'retention',
      title: { vi: 'Xóa tệp và dữ liệu cá nhân quá thời hạn lưu', en: 'Remove files and personal data past their keeping' },
      schedule: '30 3 * * *',
      run: async (at) => {
        const r = await applyRetention({ wh, catalog: catalog(), project: ctx.model.now.project, archiveDir: config.paths.archive }, at)
        const dropped = r.datasets.filter((d) => d.files > 0 || d.rows > 0)
        if (dropped.length > 0) ctx.audit.recordService('job:retention', { endpoint: 'retention.apply', datasets: dropped.map((d) => d.dataset), query: { datasets: dropped, files: r.files, bytes: r.bytes, rows: r.rows }, rowCount: r.rows })
        const kept = r.datasets.filter((d) => d.skipped).map((d) => d.dataset)
        return `${r.files} delivered files (${Math.round(r.bytes / 1024 / 1024)} MB) and ${r.rows} personal rows removed${kept.length ? `; kept whole (std not built): ${kept.join(', ')}` : ''}`
      },
    })
    ctx.jobs.add({
      id: 'open-data-refresh',
      title: { vi: 'Cập nhật dữ liệu mở đến kỳ', en: 'Publish open data due again' },
      schedule: '15 4 * * *',
      run: async (at) => {
        // The province's sharing statistics, first published by this job (then refreshed with the rest).
        const first = await ensureStandingPublications(openData)
        const refreshed = await refreshDue(openData, at)
        return [first.length ? `published: ${first.join(', ')}` : '', refreshed.length ? `published again: ${refreshed.join(', ')}` : 'none due'].filter(Boolean).join('; ')
      },
    })
    // A quarter's ranking of agencies (Lào Cai Điều 25) published once its agencies had time to assess themselves.
    ctx.jobs.add({
      id: 'agency-ranking',
      title: { vi: 'Công bố xếp hạng cơ quan theo quý', en: "Publish the quarter's agency ranking" },
      schedule: '30 4 * * *',
      run: async (at) => (await publishDue(ranking, at)) ?? 'nothing due',
    })
    // Every night the sharing log is verified against the head kept beside its key; a broken chain
    // fails the job, which raises the audit_chain_broken alert. Its output names the head, so the
    // job's record (and the alert's webhook) carries it off this machine too.
    ctx.jobs.add({
      id: 'audit-verify',
      title: { vi: 'Kiểm tra tính nguyên vẹn của nhật ký chia sẻ', en: 'Verify the sharing log' },
      schedule: '45 3 * * *',
      run: async () => {
        const r = await ctx.audit.verify()
        if (!r.ok) throw new Error(`bản ghi ${r.broken!.seq}: ${r.broken!.reasonVi} / entry ${r.broken!.seq}: ${r.broken!.reason}`)
        return `whole: ${r.entries} entries, chain ${r.firstSeq ?? '-'}–${r.lastSeq ?? '-'}`
      },
    })
    if (config.auditRetentionMonths > 0) {
      ctx.jobs.add({ id: 'audit-retention', title: { vi: 'Xóa nhật ký chia sẻ quá hạn lưu', en: 'Remove sharing log entries past their keeping' }, schedule: '0 3 * * *', run: async () => `${await ctx.audit.applyRetention(config.auditRetentionMonths)} entries removed` })
    }
    if (wh.engine === 'chdb') {
      ctx.jobs.add({
        id: 'backup',
        title: { vi: 'Sao lưu kho dữ liệu', en: 'Back up the warehouse' },
        schedule: config.backup.cron,
        run: async (at) => {
          const m = await backUpNow(wh, config, at)
          return `${m.id}: ${m.tables.length} tables, ${m.bytes} bytes; pruned ${m.pruned.length}${m.copy ? `; copied to ${m.copy}` : ''}`
        },
      })
    }
    // Jobs read the marts or load into the warehouse: start them once the demo (if any) is in.
    const jobsStarted = demoDone.then(() => (abort.signal.aborted ? undefined : ctx.jobs.start(config.jobCheckSeconds * 1000)))
    // Statuses move with the calendar (pending → missing): the marts are rebuilt when the day in
    // Vietnam changes — also when the clock is set back across midnight — and at least every 6 hours.
    const refresh = setInterval(() => ctx.transforms.request(0), 6 * 3600_000)
    let day = clock.today()
    const dayWatch = setInterval(() => {
      if (clock.today() === day) return
      day = clock.today()
      log.info({ day }, 'a new day: marts rebuilt for the calendar')
      ctx.transforms.request(0)
    }, config.jobCheckSeconds * 1000)
    // The alert rules are also checked after every transform run and job; this catches what moves
    // with the clock alone (a spike of refused requests, an obligation falling overdue).
    const checkAlerts = () => ctx.alerts.check().catch((err: Error) => log.warn({ err: err.message }, 'alert check failed'))
    const alertTimer = config.alerts.checkSeconds > 0 ? setInterval(checkAlerts, config.alerts.checkSeconds * 1000) : null
    void demoDone.then(() => (abort.signal.aborted ? undefined : checkAlerts()))

    let stopping: Promise<void> | null = null
    const stop = () =>
      (stopping ??= (async () => {
        abort.abort()
        clearInterval(refresh)
        clearInterval(dayWatch)
        if (alertTimer) clearInterval(alertTimer)
        await inbox.stop()
        await jobsStarted.catch(() => undefined)
        await ctx.jobs.stop()
        await ctx.feeds.stop()
        await ctx.transforms.stop()
        await ctx.alerts.idle()
        await ctx.audit.flush()
        await tlsServing?.stop()
        await sql?.close()
        await app!.close()
        await demoDone
        removeServiceFile(config.home)
        await wh.close()
      })())
    return { app, ctx, url, redirectUrl: tlsServing?.redirectUrl ?? null, sqlPort: sql?.port ?? null, demoDone, stop }
  } catch (err) {
    await demoFiles?.discard()
    await tlsServing?.stop()
    await app?.close()
    await wh.close()
    throw err
  }
}
