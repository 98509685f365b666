import type { SecurityContext } from '../../infra/access/caller.ts'
import { hasPurpose, mayReadPersonal } from '../../infra/access/caller.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import type { CubeQuery } from '../cube/cube-query.ts'
import { hasHandWrittenView, VIEW_ACCESS, type ViewPolicy } from '../model/view-access.ts'

export type { SecurityContext } from '../../infra/access/caller.ts'

/**
 * What each view allows, read against the catalogue. Provincial roles see every view. A view's
 * dataset decides the rest: its owner agency sees it whole; its named consumers too when the
 * dataset is shared (sharing.scope dung_chung or mo — an internal, noi_bo, dataset has none); an
 * agency holding an approved grant in force today sees what the grant names; a registered system
 * sees the views it was given. Otherwise an officer sees its own rows (agencyMember) or its commune
 * (communeMember). A view is open to everyone when its dataset is open data (scope mo) or it is a
 * statistical view published under disclosure control (open); whoever else asks sees it as the
 * public does — never less — with its protected counts perturbed (see disclosure.ts). Personal
 * members always need an account granted personal data and a declared purpose. No agency is named
 * here: who owns, consumes and was granted a dataset is the catalogue's and the owners' to say; which
 * members scope a view is declared beside the view (semantic/model/views/*.yml, meta.access).
 */
export type { ViewPolicy } from '../model/view-access.ts'

const PROVINCIAL: SecurityContext['role'][] = ['leader', 'analyst', 'steward', 'admin']

export type SharingScope = 'noi_bo' | 'dung_chung' | 'mo'

/** A dataset's sharing as the catalogue declares it. */
export interface DatasetRules {
  owner: string
  scope: SharingScope
  consumers: readonly string[]
}

/** What a grant opens of one view: every member (null) or the ones named; at a level when it is a grant in force (view: not taken away). */
export interface ViewGrant {
  members: readonly string[] | null
  level?: 'view' | 'use'
}

/**
 * Every view's policy: the hand-written ones (declared in their YAML), and for each catalogue dataset that has no
 * hand-written view, the view generated from its entry (named by the dataset's id; scoped to a
 * commune officer's commune by its first commune-code column).
 */
export interface ViewPolicies {
  policy(view: string): ViewPolicy | undefined
  /** The views that show a dataset. */
  viewsOf(dataset: string): string[]
  /** The catalogue datasets a list of members touches (for the sharing log). */
  datasetsOf(members: readonly string[]): string[]
}

/** The dataset entries the generated views come from (the catalogue's shape, narrowed). */
export type CatalogueDatasets = { datasets: readonly { id: string; columns: readonly { id: string; identifier: string | null }[] }[] }


export function viewPolicies(catalog: CatalogueDatasets = { datasets: [] }): ViewPolicies {
  const all = new Map(Object.entries(VIEW_ACCESS))
  for (const d of catalog.datasets) {
    if (hasHandWrittenView(d.id)) continue
    const commune = d.columns.find((c) => c.identifier === 'commune_code')
    all.set(d.id, { dataset: d.id, ...(commune ? { communeMember: `${d.id}.${commune.id}` } : {}) })
  }
  return {
    policy: (view) => all.get(view),
    viewsOf: (dataset) => [...all].filter(([, p]) => p.dataset === dataset).map(([v]) => v),
    datasetsOf: (members) => [...new Set(members.map((m) => all.get(m.split('.')[0]!)?.dataset).filter((d): d is string => !!d))].sort(),
  }
}

/** The sharing rules the policy reads: every view's policy, the catalogue's scopes, and the grants in force today. */
export interface SharingRules extends ViewPolicies {
  dataset(id: string): DatasetRules | undefined
  /** The agency's grant over a view in force today, or null. */
  grant(agency: string, view: string): ViewGrant | null
}

/** The catalogue's sharing rules, with the grants in force (none by default). */
export function catalogueSharing(catalog: Pick<Catalog, 'dataset'> & CatalogueDatasets, grant: SharingRules['grant'] = () => null): SharingRules {
  return {
    ...viewPolicies(catalog),
    dataset: (id) => {
      const d = catalog.dataset(id)
      return d ? { owner: d.owner, scope: d.sharing.scope, consumers: d.sharing.consumers } : undefined
    },
    grant,
  }
}

/** Whether everyone may see the view (as the public does). */
export function isOpenView(policy: ViewPolicy, rules: SharingRules): boolean {
  return policy.open === true || (policy.dataset !== undefined && rules.dataset(policy.dataset)?.scope === 'mo')
}

/** Whether an agency sees a view's dataset whole by the catalogue: its owner, or a named consumer of a shared one. */
function entitled(policy: ViewPolicy, rules: SharingRules, agency: string): boolean {
  const d = policy.dataset ? rules.dataset(policy.dataset) : undefined
  return !!d && (d.owner === agency || (d.scope !== 'noi_bo' && d.consumers.includes(agency)))
}

