import type { SemanticModel } from '../compile-model.ts'
import type { CubeQuery } from '../cube-query.ts'
import type { Role } from './accounts.ts'

/** Who is asking: from a session token, a Cube-style JWT, or nobody (open data). */
export interface SecurityContext {
  account: string
  role: Role | 'public'
  agency: string
  communeCode: string
  personalData: boolean
  purpose: string
}

export const PUBLIC: SecurityContext = { account: 'public', role: 'public', agency: '', communeCode: '', personalData: false, purpose: '' }

/**
 * What each view allows. Provincial roles see every view; an agency officer sees its own rows
 * (agencyMember), a commune officer its commune (communeMember), the owner of a dataset all of it;
 * the public only open views, with small cells suppressed.
 */
interface ViewPolicy {
  open: boolean
  agencyMember?: string
  communeMember?: string
  owners?: string[]
  /** Open-data suppression: a measure below this count is hidden for the public. */
  suppress?: { member: string; below: number }
}

export const VIEW_POLICIES: Record<string, ViewPolicy> = {
  kt_xh: { open: true, agencyMember: 'kt_xh.agency', communeMember: 'kt_xh.unit_code' },
  submissions: { open: false, agencyMember: 'submissions.agency' },
  data_quality: { open: false, agencyMember: 'data_quality.agency' },
  quality_scores: { open: false, agencyMember: 'quality_scores.agency' },
  enterprises: { open: false, owners: ['SO_TC'], communeMember: 'enterprises.commune_code' },
  population: { open: true, owners: ['CA_TINH'], communeMember: 'population.commune_code', suppress: { member: 'population.people', below: 5 } },
  citizens: { open: false, owners: ['CA_TINH'], communeMember: 'citizens.commune_code' },
}

const PROVINCIAL: SecurityContext['role'][] = ['leader', 'analyst', 'steward', 'admin']

export class AccessDenied extends Error {
  constructor(
    readonly vi: string,
    readonly en: string,
  ) {
    super(en)
  }
}

export interface PolicyDecision {
  query: CubeQuery
  suppress: { member: string; below: number }[]
}

type ViewAccess =
  | { allowed: true; filter?: { member: string; operator: 'equals'; values: string[] }; suppress?: ViewPolicy['suppress'] }
  | { allowed: false; vi: string; en: string }

/** What a context may do with one view: see it all, see it filtered or suppressed, or nothing. */
function viewAccess(view: string, ctx: SecurityContext): ViewAccess {
  const policy = VIEW_POLICIES[view]
  if (!policy) return { allowed: false, vi: `Không có chính sách truy cập cho "${view}"`, en: `No access policy for "${view}"` }
  if (PROVINCIAL.includes(ctx.role)) return { allowed: true }
  if (ctx.role === 'agency_officer') {
    if (ctx.communeCode && policy.communeMember) return { allowed: true, filter: { member: policy.communeMember, operator: 'equals', values: [ctx.communeCode] } }
    if (policy.owners?.includes(ctx.agency)) return { allowed: true }
    if (policy.agencyMember) return { allowed: true, filter: { member: policy.agencyMember, operator: 'equals', values: [ctx.agency] } }
    if (policy.open) return { allowed: true, suppress: policy.suppress }
    return { allowed: false, vi: `Cơ quan ${ctx.agency} không được xem "${view}"`, en: `Agency ${ctx.agency} may not see "${view}"` }
  }
  // The public: open views only, small cells suppressed.
  if (!policy.open) return { allowed: false, vi: `"${view}" không phải dữ liệu mở; cần đăng nhập`, en: `"${view}" is not open data; sign in` }
  return { allowed: true, suppress: policy.suppress }
}

/** Whether a context may query a view at all, for /meta. */
export const mayView = (view: string, ctx: SecurityContext): boolean => viewAccess(view, ctx).allowed

/** Every member a query names, in any part of it. */
export function queryMembers(q: CubeQuery): string[] {
  const fromFilters: string[] = []
  const walk = (f: CubeQuery['filters'][number]) => {
    if ('and' in f) f.and.forEach(walk)
    else if ('or' in f) f.or.forEach(walk)
    else fromFilters.push(f.member)
  }
  q.filters.forEach(walk)
  const order = Array.isArray(q.order) ? q.order.map(([k]) => k) : Object.keys(q.order ?? {})
  return [...new Set([...q.measures, ...q.dimensions, ...q.segments, ...q.timeDimensions.map((t) => t.dimension), ...fromFilters, ...order])]
}

/**
 * Decides a query for a security context: refuses what it may not see, and adds the filters that
 * keep an officer inside its agency or commune. The added filters are separate AND conditions, so
 * nothing in the query can widen them.
 */
export function applyPolicy(model: SemanticModel, q: CubeQuery, ctx: SecurityContext): PolicyDecision {
  const members = queryMembers(q)
  const personal = members.filter((m) => (model.members.get(m)?.meta as { meta?: { personal?: boolean } } | undefined)?.meta?.personal)
  if (personal.length > 0 && !(ctx.personalData && ctx.purpose.trim().length >= 5)) {
    throw new AccessDenied(
      `Trường dữ liệu cá nhân (${personal.join(', ')}) cần tài khoản được cấp quyền dữ liệu cá nhân và khai báo mục đích (tiêu đề X-Kho-Purpose)`,
      `Personal-data members (${personal.join(', ')}) need an account granted personal data and a declared purpose (X-Kho-Purpose header)`,
    )
  }
  const filters: CubeQuery['filters'] = []
  const suppress: PolicyDecision['suppress'] = []
  for (const view of new Set(members.map((m) => m.split('.')[0]!))) {
    const access = viewAccess(view, ctx)
    if (!access.allowed) throw new AccessDenied(access.vi, access.en)
    if (access.filter) filters.push(access.filter)
    if (access.suppress) suppress.push(access.suppress)
  }
  return { query: { ...q, filters: [...q.filters, ...filters] }, suppress }
}
