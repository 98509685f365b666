import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { validateQuery } from '../cube/cube-query.ts'
import type { SavedQuestion } from '../../infra/contracts/saved-question.ts'

const saveBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(1000).default(''),
  pinned: z.boolean().default(false),
  /** The Cube query, checked as /load would check it. */
  query: z.record(z.string(), z.unknown()),
  /** How the explorer showed it (chosen view, comparison), kept as given. */
  ui: z.record(z.string(), z.unknown()).default({}),
})

/**
 * Named questions an account saved in the explorer, with what they answer and whether they are
 * pinned to the account's board. A saved question is only the question: running it
 * goes through /load like any other, so it shows only what the account may see at that time.
 */
export function savedQueryRoutes(app: FastifyInstance, ctx: { wh: Warehouse; semantic: () => SemanticModel }) {
  const list = (account: string) =>
    queryRows<{ name: string; query: string; updated_at: string }>(
      ctx.wh.client,
      `SELECT name, query, toString(updated_at) AS updated_at FROM meta.saved_queries FINAL
       WHERE account = {account:String} AND NOT deleted ORDER BY name`,
      { account },
    ).then((rows) =>
      rows.map((r): SavedQuestion => {
        // Saved before descriptions and pins: neither.
        const saved = JSON.parse(r.query) as Pick<SavedQuestion, 'query' | 'ui'> & Partial<Pick<SavedQuestion, 'description' | 'pinned'>>
        return { name: r.name, updated_at: r.updated_at, description: saved.description ?? '', pinned: saved.pinned ?? false, query: saved.query, ui: saved.ui }
      }),
    )

  const write = (account: string, name: string, saved: Omit<SavedQuestion, 'name' | 'updated_at'>, deleted: boolean) =>
    ctx.wh.client.insert({
      table: 'meta.saved_queries',
      format: 'JSONEachRow',
      values: [{ account, name, query: JSON.stringify(saved), deleted, updated_at: Date.now() }],
    })

  app.get('/api/saved-queries', allow(access.signedIn), async (req): Promise<SavedQuestion[]> => list(req.caller.account))

  app.post('/api/saved-queries', allow(access.signedIn), async (req) => {
    const sec = req.caller
    const body = parseQuery(saveBody, req.body)
    validateQuery(ctx.semantic(), body.query) // a query the API would refuse is not saved (a 400 with its reason)
    await write(sec.account, body.name, { query: body.query, ui: body.ui, description: body.description, pinned: body.pinned }, false)
    return list(sec.account)
  })

  app.delete<{ Params: { name: string } }>('/api/saved-queries/:name', allow(access.signedIn), async (req) => {
    const sec = req.caller
    await write(sec.account, req.params.name, { query: {}, ui: {}, description: '', pinned: false }, true)
    return list(sec.account)
  })
}
