import type { FastifyInstance } from 'fastify'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { findSystem, issueSystemKey, listSystemKeys, listSystems, registerSystem, revokeSystemKey, systemChange, systemInput, updateSystem } from '../../infra/access/system-keys.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { systemMayHold, type SharingRules } from '../policy/view-policy.ts'
import { can } from '../../infra/access/permissions.ts'
import type { Caller } from '../../infra/access/caller.ts'

export interface SystemRoutesDeps {
  wh: Warehouse
  audit: AuditLog
  agencyExists: (code: string) => boolean
  /** Every view's policy and the catalogue's sharing, read at each request. */
  cube: { readonly sharing: SharingRules }
}

/**
 * Stewards register the information systems that read through the integration platform and issue,
 * rotate and revoke their keys. A key is shown once, at issue.
 */
export function systemRoutes(app: FastifyInstance, deps: SystemRoutesDeps) {
  const { wh } = deps
  const stewards = allow(access.roles('steward', 'admin'))
  const registrars = allow(access.roles('agency_officer', 'steward', 'admin'))

  /** Views that exist and are the agency's to hold without a request; an officer registers for its own agency only. */
  const check = (caller: Caller, views: string[] | undefined, agency: string) => {
    if (!deps.agencyExists(agency)) throw new HttpError(400, 'bad_request', `Không có cơ quan "${agency}"`, `No agency "${agency}"`)
    if (!can(caller, 'manage', agency)) throw new HttpError(403, 'forbidden', 'Cán bộ chỉ đăng ký hệ thống của cơ quan mình', 'An officer registers only its own agency’s systems')
    const unknown = (views ?? []).filter((v) => !deps.cube.sharing.policy(v))
    if (unknown.length) throw new HttpError(400, 'bad_request', `Không có khung nhìn ${unknown.join(', ')}`, `No view ${unknown.join(', ')}`)
    const outside = (views ?? []).filter((v) => !systemMayHold(v, agency, deps.cube.sharing))
    if (outside.length) {
      throw new HttpError(
        400,
        'outside_scope',
        `${outside.join(', ')} ngoài phạm vi của cơ quan ${agency}: gửi yêu cầu chia sẻ cho hệ thống, cần cơ quan chủ quản và đơn vị vận hành cùng đồng ý`,
        `${outside.join(', ')} lie outside agency ${agency}'s scope: file a sharing request for the system, which the owner and the operator both approve`,
      )
    }
  }
  const datasetsOfViews = (views: string[]) => deps.cube.sharing.datasetsOf(views.map((v) => `${v}.x`))
  /** Stewards see every system; an officer its own agency's. */
  const mine = (caller: Caller, agency: string) => can(caller, 'see', agency)

  app.get('/api/admin/systems', registrars, async (req) => {
    const [systems, keys] = await Promise.all([listSystems(wh), listSystemKeys(wh)])
    return systems.filter((s) => mine(req.caller, s.agency)).map((s) => ({ ...s, keys: keys.filter((k) => k.system_id === s.id) }))
  })

  app.post('/api/admin/systems', registrars, async (req) => {
    const input = parseQuery(systemInput, req.body)
    check(req.caller, input.views, input.agency)
    const system = await registerSystem(wh, input)
    if (!system) throw new HttpError(409, 'conflict', `Đã có hệ thống "${input.id}"`, `System "${input.id}" already exists`)
    deps.audit.recordRequest(req, { endpoint: 'system.register', datasets: datasetsOfViews(system.views), query: system })
    return system
  })

  app.patch<{ Params: { id: string } }>('/api/admin/systems/:id', registrars, async (req) => {
    const change = parseQuery(systemChange, req.body)
    const prior = await findSystem(wh, req.params.id)
    if (!prior || !mine(req.caller, prior.agency)) throw notFound('hệ thống / system', req.params.id)
    check(req.caller, change.views ?? prior.views, change.agency ?? prior.agency)
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
