import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { FEED_SIGNATURE_HEADER } from '../../infra/contracts/feed.ts'
import { notFound, type HttpError } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import type { SigningKey } from '../../infra/keys/signing-key.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { feedPage, type FeedDeps } from './feed.ts'
import { findRequest, granteeOf, grantedViews } from './grants.ts'

export interface FeedRoutesDeps {
  wh: Warehouse
  feed: () => FeedDeps
  signer: SigningKey
  audit: AuditLog
}

const feedQuery = z.strictObject({
  view: z.string().max(100).optional(),
  after: z.string().max(400).default(''),
})

/**
 * A system's pull of its feed (`GET /api/feed/:request?after=<next>&view=<view>`, with its key):
 * the next page after the cursor, signed like a pushed one; and the public key to check pages with.
 * Every read is audited with the members and rows it carried.
 */
export function feedRoutes(app: FastifyInstance, deps: FeedRoutesDeps) {
  app.get('/api/feed/signing-key', allow(access.public), async () => ({ algorithm: 'Ed25519', header: FEED_SIGNATURE_HEADER, public_key: deps.signer.publicPem() }))

  app.get<{ Params: { id: string } }>('/api/feed/:id', allow(access.systemKey), async (req, reply) => {
    const caller = req.caller
    const { view, after } = parseQuery(feedQuery, req.query)
    const r = await findRequest(deps.wh, req.params.id)
    // Another system's grant is not told apart from none.
    if (!r || granteeOf(r) !== caller.account) throw notFound('quyền chia sẻ / grant', req.params.id)
    const chosen = view ?? [...grantedViews(r, deps.feed().query.sharing).keys()][0] ?? ''
    try {
      const page = await feedPage(deps.feed(), r, chosen, caller, after)
      deps.audit.recordRequest(req, { endpoint: 'feed', members: page.members, datasets: [r.dataset], query: { request: r.id, view: chosen, after, next: page.next }, rowCount: page.rows.length, outcome: 'ok' })
      const body = JSON.stringify(page)
      return reply.type('application/json; charset=utf-8').header(FEED_SIGNATURE_HEADER, deps.signer.sign(body)).send(body)
    } catch (err) {
      const e = err as HttpError
      deps.audit.recordRequest(req, { endpoint: 'feed', datasets: [r.dataset], query: { request: r.id, view: chosen, after }, outcome: e.status === 403 ? 'denied' : 'error', reason: e.en ?? e.message })
      throw err
    }
  })
}
