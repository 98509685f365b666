import { mapRoutes } from '../../../dashboards/map/map-routes.ts'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { diskFullMessage, isDiskFull } from '../../files/disk-full.ts'
import Fastify, { type FastifyInstance } from 'fastify'
import { hardening } from '../../http/hardening.ts'
import { accessGate, access, allow, type RouteList } from '../../access/gate.ts'
import { accessRoutes } from '../../access/access-routes.ts'
import { boundedJsonBodies } from '../../http/parse-request.ts'
import { observability } from './metrics.ts'
import { adminRoutes } from './admin-routes.ts'
import { catalogRoutes } from './catalog-routes.ts'
import { catalogChangeRoutes } from './catalog-change.ts'
import { cubeContextOf, type ServiceContext } from './context.ts'
import { healthRoutes } from './health-routes.ts'
import { HttpError } from '../../http/http-error.ts'
import { homePage } from './home-page.ts'
import { loadHistoryRoutes, loadRoutes } from '../../../loaders/load-routes.ts'
import { attachmentRoutes } from '../../../loaders/attachment-routes.ts'
import { transformRoutes } from '../../../transforms/transform-routes.ts'
import { cubeApiRoutes } from '../../../semantic/api/cube-api.ts'
import { traceRoutes } from '../../../semantic/trace/trace-routes.ts'
import { askRoutes } from '../../../semantic/ask/ask-routes.ts'
import { graphqlRoutes } from '../../../semantic/api/graphql-api.ts'
import { liveRoutes } from '../../../semantic/api/live-changes.ts'
import { submissionRoutes } from '../../../semantic/portal/submission-routes.ts'
import { qualityRoutes } from '../../../semantic/quality/quality-routes.ts'
import { errorReportRoutes } from '../../../semantic/quality/error-reports.ts'
import { rankingRoutes } from '../../../semantic/quality/agency-ranking.ts'
import { jobRoutes } from '../jobs/job-routes.ts'
import { alertRoutes } from '../alerts/alert-routes.ts'
import { dashboardRoutes } from '../../../dashboards/dashboard-routes.ts'
import { savedQueryRoutes } from '../../../semantic/saved-queries/saved-query-routes.ts'
import { AGENCY_RANKING, openDataRoutes, republish } from '../../../semantic/open-data/open-data.ts'
import { ckanRoutes } from '../../../semantic/open-data/ckan-api.ts'
import { openDataProposalRoutes } from '../../../semantic/open-data/open-data-proposals.ts'
import { sharingLetterRoutes, sharingRoutes } from '../../../semantic/sharing/sharing-routes.ts'
import { systemRoutes } from '../../../semantic/sharing/system-routes.ts'
import { feedRoutes } from '../../../semantic/sharing/feed-routes.ts'
import { datasetGuideRoutes } from '../../../semantic/sharing/dataset-guide.ts'
import { accountReviewRoutes } from '../../../semantic/sharing/account-review.ts'
import { systemRegisterRoutes } from '../../../semantic/sharing/system-register.ts'
import { loggerOptions, resolveLogFormat } from './log-format.ts'
import * as clock from '../../time/clock.ts'
import { CLOCK_HEADER } from '../../contracts/clock.ts'
import { AccountNetworks } from '../../access/account-networks.ts'

/**
 * The HTTP application: every route behind the one access gate, one error shape
 * ({ error: { code, message, message_en } }; Cube's own shape under /cubejs-api).
 */
export type KhoApp = FastifyInstance & { routeList: RouteList }