/**
 * Whether a system of an agency may be given a view at registration, with no request: a view of a
 * dataset its agency owns or is a named consumer of (the owner consented in the catalogue), an open
 * view, or one of kho's own views (the operator's to give). Any other dataset takes a request both
 * the owner and the operator sign (Bắc Ninh Điều 7.2); a view registered otherwise opens nothing.
 */
export function systemMayHold(view: string, agency: string, rules: SharingRules): boolean {
  const policy = rules.policy(view)
  return !!policy && (!policy.dataset || isOpenView(policy, rules) || entitled(policy, rules, agency))
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
type ViewAccess =
  | { allowed: true; filter?: { member: string; operator: 'equals'; values: string[] }; asPublic?: boolean; onlyMembers?: readonly string[] }
  | { allowed: false; vi: string; en: string }

/** Whether the query already keeps itself to `member = value` (a top-level AND condition). */
const confinedTo = (q: CubeQuery, member: string, value: string) =>
  q.filters.some((f) => 'member' in f && f.member === member && f.operator === 'equals' && f.values?.length === 1 && f.values[0] === value)

/** What a context may do with one view: see it all, see it scoped, see it as the public does, or nothing. */
function viewAccess(view: string, ctx: SecurityContext, q: CubeQuery | null, rules: SharingRules, provenance: readonly string[] = []): ViewAccess {
  const policy = rules.policy(view)
  if (!policy) return { allowed: false, vi: `Không có chính sách truy cập cho "${view}"`, en: `No access policy for "${view}"` }
  if (PROVINCIAL.includes(ctx.role)) return { allowed: true }
  const open = isOpenView(policy, rules)
  if (ctx.role === 'system' && ctx.views) {
    if (ctx.views.includes(view) && systemMayHold(view, ctx.agency, rules)) return { allowed: true }
    const refused: ViewAccess = open
      ? { allowed: true, asPublic: true }
      : { allowed: false, vi: `Hệ thống ${ctx.account} không được cấp "${view}"`, en: `System ${ctx.account} was not given "${view}"` }
    return withGrant(view, ctx, q, rules, refused, `hệ thống ${ctx.account}`, `system ${ctx.account}`, provenance)
  }
  if (ctx.role === 'agency_officer') {
    const own = officerAccess(view, policy, ctx, q, rules, open)
    if (own.allowed && !own.filter && !own.asPublic) return own
    return withGrant(view, ctx, q, rules, own, `cơ quan ${ctx.agency}`, `agency ${ctx.agency}`, provenance)
  }
  if (!open) return { allowed: false, vi: `"${view}" không phải dữ liệu mở; cần đăng nhập`, en: `"${view}" is not open data; sign in` }
  return { allowed: true, asPublic: true }
}

/**
 * What a grant adds to what the caller had without it (`own`): it answers a query that keeps to
 * what it names, and any other query is decided as if there were no grant. A view-only grant
 * does not reach an answer that leaves kho. Where a granted row came from (its delivery) goes with it.
 */
function withGrant(view: string, ctx: SecurityContext, q: CubeQuery | null, rules: SharingRules, own: ViewAccess, whoVi: string, whoEn: string, provenance: readonly string[]): ViewAccess {
  const grant = rules.grant(ctx.role === 'system' ? ctx.account : ctx.agency, view)
  if (!grant) return own
  if (grant.level === 'view' && ctx.takesAway) {
    if (own.allowed) return own
    return { allowed: false, vi: `Quyền được cấp cho ${whoVi} chỉ để xem trên Kho dữ liệu, không được tải về hay khai thác qua SQL`, en: `The grant to ${whoEn} is view-only: no download or SQL access` }
  }
  if (!grant.members) return { allowed: true }
  const asked = q ? queryMembers(q).filter((m) => m.startsWith(`${view}.`)) : []
  const beyond = asked.filter((m) => !grant.members!.includes(m) && !provenance.includes(m))
  if (beyond.length === 0 && (q || !own.allowed)) return { allowed: true, onlyMembers: grant.members }
  if (own.allowed) return own
  return { allowed: false, vi: `Quyền được cấp cho ${whoVi} không gồm ${beyond.join(', ')}`, en: `The grant to ${whoEn} does not include ${beyond.join(', ')}` }
}

/** What an officer may do with a view by the catalogue alone: whole, its agency's or commune's rows, as the public, or nothing. */
function officerAccess(view: string, policy: ViewPolicy, ctx: SecurityContext, q: CubeQuery | null, rules: SharingRules, open: boolean): ViewAccess {
  let scoped: ViewAccess | null = null
  if (ctx.communeCode && policy.communeMember) scoped = { allowed: true, filter: { member: policy.communeMember, operator: 'equals', values: [ctx.communeCode] } }
  else if (entitled(policy, rules, ctx.agency)) return { allowed: true }
  else if (policy.agencyMember) scoped = { allowed: true, filter: { member: policy.agencyMember, operator: 'equals', values: [ctx.agency] } }
  // An open view: the officer's own scope exactly when the query keeps to it, else as the public.
  if (scoped?.allowed && scoped.filter && open && !(q && confinedTo(q, scoped.filter.member, scoped.filter.values[0]!))) return { allowed: true, asPublic: true }
  if (scoped) return scoped
  if (open) return { allowed: true, asPublic: true }
  return {
    allowed: false,
    vi: `Cơ quan ${ctx.agency} không được xem "${view}"${policy.dataset ? `; hãy gửi yêu cầu chia sẻ dữ liệu "${policy.dataset}" tới cơ quan chủ quản` : ''}`,
    en: `Agency ${ctx.agency} may not see "${view}"${policy.dataset ? `; request "${policy.dataset}" from its owner agency` : ''}`,
  }
}

/** Whether a context may query a view at all, for /meta. */
export const mayView = (view: string, ctx: SecurityContext, rules: SharingRules): boolean => viewAccess(view, ctx, null, rules).allowed

/** The members of a view a context is limited to (a grant naming members), or null for all of them. */
export function membersLimit(view: string, ctx: SecurityContext, rules: SharingRules): readonly string[] | null {
  const a = viewAccess(view, ctx, null, rules)
  return a.allowed && a.onlyMembers ? a.onlyMembers : null
}

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
/** A member saying where rows came from (the delivery, the file row), kept for traces (semantic/trace). */
export function isProvenance(model: SemanticModel, member: string): boolean {
  return (model.members.get(member)?.meta as { meta?: { provenance?: boolean } } | undefined)?.meta?.provenance === true
}

/**
 * A consuming system reads personal members only under a grant in force that names each of them
 * (approved by the owner and the operator on a legal basis; Lào Cai Điều 27.3), at the use level,
 * and with a declared purpose.
 */
function grantedPersonal(personal: readonly string[], ctx: SecurityContext, rules: SharingRules): boolean {
  if (ctx.role !== 'system' || !ctx.views || !hasPurpose(ctx)) return false
  return personal.every((m) => {
    const g = rules.grant(ctx.account, m.split('.')[0]!)
    return !!g && g.level === 'use' && !!g.members?.includes(m)
  })
}

export function applyPolicy(model: SemanticModel, q: CubeQuery, ctx: SecurityContext, rules: SharingRules): PolicyDecision {
  const members = queryMembers(q)
  const personal = members.filter((m) => (model.members.get(m)?.meta as { meta?: { personal?: boolean } } | undefined)?.meta?.personal)
  if (personal.length > 0 && !mayReadPersonal(ctx) && !grantedPersonal(personal, ctx, rules)) {
    // Named as people read them (the member's title), not by code: the message reaches pages as it is.
    const titled = (lang: 'vi' | 'en') =>
      personal
        .map((m) => {
          const meta = model.members.get(m)?.meta as { shortTitle?: string; title?: string; meta?: { title_en?: string } } | undefined
          return `"${(lang === 'en' ? meta?.meta?.title_en : undefined) ?? meta?.shortTitle ?? meta?.title ?? m}"`
        })
        .join(', ')
    throw new AccessDenied(
      `Dữ liệu cá nhân (${titled('vi')}) chỉ dành cho tài khoản được cấp quyền dữ liệu cá nhân và có khai báo mục đích sử dụng (tiêu đề X-Kho-Purpose)`,
      `Personal data (${titled('en')}) is only for accounts granted personal data that declare a purpose (X-Kho-Purpose header)`,
    )
  }
  const filters: CubeQuery['filters'] = []
  const protect: Protection[] = []
  const provenance = members.filter((m) => isProvenance(model, m))
  for (const view of new Set(members.map((m) => m.split('.')[0]!))) {
    const access = viewAccess(view, ctx, q, rules, provenance)
    if (!access.allowed) throw new AccessDenied(access.vi, access.en)
    // Which delivery and file row a number came from is for signed-in callers (traces), and not for
    // those who see a view's protected counts as the public does: split by delivery, a count would
    // be finer than its cells.
    if (access.asPublic && (ctx.role === 'public' || rules.policy(view)?.protect) && provenance.some((m) => m.startsWith(`${view}.`))) {
      throw new AccessDenied(
        'Nguồn số liệu (lần nộp, dòng trong tệp) của dữ liệu này chỉ dành cho người dùng đăng nhập có quyền xem đầy đủ',
        'Where this data came from (deliveries, file rows) is only for signed-in users who may read it in full',
      )
    }
    // A grant that names members still lets its holder trace them to their deliveries.
    const beyond = access.onlyMembers ? members.filter((m) => m.startsWith(`${view}.`) && !access.onlyMembers!.includes(m) && !provenance.includes(m)) : []
    if (beyond.length > 0) {
      throw new AccessDenied(`Quyền được cấp cho cơ quan ${ctx.agency} không gồm ${beyond.join(', ')}`, `The grant to agency ${ctx.agency} does not include ${beyond.join(', ')}`)
    }
    if (access.filter) filters.push(access.filter)
    const p = rules.policy(view)!.protect
    if (access.asPublic && p) {
      checkProtectedUse(q, p)
      if (q.measures.includes(p.measure)) protect.push(p)
    }
  }
  return { query: { ...q, filters: [...q.filters, ...filters] }, protect }
}
