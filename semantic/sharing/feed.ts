import type { SecurityContext } from '../../infra/access/caller.ts'
import type { FeedPage } from '../../infra/contracts/feed.ts'
import type { SharingRequest } from '../../infra/contracts/sharing.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import * as clock from '../../infra/time/clock.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { runQuery, type QueryContext } from '../api/cube-api.ts'
import { validateQuery } from '../cube/cube-query.ts'
import { isProvenance } from '../policy/view-policy.ts'
import { grantedViews, granteeOf, inForce } from './grants.ts'

/**
 * The change feed of a grant by feed (Lào Cai Điều 10.1b, 27.3): the rows of a granted view whose
 * current version came with deliveries after a cursor — new and changed rows, oldest delivery first
 * — with the grant's members only. The rows are read through the one policy as the receiving system
 * (`takesAway`: a view-only grant is never fed; personal members only as the grant names them, for
 * its purpose), so a feed can give nothing a query could not. A delivery counts once the marts hold
 * it: committed before the start of a transform run that has finished (`settled`).
 */
export interface FeedDeps {
  query: QueryContext
  /** The start (warehouse time, UTC) of the last finished transform run, or null before the first. */
  settled: () => string | null
}

/** Rows in one page, at most: a delivery larger than this spans pages (the cursor keeps the offset). */
export const FEED_PAGE_ROWS = 5_000
/** Deliveries in one page, at most. */
const FEED_PAGE_LOADS = 50

/** A place in a feed: delivery `id` (committed at `t`) sent whole, or its first `o` rows when `o` > 0. Opaque to receivers. */
interface Cursor {
  t: string
  id: string
  o: number
}
const START: Cursor = { t: '1970-01-01 00:00:00.000', id: '', o: 0 }

export function encodeCursor(c: Cursor): string {
  return c.id === '' && c.o === 0 ? '' : Buffer.from(JSON.stringify([c.t, c.id, c.o])).toString('base64url')
}

function decodeCursor(s: string): Cursor {
  if (!s) return START
  try {
    const [t, id, o] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[]
    if (typeof t === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(t) && typeof id === 'string' && id.length <= 100 && Number.isInteger(o) && (o as number) >= 0) return { t, id, o: o as number }
  } catch {
    // refused below, in words
  }
  throw new HttpError(400, 'bad_request', 'Con trỏ "after" không hợp lệ: dùng giá trị "next" của trang trước', 'The "after" cursor is invalid: use the previous page’s "next"')
}

/** Why a grant cannot be fed to `sec`, or null. */
export function feedRefusal(r: SharingRequest, sec: SecurityContext, today: string): { vi: string; en: string } | null {
  if (r.recipient !== 'system' || granteeOf(r) !== sec.account) return { vi: `Quyền ${r.id} không cấp cho hệ thống này`, en: `Grant ${r.id} is not to this system` }
  if (!inForce(r, today)) return { vi: `Quyền ${r.id} không còn hiệu lực hôm nay`, en: `Grant ${r.id} is not in force today` }
  if (r.method !== 'feed') return { vi: `Quyền ${r.id} không phải hình thức gửi tự động`, en: `Grant ${r.id} is not by feed` }
  if (r.level !== 'use') return { vi: `Quyền ${r.id} chỉ để xem trên Kho dữ liệu`, en: `Grant ${r.id} is view-only` }
  return null
}

/** The members a grant's feed of a view carries: those it names, or every dimension of the view; never a measure or a delivery's own fields. */
export function feedMembers(r: SharingRequest, view: string, q: QueryContext): string[] {
  const g = grantedViews(r, q.sharing).get(view)
  if (!g) return []
  const dims = [...q.model.members].filter(([name, m]) => name.startsWith(`${view}.`) && m.kind === 'dimension' && !isProvenance(q.model, name)).map(([name]) => name)
  return g.members === null ? dims : dims.filter((d) => g.members!.includes(d))
}

