import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { buildDigest, digestHtml, listObligations, type ObligationList } from './submission-digest.ts'
import { ResultCache } from '../cube/result-cache.ts'
import * as clock from '../../infra/time/clock.ts'
import { agencyScope } from '../../infra/access/permissions.ts'

const listQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(60).default(3),
  agency: z.string().max(40).optional(),
})
const digestQuery = z.strictObject({
  day: z.iso.date().optional(),
  agency: z.string().max(40).optional(),
  format: z.enum(['json', 'html']).default('json'),
  lang: z.enum(['vi', 'en']).default('vi'),
})

/**
 * Obligations for the agency portal and the daily digest: due within N days (D-3 by default),
 * overdue (missing or rejected), arrived late lately. An agency officer sees its own; provincial
 * roles see all or choose one.
 */
export function submissionRoutes(app: FastifyInstance, ctx: { wh: Warehouse; dataVersion: () => number }) {
  const cache = new ResultCache<Awaited<ReturnType<typeof listObligations>>>(300)
  for (const list of ['upcoming', 'overdue', 'late'] as ObligationList[]) {
    app.get(`/api/submissions/${list}`, allow(access.signedIn), async (req) => {
      const q = parseQuery(listQuery, req.query)
      const agency = agencyScope(req.caller, q.agency)
      const day = clock.today()
      // The lists change only when the marts do (or the day does): cached by both, each agency its own.
      const key = cache.key(`submissions/${list}`, { agency: agency ?? '', days: String(q.days), day }, ctx.dataVersion())
      return cache.get(key, () => listObligations(ctx.wh, list, { agency, days: q.days, day }))
    })
  }
  app.get('/api/submissions/digest', allow(access.signedIn), async (req, reply) => {
    const q = parseQuery(digestQuery, req.query)
    const agency = agencyScope(req.caller, q.agency)
    const digest = await buildDigest(ctx.wh, { day: q.day ?? clock.today(), agency })
    if (q.format === 'json') return digest
    return reply.type('text/html; charset=utf-8').send(digestHtml(digest, q.lang))
  })
}
