import type { FastifyInstance } from 'fastify'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { findSystem, issueSystemKey, listSystemKeys, listSystems, registerSystem, revokeSystemKey, systemChange, systemInput, updateSystem } from '../../infra/access/system-keys.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import type { ViewPolicies } from '../policy/view-policy.ts'

export interface SystemRoutesDeps {
  wh: Warehouse
  audit: AuditLog
  agencyExists: (code: string) => boolean
  /** Every view's policy, read at each request. */
  cube: { readonly sharing: ViewPolicies }
}

/**
 * Stewards register the information systems that read through the integration platform and issue,
 * rotate and revoke their keys. A key is shown once, at issue.
 */
export function systemRoutes(app: FastifyInstance, deps: SystemRoutesDeps) {
  const { wh } = deps
  const stewards = allow(access.roles('steward', 'admin'))

  const check = (views: string[] | undefined, agency: string | undefined) => {
    const unknown = (views ?? []).filter((v) => !deps.cube.sharing.policy(v))
    if (unknown.length) throw new HttpError(400, 'bad_request', `Không có khung nhìn ${unknown.join(', ')}`, `No view ${unknown.join(', ')}`)
    if (agency !== undefined && !deps.agencyExists(agency)) throw new HttpError(400, 'bad_request', `Không có cơ quan "${agency}"`, `No agency "${agency}"`)
  }
  const datasetsOfViews = (views: string[]) => deps.cube.sharing.datasetsOf(views.map((v) => `${v}.x`))

  app.get('/api/admin/systems', stewards, async () => {
    const [systems, keys] = await Promise.all([listSystems(wh), listSystemKeys(wh)])
    return systems.map((s) => ({ ...s, keys: keys.filter((k) => k.system_id === s.id) }))
  })

  app.post('/api/admin/systems', stewards, async (req) => {
    const input = parseQuery(systemInput, req.body)
    check(input.views, input.agency)
    const system = await registerSystem(wh, input)
    if (!system) throw new HttpError(409, 'conflict', `Đã có hệ thống "${input.id}"`, `System "${input.id}" already exists`)
    deps.audit.recordRequest(req, { endpoint: 'system.register', datasets: datasetsOfViews(system.views), query: system })
    return system
  })

  app.patch<{ Params: { id: string } }>('/api/admin/systems/:id', stewards, async (req) => {
    const change = parseQuery(systemChange, req.body)
    check(change.views, change.agency)
    const system = await updateSystem(wh, req.params.id, change)
    if (!system) throw notFound('hệ thống / system', req.params.id)
    deps.audit.recordRequest(req, { endpoint: 'system.change', datasets: datasetsOfViews(system.views), query: { id: system.id, ...change } })
    return system
  })

  // Issues a key (shown once). Rotation: issue, move the system to the new key, revoke the old one.
  app.post<{ Params: { id: string } }>('/api/admin/systems/:id/keys', stewards, async (req) => {
    const system = await findSystem(wh, req.params.id)
    if (!system) throw notFound('hệ thống / system', req.params.id)
    const issued = await issueSystemKey(wh, system.id)
    deps.audit.recordRequest(req, { endpoint: 'system.key_issue', query: { system: system.id, key_id: issued.keyId } })
    return { system: system.id, key_id: issued.keyId, key: issued.key }
  })

  app.delete<{ Params: { id: string; keyId: string } }>('/api/admin/systems/:id/keys/:keyId', stewards, async (req) => {
    const revoked = await revokeSystemKey(wh, req.params.id, req.params.keyId)
    if (!revoked) throw notFound('khóa / key', req.params.keyId)
    deps.audit.recordRequest(req, { endpoint: 'system.key_revoke', query: { system: req.params.id, key_id: req.params.keyId } })
    return { revoked: true }
  })
}
