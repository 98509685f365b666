import type { FastifyInstance } from 'fastify'
import { access, allow } from '../../infra/access/gate.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { mayView, type SharingRules } from '../policy/view-policy.ts'
import type { SemanticModel } from '../cube/compile-model.ts'

/**
 * Which views changed, pushed to the dashboards as it happens: after every transform run (which
 * follows each committed delivery within a second), the views reading a table the run rebuilt are
 * announced on `GET /api/live` as server-sent events — `event: change`, `data: {"version", "views"}`
 * — so the IOC and the kiosk reload the tiles of those views only, instead of polling every query.
 * Each listener hears only of views it may see; an event carries no data, only which views to ask again.
 */
export interface Change {
  /** The data version the change brought (the result cache's key moves with it). */
  version: number
  /** The warehouse tables the run rebuilt, `database.table`. */
  tables: ReadonlySet<string>
}

export class LiveChanges {
  private readonly listeners = new Set<(c: Change) => void>()

  publish(change: Change): void {
    for (const listen of this.listeners) listen(change)
  }

  subscribe(listen: (c: Change) => void): () => void {
    this.listeners.add(listen)
    return () => this.listeners.delete(listen)
  }

  get listening(): number {
    return this.listeners.size
  }
}

export interface LiveContext {
  live: LiveChanges
  model: SemanticModel
  sharing: SharingRules
  dataVersion: () => number
}

/** A comment line every so often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000

export function liveRoutes(app: FastifyInstance, ctx: LiveContext) {
  // Streams stay open; the service's stop ends them so it does not wait on listeners.
  const open = new Set<() => void>()
  app.addHook('onClose', async () => {
    for (const end of open) end()
  })
  // Open to everyone, like /load: each hears of the views it may see (the public, the open views).
  app.get('/api/live', allow(access.public), (req, reply) => {
    // Only an event stream is served here; anything else asking (a plain GET) is told so, not held open.
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      throw new HttpError(406, 'not_acceptable', 'Đường dẫn này chỉ phục vụ luồng sự kiện (Accept: text/event-stream)', 'This route serves an event stream only (Accept: text/event-stream)')
    }
    const caller = req.caller
    reply.hijack()
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    send('hello', { version: ctx.dataVersion() })
    const unsubscribe = ctx.live.subscribe((change) => {
      const views = ctx.model.lineage.filter((l) => l.tables.some((t) => change.tables.has(t)) && mayView(l.view, caller, ctx.sharing)).map((l) => l.view)
      if (views.length) send('change', { version: change.version, views })
    })
    const keepalive = setInterval(() => reply.raw.write(': keepalive\n\n'), KEEPALIVE_MS)
    const end = () => {
      clearInterval(keepalive)
      unsubscribe()
      open.delete(end)
      reply.raw.end()
    }
    open.add(end)
    req.raw.on('close', end)
  })
}
