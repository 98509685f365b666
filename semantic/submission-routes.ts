import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ServiceContext } from '../infra/service/context.ts'
import { HttpError } from '../infra/service/http-error.ts'
import { parseQuery } from '../infra/service/parse-request.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { callerOf } from './access/authenticate.ts'

const listQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(60).default(3),
  agency: z.string().max(40).optional(),
})

/**
 * Obligations for the agency portal and the daily digest: due within N days (D-3 by default) and
 * overdue (missing or rejected). An agency officer sees its own; provincial roles see all.
 */
export function submissionRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const scopeOf = async (req: FastifyRequest, asked: string | undefined) => {
    const sec = await callerOf(req, ctx)
    if (sec.role === 'public') throw new HttpError(401, 'unauthorized', 'Cần đăng nhập', 'Sign in first')
    if (sec.role === 'agency_officer') return sec.agency
    return asked ?? ''
  }
  const list = (where: string) => async (req: FastifyRequest) => {
    const q = parseQuery(listQuery, req.query)
    const agency = await scopeOf(req, q.agency)
    return queryRows(
      ctx.wh.client,
      `SELECT s.agency AS agency, a.name AS agency_name, s.indicator_code AS indicator_code, i.name_vi AS indicator_name,
              s.period AS period, p.label_vi AS period_label, toString(s.due_on) AS due_on, s.status AS status,
              dateDiff('day', today(), s.due_on) AS days_left
       FROM marts.fct_submission AS s
       LEFT JOIN marts.dim_agency AS a ON a.code = s.agency
       LEFT JOIN marts.dim_indicator AS i ON i.code = s.indicator_code
       LEFT JOIN marts.dim_period AS p ON p.period = s.period
       WHERE ${where} AND (empty({agency:String}) OR s.agency = {agency:String})
       ORDER BY s.due_on, s.agency, s.indicator_code`,
      { agency, days: q.days },
    )
  }
  app.get('/api/submissions/upcoming', list("s.status = 'pending' AND s.due_on <= today() + {days:UInt32}"))
  app.get('/api/submissions/overdue', list("s.status IN ('missing', 'rejected')"))
}
