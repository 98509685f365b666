import type { SecurityContext } from '../../infra/access/caller.ts'
import { mayReadPersonal } from '../../infra/access/caller.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import type { CubeQuery } from '../cube/cube-query.ts'

export type { SecurityContext } from '../../infra/access/caller.ts'

/**
 * What each view allows. Provincial roles see every view; an agency officer sees its own rows
 * (agencyMember), a commune officer its commune (communeMember); the dataset's owner and the
 * consumer agencies the catalogue names for it (sharing.consumers) see all of it — personal members
 * still only with a grant and a purpose. An open view is open to everyone: whoever else asks sees
 * it as the public does — never less — with its protected counts perturbed (see disclosure.ts).
 * No agency is named here: who owns and who consumes a dataset is the catalogue's to say.
 */
export interface ViewPolicy {
  open: boolean
  agencyMember?: string
  communeMember?: string
  /** The catalogue dataset the view shows, whose owner and consumers see it whole. */
  dataset?: string
  /** A count of people the public sees only perturbed, and the hidden measure holding each cell's key. */
  protect?: { measure: string; cellKey: string }
}

export const VIEW_POLICIES: Record<string, ViewPolicy> = {
  kt_xh: { open: true, agencyMember: 'kt_xh.agency', communeMember: 'kt_xh.unit_code' },
  submissions: { open: false, agencyMember: 'submissions.agency' },
  data_quality: { open: false, agencyMember: 'data_quality.agency' },
  quality_scores: { open: false, agencyMember: 'quality_scores.agency' },
  enterprises: { open: false, dataset: 'doanh_nghiep', communeMember: 'enterprises.commune_code' },
  population: { open: true, dataset: 'dan_cu', communeMember: 'population.commune_code', protect: { measure: 'population.people', cellKey: 'population.cell_key' } },
  citizens: { open: false, dataset: 'dan_cu', communeMember: 'citizens.commune_code' },
}

const PROVINCIAL: SecurityContext['role'][] = ['leader', 'analyst', 'steward', 'admin']

/** Who a dataset is shared with, from the catalogue: its owner and its named consumer agencies. */
export type DatasetSharing = (dataset: string) => { owner: string; consumers: string[] } | undefined

/** DatasetSharing read from the catalogue. */
export const sharingOf =
  (catalog: Pick<Catalog, 'dataset'>): DatasetSharing =>
  (id) => {
    const d = catalog.dataset(id)
    return d ? { owner: d.owner, consumers: d.sharing.consumers } : undefined
  }

/** The agencies that see a view's dataset whole. */
function entitled(policy: ViewPolicy, sharing: DatasetSharing): string[] {
  const s = policy.dataset ? sharing(policy.dataset) : undefined
  return s ? [s.owner, ...s.consumers] : []
}

/** What the policy refuses: a 403 with the reason. */
export class AccessDenied extends HttpError {
  constructor(vi: string, en: string) {
    super(403, 'forbidden', vi, en)
  }
}

export type Protection = NonNullable<ViewPolicy['protect']>

export interface PolicyDecision {
  query: CubeQuery
  /** Counts to perturb before the answer leaves (the public's view of an open view). */
  protect: Protection[]
}

type Filter = CubeQuery['filters'][number]
type ViewAccess = { allowed: true; filter?: { member: string; operator: 'equals'; values: string[] }; asPublic?: boolean } | { allowed: false; vi: string; en: string }

/** Whether the query already keeps itself to `member = value` (a top-level AND condition). */
const confinedTo = (q: CubeQuery, member: string, value: string) =>
  q.filters.some((f) => 'member' in f && f.member === member && f.operator === 'equals' && f.values?.length === 1 && f.values[0] === value)

