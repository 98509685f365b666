import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { listBackups } from '../backup/backup.ts'
import { backUpNow } from '../backup/back-up-now.ts'
import { ensureDemoCatalog } from './demo-catalog.ts'
import { seedDemo } from '../demo/seed-demo.ts'
import { migrate } from '../../warehouse/migrate.ts'
import type { ServiceContext } from './context.ts'
import { HttpError, notFound } from '../../http/http-error.ts'
import { createApiKey, revokeApiKey } from '../../access/push-keys.ts'
import { parseQuery } from '../../http/parse-request.ts'
import { access, allow } from '../../access/gate.ts'
import { SECRET_NAME } from '../../access/secret-store.ts'
import { HostRefused } from '../../http/allowed-hosts.ts'

const apiKeyBody = z.strictObject({ agency: z.string().min(1), label: z.string().max(200).default('') })

const seedBody = z.strictObject({ scale: z.number().positive().max(100).default(1), as_of: z.iso.date().optional() })

/**
 * Commands the CLI sends when the service owns the embedded warehouse. Guarded by the token in
 * service.json, which only local users who can read KHO_HOME have.
 */
export function adminRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.post('/api/admin/backups', allow(access.serviceToken), async () => backUpNow(ctx.wh, ctx.config))

  app.get('/api/admin/backups', allow(access.serviceToken), async () => {
    return listBackups(ctx.config.paths.backups)
  })

  app.post('/api/admin/migrate', allow(access.serviceToken), async () => {
    return migrate(ctx.wh)
  })

  app.post('/api/admin/api-keys', allow(access.serviceToken), async (req) => {
    const body = parseQuery(apiKeyBody, req.body)
    if (!ctx.model.now.catalog.agency(body.agency)) throw notFound('cơ quan / agency', body.agency)
    const issued = await createApiKey(ctx.wh, body.agency, body.label)
    ctx.audit.recordRequest(req, { endpoint: 'push_key.issue', agency: body.agency, query: { key_id: issued.keyId, agency: body.agency, label: body.label } })
    return issued
  })

  app.delete<{ Params: { id: string } }>('/api/admin/api-keys/:id', allow(access.serviceToken), async (req) => {
    if (!(await revokeApiKey(ctx.wh, req.params.id))) throw notFound('khóa API / API key', req.params.id)
    ctx.audit.recordRequest(req, { endpoint: 'push_key.revoke', query: { key_id: req.params.id } })
    return { keyId: req.params.id, revoked: true }
  })

  // The secret store for pull connectors' credentials: an administrator (or the local CLI) sets a
  // value once; it is never shown again, only its name, who set it and when.
  app.get('/api/admin/secrets', allow(access.rolesOrService('admin')), async () => ctx.secrets.list())
  app.put<{ Params: { name: string } }>('/api/admin/secrets/:name', allow(access.rolesOrService('admin')), async (req) => {
    if (!SECRET_NAME.test(req.params.name)) throw new HttpError(400, 'bad_request', 'Tên khóa chỉ gồm chữ thường, số, _ - . (tối đa 64)', 'A secret name is lower-case letters, digits, _ - . (at most 64)')
    const body = parseQuery(z.strictObject({ value: z.string().min(1).max(4096) }), req.body)
    ctx.secrets.set(req.params.name, body.value, req.caller.account)
    ctx.audit.recordRequest(req, { endpoint: 'secret.set', query: { name: req.params.name } })
    return { name: req.params.name, set: true }
  })
  app.delete<{ Params: { name: string } }>('/api/admin/secrets/:name', allow(access.rolesOrService('admin')), async (req) => {
    if (!ctx.secrets.delete(req.params.name)) throw notFound('khóa / secret', req.params.name)
    ctx.audit.recordRequest(req, { endpoint: 'secret.delete', query: { name: req.params.name } })
    return { name: req.params.name, deleted: true }
  })

  // The hosts pull connectors may call: a steward lists a supplier's server before approving its
  // connector; the operator's (KHO_PULL_HOSTS) are shown and stay.
  app.get('/api/admin/pull-hosts', allow(access.rolesOrService('steward', 'admin')), async () => ctx.pullHosts.entries())
  app.put<{ Params: { host: string } }>('/api/admin/pull-hosts/:host', allow(access.rolesOrService('steward', 'admin')), async (req) => {
    const body = parseQuery(z.strictObject({ note: z.string().trim().min(3).max(500) }), req.body)
    try {
      const saved = await ctx.pullHosts.add(req.params.host, req.caller.account, body.note)
      ctx.audit.recordRequest(req, { endpoint: 'pull_host.allow', query: { host: saved.host, note: body.note } })
      return saved
    } catch (err) {
      if (err instanceof HostRefused) throw new HttpError(400, 'bad_request', err.vi, err.en)
      throw err
    }
  })
  app.delete<{ Params: { host: string } }>('/api/admin/pull-hosts/:host', allow(access.rolesOrService('steward', 'admin')), async (req) => {
    if (ctx.pullHosts.isFixed(req.params.host)) {
      throw new HttpError(409, 'conflict', `${req.params.host} do người vận hành máy chủ cho phép; không bỏ được ở đây`, `${req.params.host} is allowed by the server's operator; it cannot be removed here`)
    }
    if (!(await ctx.pullHosts.remove(req.params.host, req.caller.account))) throw notFound('máy chủ / host', req.params.host)
    ctx.audit.recordRequest(req, { endpoint: 'pull_host.remove', query: { host: req.params.host } })
    return { host: req.params.host, removed: true }
  })

  app.post('/api/admin/seed', allow(access.serviceToken), async (req) => {
    const body = parseQuery(seedBody, req.body)
    if (ctx.demo.state === 'seeding') throw new HttpError(409, 'busy', 'Đang nạp dữ liệu mẫu', 'The demo is being loaded already')
    ctx.demo = { state: 'seeding', done: 0, total: 0, error: null }
    try {
      // The marts are rebuilt after the deliveries below, not once more for the registrations.
      await ensureDemoCatalog(ctx, { rebuild: false })
      // Through the service's delivery path, so the marts follow the seed (they used to stay stale).
      const result = await seedDemo({
        wh: ctx.wh,
        catalog: ctx.model.now.catalog,
        deliver: ctx.deliver,
        demoDir: ctx.config.paths.demo,
        scale: body.scale,
        ...(body.as_of ? { asOf: new Date(body.as_of) } : {}),
        onProgress: (done, total) => Object.assign(ctx.demo, { done, total }),
      })
      ctx.demo.state = 'ready'
      return { loads: result.loads, rowsLoaded: result.rowsLoaded, durationMs: result.durationMs, defects: result.manifest.defects }
    } catch (err) {
      Object.assign(ctx.demo, { state: 'failed', error: (err as Error).message })
      throw err
    }
  })
}