export async function feedPage(deps: FeedDeps, r: SharingRequest, view: string, sec: SecurityContext, after: string): Promise<FeedPage> {
  const refused = feedRefusal(r, sec, clock.today())
  if (refused) throw new HttpError(403, 'forbidden', refused.vi, refused.en)
  const members = feedMembers(r, view, deps.query)
  if (members.length === 0) throw new HttpError(404, 'not_found', `Quyền ${r.id} không gồm khung nhìn "${view}" có trường để gửi`, `Grant ${r.id} has no fields of the view "${view}" to feed`)
  const from = decodeCursor(after)
  const loads = await readyLoads(deps.query.wh, r.dataset, from, deps.settled())
  const page = (next: Cursor, batch: typeof loads, rows: Record<string, unknown>[], more: boolean): FeedPage => ({
    request: r.id,
    dataset: r.dataset,
    view,
    after,
    next: encodeCursor(next),
    more,
    deliveries: batch.map((l) => ({ load_id: l.load_id, committed_at: l.t })),
    members: [...members, `${view}.load_id`],
    rows,
    generated_at: clock.now().toISOString(),
  })
  if (loads.length === 0) return page(from, [], [], false)
  // A delivery continued from the last page goes alone; otherwise as many whole deliveries as fit.
  let batch = from.o > 0 ? loads.slice(0, 1) : loads
  let rows = await rowsOf(deps, sec, view, members, batch, from.o)
  if (rows.length > FEED_PAGE_ROWS && batch.length > 1) {
    batch = loads.slice(0, 1)
    rows = await rowsOf(deps, sec, view, members, batch, from.o)
  }
  const last = batch[batch.length - 1]!
  if (rows.length > FEED_PAGE_ROWS) return page({ t: last.t, id: last.load_id, o: from.o + FEED_PAGE_ROWS }, batch, rows.slice(0, FEED_PAGE_ROWS), true)
  return page({ t: last.t, id: last.load_id, o: 0 }, batch, rows, loads.length > batch.length || loads.length === FEED_PAGE_LOADS)
}

/** The committed deliveries of a dataset after a cursor that the marts hold, oldest first. */
async function readyLoads(wh: Warehouse, dataset: string, from: Cursor, settled: string | null) {
  if (settled === null) return []
  return queryRows<{ load_id: string; t: string }>(
    wh.client,
    `SELECT load_id, toString(finished_at) AS t FROM meta.loads FINAL
     WHERE dataset = {d:String} AND status = 'committed' AND finished_at IS NOT NULL AND finished_at <= {settled:DateTime64(3, 'UTC')}
       AND (finished_at > {t:DateTime64(3, 'UTC')} OR (finished_at = {t:DateTime64(3, 'UTC')} AND load_id >= {id:String}))
     ORDER BY finished_at, load_id LIMIT {n:UInt32}`,
    // A continued delivery is read again (>=); a finished one is passed (dropped below).
    { d: dataset, settled, t: from.t, id: from.id, n: FEED_PAGE_LOADS + 1 },
  ).then((rows) => rows.filter((l) => !(l.t === from.t && l.load_id === from.id && from.o === 0)).slice(0, FEED_PAGE_LOADS))
}

/**
 * The view's rows from these deliveries, through the policy as the receiving system, one more than a
 * page (to know there are more). Grouped by every member, as Cube answers a query of dimensions: a
 * row's key among the members keeps rows apart; without it, equal rows are one.
 */
async function rowsOf(deps: FeedDeps, sec: SecurityContext, view: string, members: string[], batch: { load_id: string }[], offset: number) {
  const q = validateQuery(deps.query.model, {
    dimensions: [...members, `${view}.load_id`],
    filters: [{ member: `${view}.load_id`, operator: 'equals', values: batch.map((l) => l.load_id) }],
    order: [[`${view}.load_id`, 'asc'], ...members.map((m) => [m, 'asc'])],
    limit: FEED_PAGE_ROWS + 1,
    ...(offset > 0 ? { offset } : {}),
  })
  const answer = await runQuery(deps.query, q, { ...sec, takesAway: true })
  return answer.data
}
