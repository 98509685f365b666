import type { AuditLog } from '../../infra/access/audit-log.ts'
import { findSystem, systemCaller, type System } from '../../infra/access/system-keys.ts'
import { FEED_SIGNATURE_HEADER } from '../../infra/contracts/feed.ts'
import type { SharingRequest } from '../../infra/contracts/sharing.ts'
import { boundedPost } from '../../infra/http/outbound.ts'
import type { SigningKey } from '../../infra/keys/signing-key.ts'
import * as clock from '../../infra/time/clock.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { feedMembers, feedPage, feedRefusal, type FeedDeps } from './feed.ts'
import { grantedViews, listRequests } from './grants.ts'

/**
 * Pushes each grant by feed to its system's feed address after the marts change: the next pages
 * after the grant's cursor, each signed (Ed25519, FEED_SIGNATURE_HEADER), posted to a host the
 * operator or a steward allowed, the cursor moved only on a 2xx. A failed push is retried later,
 * waiting longer each time (RETRY_DELAYS_MS, the last one repeating) until the receiver takes it;
 * every attempt, sent or failed, is an entry in the sharing log (`feed.push`) with the rows it
 * carried. One push at a time: pages reach a receiver in order.
 */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000]
/** Pages in one push per view; the rest follow at the next change or retry. */
const PAGES_PER_PUSH = 20

export interface FeedPusherDeps {
  wh: Warehouse
  feed: () => FeedDeps
  signer: SigningKey
  /** The hosts kho may call (the operator's and the stewards' list). */
  allowed: () => readonly string[]
  audit: AuditLog
  onError: (err: Error) => void
  retryDelaysMs?: readonly number[]
}

interface Place {
  cursor: string
  attempts: number
}

export class FeedPusher {
  private queue: Promise<void> = Promise.resolve()
  private readonly retries = new Map<string, NodeJS.Timeout>()
  private stopped = false

  constructor(private readonly deps: FeedPusherDeps) {}

  /** The marts changed: push every feed (after the pushes already queued). */
  changed(): Promise<void> {
    if (this.stopped) return this.queue
    const job = this.queue.then(() => this.pushAll())
    this.queue = job.catch((err: Error) => this.deps.onError(err))
    return this.queue
  }

  /** Feeds waiting for a retry, `request/view`. */
  retrying(): string[] {
    return [...this.retries.keys()].sort()
  }

  /** No more pushes or retries; the one under way finishes (each call is bounded in time). */
  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.retries.values()) clearTimeout(t)
    this.retries.clear()
    await this.queue
  }

  private async pushAll(): Promise<void> {
    const today = clock.today()
    const grants = (await listRequests(this.deps.wh)).filter((r) => r.method === 'feed' && r.recipient === 'system' && r.status === 'approved')
    for (const r of grants) {
      const system = await findSystem(this.deps.wh, r.system_id)
      if (!system?.feed_url || system.disabled) continue
      const sec = systemCaller(system, r.purpose, 'feed-push')
      if (feedRefusal(r, sec, today)) continue
      for (const view of grantedViews(r, this.deps.feed().query.sharing).keys()) {
        if (this.stopped) return
        await this.pushView(r, system, view)
      }
    }
  }

  private async pushView(r: SharingRequest, system: System, view: string): Promise<void> {
    if (feedMembers(r, view, this.deps.feed().query).length === 0) return
    const key = `${r.id}/${view}`
    const place = await this.place(r.id, view)
    const sec = { ...systemCaller(system, r.purpose, 'feed-push'), takesAway: true }
    for (let n = 0; n < PAGES_PER_PUSH; n++) {
      const page = await feedPage(this.deps.feed(), r, view, sec, place.cursor)
      if (page.rows.length > 0) {
        const body = JSON.stringify(page)
        let failure = ''
        try {
          const status = await boundedPost(system.feed_url, body, {
            allowed: this.deps.allowed(),
            timeoutMs: 30_000,
            headers: { 'content-type': 'application/json; charset=utf-8', [FEED_SIGNATURE_HEADER]: this.deps.signer.sign(body), 'x-kho-feed-request': r.id, 'idempotency-key': `${r.id}/${view}/${page.after}` },
          })
          if (status < 200 || status > 299) failure = `HTTP ${status}`
        } catch (err) {
          failure = (err as { en?: string }).en ?? (err as Error).message
        }
        this.deps.audit.recordCaller(sec, system.feed_url, {
          endpoint: 'feed.push',
          members: page.members,
          datasets: [r.dataset],
          query: { request: r.id, view, after: page.after, next: page.next, deliveries: page.deliveries.map((d) => d.load_id) },
          rowCount: page.rows.length,
          outcome: failure ? 'error' : 'ok',
          reason: failure,
        })
        if (failure) {
          await this.save(r.id, view, { cursor: place.cursor, attempts: place.attempts + 1 }, failure)
          this.retryLater(key, place.attempts)
          return
        }
      }
      if (page.next !== place.cursor || place.attempts > 0) await this.save(r.id, view, { cursor: page.next, attempts: 0 }, '')
      place.cursor = page.next
      place.attempts = 0
      this.clearRetry(key)
      if (!page.more) return
    }
  }

  private retryLater(key: string, failedBefore: number) {
    if (this.stopped) return
    this.clearRetry(key)
    const delays = this.deps.retryDelaysMs ?? RETRY_DELAYS_MS
    const timer = setTimeout(() => {
      this.retries.delete(key)
      void this.changed()
    }, delays[Math.min(failedBefore, delays.length - 1)])
    timer.unref()
    this.retries.set(key, timer)
  }

  private clearRetry(key: string) {
    const t = this.retries.get(key)
    if (t) clearTimeout(t)
    this.retries.delete(key)
  }

  private async place(request: string, view: string): Promise<Place> {
    const [row] = await queryRows<Place>(this.deps.wh.client, 'SELECT cursor, attempts FROM meta.feed_cursors FINAL WHERE request_id = {r:String} AND view = {v:String}', { r: request, v: view })
    return row ? { cursor: row.cursor, attempts: Number(row.attempts) } : { cursor: '', attempts: 0 }
  }

  private async save(request: string, view: string, p: Place, error: string) {
    await this.deps.wh.client.insert({ table: 'meta.feed_cursors', values: [{ request_id: request, view, cursor: p.cursor, attempts: p.attempts, last_error: error.slice(0, 500), updated_at: clock.nowMs() }], format: 'JSONEachRow' })
  }
}