/** What a context may do with one view: see it all, see it scoped, see it as the public does, or nothing. */
function viewAccess(view: string, ctx: SecurityContext, q: CubeQuery | null, sharing: DatasetSharing): ViewAccess {
  const policy = VIEW_POLICIES[view]
  if (!policy) return { allowed: false, vi: `Không có chính sách truy cập cho "${view}"`, en: `No access policy for "${view}"` }
  if (PROVINCIAL.includes(ctx.role)) return { allowed: true }
  if (ctx.role === 'agency_officer') {
    let scoped: ViewAccess | null = null
    if (ctx.communeCode && policy.communeMember) scoped = { allowed: true, filter: { member: policy.communeMember, operator: 'equals', values: [ctx.communeCode] } }
    else if (entitled(policy, sharing).includes(ctx.agency)) return { allowed: true }
    else if (policy.agencyMember) scoped = { allowed: true, filter: { member: policy.agencyMember, operator: 'equals', values: [ctx.agency] } }
    // An open view: the officer's own scope exactly when the query keeps to it, else as the public.
    if (scoped?.allowed && scoped.filter && policy.open && !(q && confinedTo(q, scoped.filter.member, scoped.filter.values[0]!))) return { allowed: true, asPublic: true }
    if (scoped) return scoped
    if (policy.open) return { allowed: true, asPublic: true }
    return { allowed: false, vi: `Cơ quan ${ctx.agency} không được xem "${view}"`, en: `Agency ${ctx.agency} may not see "${view}"` }
  }
  if (!policy.open) return { allowed: false, vi: `"${view}" không phải dữ liệu mở; cần đăng nhập`, en: `"${view}" is not open data; sign in` }
  return { allowed: true, asPublic: true }
}

/** Whether a context may query a view at all, for /meta. */
export const mayView = (view: string, ctx: SecurityContext, sharing: DatasetSharing): boolean => viewAccess(view, ctx, null, sharing).allowed

function filterMembers(filters: Filter[]): string[] {
  return filters.flatMap((f) => ('and' in f ? filterMembers(f.and) : 'or' in f ? filterMembers(f.or) : [f.member]))
}

/** Every member a query names, in any part of it. */
export function queryMembers(q: CubeQuery): string[] {
  const order = Array.isArray(q.order) ? q.order.map(([k]) => k) : Object.keys(q.order ?? {})
  return [...new Set([...q.measures, ...q.dimensions, ...q.segments, ...q.timeDimensions.map((t) => t.dimension), ...filterMembers(q.filters), ...order])]
}

/**
 * A protected count may be shown (perturbed), never used to choose rows: filtering on it, or
 * HAVING, would let the public ask "which cells hold exactly 1?"; ordering ranks true values.
 */
function checkProtectedUse(q: CubeQuery, p: Protection) {
  const order = Array.isArray(q.order) ? q.order.map(([k]) => k) : Object.keys(q.order ?? {})
  const misuse = filterMembers(q.filters).includes(p.measure) ? 'filters' : order.includes(p.measure) ? 'order' : q.ungrouped ? 'ungrouped' : null
  if (misuse) {
    throw new AccessDenied(
      `Dữ liệu mở: không được dùng "${p.measure}" trong ${misuse === 'filters' ? 'bộ lọc' : misuse === 'order' ? 'sắp xếp' : 'truy vấn không gộp'} (ô nhỏ được bảo vệ)`,
      `Open data: "${p.measure}" may not be used in ${misuse} (small cells are protected)`,
    )
  }
}

/**
 * Decides a query for a security context: refuses what it may not see, adds the filters that keep
 * an officer inside its agency or commune (separate AND conditions nothing in the query can widen),
 * and marks the counts to protect where the caller sees a view as the public does.
 */
export function applyPolicy(model: SemanticModel, q: CubeQuery, ctx: SecurityContext, sharing: DatasetSharing): PolicyDecision {
  const members = queryMembers(q)
  const personal = members.filter((m) => (model.members.get(m)?.meta as { meta?: { personal?: boolean } } | undefined)?.meta?.personal)
  if (personal.length > 0 && !mayReadPersonal(ctx)) {
    throw new AccessDenied(
      `Trường dữ liệu cá nhân (${personal.join(', ')}) cần tài khoản được cấp quyền dữ liệu cá nhân và khai báo mục đích (tiêu đề X-Kho-Purpose)`,
      `Personal-data members (${personal.join(', ')}) need an account granted personal data and a declared purpose (X-Kho-Purpose header)`,
    )
  }
  const filters: CubeQuery['filters'] = []
  const protect: Protection[] = []
  for (const view of new Set(members.map((m) => m.split('.')[0]!))) {
    const access = viewAccess(view, ctx, q, sharing)
    if (!access.allowed) throw new AccessDenied(access.vi, access.en)
    if (access.filter) filters.push(access.filter)
    const p = VIEW_POLICIES[view]!.protect
    if (access.asPublic && p) {
      checkProtectedUse(q, p)
      if (q.measures.includes(p.measure)) protect.push(p)
    }
  }
  return { query: { ...q, filters: [...q.filters, ...filters] }, protect }
}
