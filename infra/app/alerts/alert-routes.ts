import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { access, allow } from '../../access/gate.ts'
import { parseQuery } from '../../http/parse-request.ts'
import type { AlertKeeper } from './alert-keeper.ts'
import { agencyScope } from '../../access/permissions.ts'

const listQuery = z.strictObject({
  state: z.enum(['open', 'resolved', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
})

/**
 * Operations alerts: stewards, administrators and leaders see every alert, an agency's officers
 * those about their agency; an administrator (or the local CLI) may have the rules checked now.
 */
export function alertRoutes(app: FastifyInstance, alerts: AlertKeeper) {
  app.get('/api/alerts', allow(access.roles('steward', 'admin', 'leader', 'agency_officer')), async (req) => {
    const q = parseQuery(listQuery, req.query)
    const agency = agencyScope(req.caller, undefined)
    return { alerts: await alerts.list({ state: q.state, agency, limit: q.limit }) }
  })

  app.post('/api/alerts/check', allow(access.rolesOrService('admin', 'steward')), async () => alerts.check())
}
