import { randomBytes } from 'node:crypto'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { ViewGrant, ViewPolicies } from '../policy/view-policy.ts'
import { warehouseTime } from '../../infra/warehouse/sql.ts'
import * as clock from '../../infra/time/clock.ts'
import { SIGNATURE_SIDES, type Decision, type GrantLevel, type SharingRequest, type SignatureSide } from '../../infra/contracts/sharing.ts'

/**
 * Requests to use a dataset outside one's scope, and the grants the owner's decisions make
 * (Bắc Ninh QĐ 53 Điều 6.4, 7.2; Lào Cai Điều 12.2, 17.5; NĐ 47/2020 Điều 43–44). An agency's
 * officer asks for a dataset — or some of its views or members — with a purpose, a legal basis and a
 * period; the owner agency's officer or a steward approves (possibly narrower) or refuses with a
 * reason. An approved request is a grant to the asking agency from its start date to its end date;
 * it can be suspended, resumed or ended. One row per state in meta.sharing_requests; the latest wins.
 */
const COLUMNS = `id, dataset, requester, agency, recipient, system_id, level, method, frequency, request_letter, commitment_letter, decisions,
  views, members, purpose, legal_basis, toString(starts_on) AS starts_on, toString(ends_on) AS ends_on,
  status, granted_views, granted_members, decided_by, decision_note, toString(created_at) AS created_at, toString(updated_at) AS updated_at`

type StoredRequest = Omit<SharingRequest, 'decisions'> & { decisions: string }
const read = (r: StoredRequest): SharingRequest => ({ ...r, decisions: JSON.parse(r.decisions || '[]') as Decision[] })

export async function listRequests(wh: Warehouse): Promise<SharingRequest[]> {
  return (await queryRows<StoredRequest>(wh.client, `SELECT ${COLUMNS} FROM meta.sharing_requests FINAL ORDER BY created_at DESC`)).map(read)
}

export async function findRequest(wh: Warehouse, id: string): Promise<SharingRequest | null> {
  const [row] = await queryRows<StoredRequest>(wh.client, `SELECT ${COLUMNS} FROM meta.sharing_requests FINAL WHERE id = {id:String}`, { id })
  return row ? read(row) : null
}

export async function writeRequest(wh: Warehouse, r: Omit<SharingRequest, 'updated_at' | 'created_at'> & { created_at?: string }): Promise<SharingRequest> {
  const row = { ...r, created_at: r.created_at ?? warehouseTime(), updated_at: warehouseTime() }
  await wh.client.insert({ table: 'meta.sharing_requests', values: [{ ...row, decisions: JSON.stringify(row.decisions) }], format: 'JSONEachRow' })
  return row
}

/** Who a grant opens access to: the asking agency's officers, or the consuming system it names (`sys:<id>`, the system's account). */
export const granteeOf = (r: Pick<SharingRequest, 'recipient' | 'agency' | 'system_id'>) => (r.recipient === 'system' ? `sys:${r.system_id}` : r.agency)

/** The sides that have not approved a request yet (a refusal by either ends it). */
export const waitingFor = (r: Pick<SharingRequest, 'decisions'>): SignatureSide[] => SIGNATURE_SIDES.filter((side) => !r.decisions.some((d) => d.side === side && d.approve))

/** What a request is when nothing else is said: for the agency's officers, to use, by query, as needed; no letters, no decisions yet. */
export const REQUEST_DEFAULTS = {
  recipient: 'agency',
  system_id: '',
  level: 'use',
  method: 'query',
  frequency: 'as_needed',
  request_letter: '',
  commitment_letter: '',
  decisions: [],
} as const satisfies Partial<SharingRequest>

/** A request id: the day it was made and a random part ("YC-20261128-3f9a1c"). */
export const newRequestId = (today: string) => `YC-${today.replaceAll('-', '')}-${randomBytes(3).toString('hex')}`

/**
 * What naming views and members grants, view by view: a named view whole, unless some of its
 * members are named (then those alone); a member whose view is not named, that member alone. Only
 * the dataset's own views count, and nothing named grants nothing.
 */
export function scopeOf(views: readonly string[], members: readonly string[], ofDataset: readonly string[]): Map<string, ViewGrant> {
  const scope = new Map<string, ViewGrant>()
  for (const v of ofDataset) {
    const named = members.filter((m) => m.startsWith(`${v}.`))
    if (named.length > 0) scope.set(v, { members: named })
    else if (views.includes(v)) scope.set(v, { members: null })
  }
  return scope
}

/** Whether every view and member `inner` opens, `outer` opens too. */
export function within(inner: ReadonlyMap<string, ViewGrant>, outer: ReadonlyMap<string, ViewGrant>): boolean {
  return [...inner].every(([v, g]) => {
    const o = outer.get(v)
    return !!o && (o.members === null || (g.members !== null && g.members.every((m) => o.members!.includes(m))))
  })
}

/** What an approved request grants, view by view (scopeOf its granted views and members). */
export function grantedViews(r: Pick<SharingRequest, 'dataset' | 'granted_views' | 'granted_members'>, views_: Pick<ViewPolicies, 'viewsOf'>): Map<string, ViewGrant> {
  return scopeOf(r.granted_views, r.granted_members, views_.viewsOf(r.dataset))
}

/** Whether a grant is in force on a day: approved, and the day within its period. */
export const inForce = (r: Pick<SharingRequest, 'status' | 'starts_on' | 'ends_on'>, day: string) => r.status === 'approved' && r.starts_on <= day && day <= r.ends_on

/**
 * The grants the view policy reads, kept in memory and read again after every change this
 * process makes, so an approval, a suspension or an end takes effect on the next request. Dates
 * are checked at each request against today in Vietnam, so a grant opens on its start date and
 * closes after its end date without anyone acting.
 */
export class GrantRegistry {
  private requests: SharingRequest[] = []

  constructor(
    private readonly wh: Warehouse,
    /** Which views show a dataset: a grant opens only views of its own dataset. */
    private readonly views: Pick<ViewPolicies, 'viewsOf'>,
    private readonly today: () => string = () => clock.today(),
  ) {}

  async refresh(): Promise<void> {
    this.requests = (await listRequests(this.wh)).filter((r) => r.status === 'approved')
  }

  /**
   * The grant over a view in force today for a grantee (an agency, or a system's `sys:<id>`), its
   * members joined across its grants, at the highest level any of them gives; or null.
   */
  grant = (grantee: string, view: string): ViewGrant | null => {
    const day = this.today()
    let members: Set<string> | null = new Set()
    let level: GrantLevel | null = null
    for (const r of this.requests) {
      if (granteeOf(r) !== grantee || !inForce(r, day)) continue
      const g = grantedViews(r, this.views).get(view)
      if (!g) continue
      level = level === 'use' || r.level === 'use' ? 'use' : 'view'
      members = g.members === null || members === null ? null : new Set([...members, ...g.members])
    }
    return level ? { members: members ? [...members] : null, level } : null
  }
}
