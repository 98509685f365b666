import type { FastifyInstance } from 'fastify'
import { access, allow } from '../../infra/access/gate.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Project } from '../../transforms/project/project.ts'
import { handle, type CubeApiContext } from '../api/cube-api.ts'
import { QueryError, validateQuery } from '../cube/cube-query.ts'
import { queryMembers } from '../policy/view-policy.ts'
import { traceAsk, traceNumber } from './trace.ts'

/**
 * POST /api/trace {query, row, member?}: where a number of a /load answer came from (trace.ts),
 * for signed-in callers, under the same policy as /load (every query it runs is the caller's own)
 * and audited as `trace` with the members it traced.
 */
export function traceRoutes(app: FastifyInstance, ctx: CubeApiContext, catalog: () => Catalog, project: () => Project) {
  app.post('/api/trace', allow(access.signedIn), (req) =>
    handle(ctx, 'trace', req, async (sec) => {
      const parsed = traceAsk.safeParse(req.body ?? {})
      if (!parsed.success) {
        throw new QueryError(
          'Yêu cầu truy nguồn gồm "query" (truy vấn như /load), "row" (một dòng kết quả của nó) và "member" (số đo, nếu cần)',
          'A trace request has "query" (a query as /load takes it), "row" (one row of its answer) and optionally "member" (the measure)',
        )
      }
      // Each trace runs a handful of queries (the number, its deliveries, a few samples, a ratio's operands).
      req.chargeRate?.(3)
      const answer = await traceNumber({ cube: ctx, project: project(), catalog: catalog() }, parsed.data, sec)
      const members = queryMembers(validateQuery(ctx.model, parsed.data.query))
      const rows = answer.deliveries.reduce((n, d) => n + (d.rows?.length ?? 0), 0)
      return { body: answer, outcome: { members, filters: answer.rows_query?.filters ?? null, rowCount: rows } }
    }),
  )
}