/** `https`: serve TLS directly with this certificate and key (the service; the CLI's in-process app has none). */
export function buildApp(ctx: ServiceContext, https: { cert: Buffer; key: Buffer } | null = null): KhoApp {
  const app = Fastify({
    // Fastify types an HTTPS instance apart; the routes and hooks are the same either way.
    ...((https ? { https } : {}) as object),
    logger: loggerOptions(ctx.config.logLevel, resolveLogFormat(ctx.config.logFormat)),
    bodyLimit: 1 << 20,
    // A request id from the proxy in front is kept (so logs line up across hops); otherwise one is made.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: ctx.config.trustProxy,
  })
  const accountNetworks = new AccountNetworks(ctx.config.accountNetworks)
  const routeList = accessGate(app, { wh: ctx.wh, secret: ctx.secret, maxTokenSeconds: ctx.config.sessionHours * 3600, serviceToken: ctx.token, audit: ctx.audit, accountNetworks })
  boundedJsonBodies(app)
  observability(app, ctx)
  hardening(app, ctx.config.rateLimits)
  // The pages take their "today" from kho's clock, which may be set to another day (KHO_NOW).
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(CLOCK_HEADER, String(clock.nowMs()))
    return payload
  })
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      if (req.url.startsWith('/cubejs-api/')) return reply.code(err.status).send({ error: err.vi, message_en: err.en, code: err.code })
      return reply.code(err.status).send(err.body())
    }
    const { statusCode: status, message } = err as { statusCode?: number; message?: string }
    if (status && status >= 400 && status < 500) {
      // Fastify's own input errors (malformed JSON, body too large, wrong content type).
      return reply.code(status).send(new HttpError(status, 'bad_request', `Yêu cầu không hợp lệ: ${message}`, String(message)).body())
    }
    // A full disk is the operator's to fix: said as such, with where, never as a server error.
    if (isDiskFull(err)) {
      const full = diskFullMessage(path.dirname(ctx.config.paths.archive))
      req.log.error({ err }, 'disk full')
      const refusal = new HttpError(507, 'disk_full', full.vi, full.en)
      if (req.url.startsWith('/cubejs-api/')) return reply.code(507).send({ error: refusal.vi, message_en: refusal.en, code: refusal.code })
      return reply.code(507).send(refusal.body())
    }
    // The engine's time limit on an answering statement (QUERY_SECONDS): the caller asked too much at once.
    if (/TIMEOUT_EXCEEDED|Timeout exceeded/.test(String(message))) {
      const tooLong = new HttpError(503, 'query_too_long', 'Truy vấn chạy quá lâu và đã bị dừng; hãy thu hẹp phạm vi (bớt chiều, lọc theo kỳ)', 'The query ran too long and was stopped; narrow it (fewer dimensions, a period filter)')
      if (req.url.startsWith('/cubejs-api/')) return reply.code(503).send({ error: tooLong.vi, message_en: tooLong.en, code: tooLong.code })
      return reply.code(503).send(tooLong.body())
    }
    req.log.error({ err }, 'request failed')
    return reply.code(500).send(new HttpError(500, 'internal', 'Lỗi máy chủ; đã ghi nhật ký', 'Server error; it has been logged').body())
  })
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(new HttpError(404, 'not_found', `Không có đường dẫn ${req.method} ${req.url}`, `No route ${req.method} ${req.url}`).body()),
  )
  const cube = cubeContextOf(ctx)
  const { wh, audit } = ctx
  // Routes read the model state in force at each request: a registration replaces it whole.
  const catalog = () => ctx.model.now.catalog
  healthRoutes(app, ctx)
  catalogRoutes(app, ctx)
  catalogChangeRoutes(app, ctx)
  adminRoutes(app, ctx)
  transformRoutes(app, { wh, catalog, project: () => ctx.model.now.project, transforms: ctx.transforms, viewTables: () => ctx.model.now.semantic.lineage })
  cubeApiRoutes(app, cube)
  askRoutes(app, cube, catalog)
  traceRoutes(app, cube, catalog, () => ctx.model.now.project)
  graphqlRoutes(app, cube)
  liveRoutes(app, { live: ctx.live, get model() { return cube.model }, get sharing() { return cube.sharing }, dataVersion: () => ctx.dataVersion })
  accessRoutes(app, {
    wh: ctx.wh,
    secret: ctx.secret,
    audit: ctx.audit,
    sessionSeconds: ctx.config.sessionHours * 3600,
    loginLimits: { perUsername: ctx.config.rateLimits.loginAttempts, perAddress: ctx.config.rateLimits.loginAttemptsPerAddress },
    agencyExists: (code) => catalog().agency(code) !== undefined,
    accountNetworks,
  })
  sharingRoutes(app, { wh, catalog, cube, grants: ctx.grants, audit, send: ctx.send, today: clock.today })
  systemRoutes(app, { wh, audit, agencyExists: (code) => catalog().agency(code) !== undefined, cube })
  datasetGuideRoutes(app, { wh, catalog, cube, audit })
  feedRoutes(app, { wh, audit, signer: ctx.signer, feed: () => ({ query: cube, settled: () => ctx.settledAt }) })
  accountReviewRoutes(app, { wh, audit, today: clock.today })
  systemRegisterRoutes(app, { wh, catalog, cube })
  submissionRoutes(app, { wh, dataVersion: () => ctx.dataVersion })
  qualityRoutes(app, { wh, catalog, audit, rebuildMarts: () => ctx.transforms.request(0) })
  errorReportRoutes(app, { wh, catalog, audit })
  const openData = { wh, catalog, openDataDir: ctx.config.paths.openData, cube, audit }
  rankingRoutes(app, { wh, catalog, cube, audit, onPublished: () => republish(openData, AGENCY_RANKING.id, 'kho') })
  jobRoutes(app, ctx.jobs)
  alertRoutes(app, ctx.alerts)
  loadHistoryRoutes(app, { wh, catalog, audit })
  savedQueryRoutes(app, { wh, semantic: () => ctx.model.now.semantic })
  openDataRoutes(app, openData)
  openDataProposalRoutes(app, openData)
  ckanRoutes(app, { wh })
  // Uploads (files to load, documents to attach) share the multipart parser loadRoutes registers.
  app.register(async (instance) => {
    await loadRoutes(instance, { catalog, deliver: ctx.deliver, uploadsDir: ctx.config.paths.uploads, uploadMaxBytes: ctx.config.uploadMaxBytes })
    attachmentRoutes(instance, { wh, catalog, audit, attachments: { dir: ctx.config.paths.attachments, keys: ctx.keys }, paths: ctx.config.paths })
    sharingLetterRoutes(instance, { wh, catalog, audit, attachments: { dir: ctx.config.paths.attachments, keys: ctx.keys }, paths: ctx.config.paths })
    mapRoutes(instance, { mapsDir: ctx.config.paths.maps, provinceCode: catalog().province.code, audit, uploadMaxBytes: ctx.config.uploadMaxBytes })
  })
  dashboardRoutes(app, { cube, catalog, audit, briefingsDir: ctx.config.paths.briefings, jobs: ctx.jobs, ...ctx.dashboards })
  // The plain status page carries its own small inline script.
  app.get('/status', allow(access.public), async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
      .send(homePage()),
  )
  return Object.assign(app, { routeList })
}
