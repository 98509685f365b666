import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { validateQuery } from '../cube/cube-query.ts'

const saveBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  /** The Cube query, checked as /load would check it. */
  query: z.record(z.string(), z.unknown()),
  /** How the explorer showed it (chosen view, comparison), kept as given. */
  ui: z.record(z.string(), z.unknown()).default({}),
})

/**
 * Named queries an account saved in the explorer. A saved query is only the question: running it
 * goes through /load like any other, so it shows only what the account may see at that time.
 */
export function savedQueryRoutes(app: FastifyInstance, ctx: { wh: Warehouse; semantic: SemanticModel }) {
  const list = (account: string) =>
    queryRows<{ name: string; query: string; updated_at: string }>(
      ctx.wh.client,
      `SELECT name, query, toString(updated_at) AS updated_at FROM meta.saved_queries FINAL
       WHERE account = {account:String} AND NOT deleted ORDER BY name`,
      { account },
    ).then((rows) => rows.map((r) => ({ name: r.name, updated_at: r.updated_at, ...(JSON.parse(r.query) as { query: unknown; ui: unknown }) })))

  const write = (account: string, name: string, saved: { query: unknown; ui: unknown }, deleted: boolean) =>
    ctx.wh.client.insert({
      table: 'meta.saved_queries',
      format: 'JSONEachRow',
      values: [{ account, name, query: JSON.stringify(saved), deleted, updated_at: Date.now() }],
    })

  app.get('/api/saved-queries', allow(access.signedIn), async (req) => list(req.caller.account))

  app.post('/api/saved-queries', allow(access.signedIn), async (req) => {
    const sec = req.caller
    const body = parseQuery(saveBody, req.body)
    validateQuery(ctx.semantic, body.query) // a query the API would refuse is not saved (a 400 with its reason)
    await write(sec.account, body.name, { query: body.query, ui: body.ui }, false)
    return list(sec.account)
  })

  app.delete<{ Params: { name: string } }>('/api/saved-queries/:name', allow(access.signedIn), async (req) => {
    const sec = req.caller
    await write(sec.account, req.params.name, { query: {}, ui: {} }, true)
    return list(sec.account)
  })
}
