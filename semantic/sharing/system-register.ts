import type { FastifyInstance } from 'fastify'
import { access, allow } from '../../infra/access/gate.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { RequiredSystem } from '../../infra/catalog/schema.ts'
import type { RegisteredSystem, RequiredState, RequiredSystemState } from '../../infra/contracts/system-register.ts'
import * as clock from '../../infra/time/clock.ts'
import { fromWarehouseTime } from '../../infra/warehouse/sql.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { ViewPolicies } from '../policy/view-policy.ts'
import { listRequests } from './grants.ts'

/**
 * The register of connected information systems (Lào Cai Điều 8): every system that supplies data
 * to kho or consumes it, with its owner agency, the datasets it supplies or consumes, its channel
 * (LGSP key, push key, pull connector) and its last successful exchange — read from what kho
 * already holds (registered systems, push keys, pull connectors, loads and the sharing log), so
 * the register cannot drift from what really connects.
 */

export type { RegisteredSystem } from '../../infra/contracts/system-register.ts'

export async function systemRegister(wh: Warehouse, catalog: Pick<Catalog, 'datasets'>, views: Pick<ViewPolicies, 'datasetsOf'>): Promise<RegisteredSystem[]> {
  const [consumers, calls, keys, loads] = await Promise.all([
    queryRows<{ id: string; name: string; agency: string; views: string[]; disabled: boolean; expires_on: string | null }>(
      wh.client,
      'SELECT id, name, agency, views, disabled, toString(expires_on) AS expires_on FROM meta.systems FINAL ORDER BY id',
    ),
    // A system's exchanges: its calls to the Cube API, the SQL API and its feeds, pulled or pushed.
    queryRows<{ account: string; at: string }>(wh.client, "SELECT account, toString(max(at)) AS at FROM meta.audit WHERE via IN ('system-key', 'sql-system-key', 'feed-push') AND outcome = 'ok' GROUP BY account"),
    queryRows<{ key_id: string; agency: string; label: string; revoked: boolean }>(wh.client, 'SELECT key_id, agency, label, revoked_at IS NOT NULL AS revoked FROM meta.api_keys FINAL ORDER BY agency, key_id'),
    queryRows<{ channel: string; agency: string; dataset: string; at: string }>(
      wh.client,
      "SELECT channel, agency, dataset, toString(max(delivered_at)) AS at FROM meta.loads FINAL WHERE status = 'committed' AND channel IN ('push', 'pull') GROUP BY channel, agency, dataset",
    ),
  ])
  const lastCall = new Map(calls.map((c) => [c.account, c.at]))
  // What requests granted each system (both signatures), besides the views it holds within its agency's scope.
  const granted = (await listRequests(wh)).filter((r) => r.recipient === 'system' && r.status === 'approved')
  const latest = (xs: { at: string }[]) => xs.map((x) => x.at).sort().at(-1) ?? null
  const register: RegisteredSystem[] = consumers.map((s) => ({
    id: s.id,
    name: s.name,
    agency: s.agency,
    direction: 'consumes',
    channel: 'lgsp',
    datasets: [...new Set([...views.datasetsOf(s.views.map((v) => `${v}.x`)), ...granted.filter((r) => r.system_id === s.id).map((r) => r.dataset)])].sort(),
    last_success: lastCall.get(`sys:${s.id}`) ?? null,
    active: !s.disabled,
  }))
  // An agency's push keys: one sending system per agency, whatever number of keys it rotates through.
  for (const agency of [...new Set(keys.map((k) => k.agency))]) {
    const pushed = loads.filter((l) => l.channel === 'push' && l.agency === agency)
    const own = keys.filter((k) => k.agency === agency)
    register.push({
      id: `push:${agency}`,
      name: own.map((k) => k.label).filter(Boolean).join(', ') || `API đẩy dữ liệu của ${agency}`,
      agency,
      direction: 'supplies',
      channel: 'push',
      datasets: [...new Set(pushed.map((l) => l.dataset))].sort(),
      last_success: latest(pushed),
      active: own.some((k) => !k.revoked),
    })
  }
  for (const d of catalog.datasets.filter((x) => x.pull)) {
    const pulled = loads.filter((l) => l.channel === 'pull' && l.dataset === d.id)
    register.push({
      id: `pull:${d.id}`,
      name: new URL(d.pull!.url).host,
      agency: d.pull!.agency ?? d.owner,
      direction: 'supplies',
      channel: 'pull',
      datasets: [d.id],
      last_success: latest(pulled),
      active: true,
    })
  }
  return register
}

/** A required system's state (the contract says each); a system supplying several datasets is as far as the least connected of them. */

const RECENT_DAYS = 90
const ORDER: RequiredState[] = ['not_connected', 'manual', 'registered', 'connected']

export function requiredStates(
  required: readonly RequiredSystem[],
  register: readonly RegisteredSystem[],
  /** The last committed delivery of each dataset, by any channel (warehouse time). */
  lastDelivery: ReadonlyMap<string, string>,
  now: Date,
  today: string,
): RequiredSystemState[] {
  const recent = (at: string | null) => at !== null && now.getTime() - fromWarehouseTime(at).getTime() <= RECENT_DAYS * 86_400_000
  return required.map((r) => {
    const serving = register.filter((e) => e.direction === r.direction && (r.direction === 'supplies' || e.agency === r.agency))
    const stateOf = (entries: RegisteredSystem[], dataset: string | null): RequiredState => {
      if (entries.some((e) => e.active && recent(e.last_success))) return 'connected'
      if (entries.some((e) => e.active)) return 'registered'
      return dataset !== null && r.direction === 'supplies' && recent(lastDelivery.get(dataset) ?? null) ? 'manual' : 'not_connected'
    }
    const parts = r.datasets.length > 0 ? r.datasets.map((d) => ({ d, entries: serving.filter((e) => e.datasets.includes(d)) })) : [{ d: null, entries: serving }]
    const states = parts.map((p) => stateOf(p.entries, p.d))
    const state = ORDER.find((s) => states.includes(s))!
    const served = [...new Set(parts.flatMap((p) => p.entries.map((e) => e.id)))].sort()
    const last = parts.flatMap((p) => p.entries.map((e) => e.last_success)).filter((x): x is string => x !== null).sort().at(-1) ?? null
    return { ...r, state, served_by: served, last_success: last, overdue: state === 'not_connected' && r.due_on !== undefined && r.due_on < today }
  })
}

export function systemRegisterRoutes(app: FastifyInstance, deps: { wh: Warehouse; catalog: () => Pick<Catalog, 'datasets' | 'requiredSystems'>; cube: { readonly sharing: ViewPolicies } }) {
  const readers = allow(access.roles('steward', 'admin', 'leader', 'analyst'))
  app.get('/api/admin/system-register', readers, async () => systemRegister(deps.wh, deps.catalog(), deps.cube.sharing))
  // The systems that must connect (Lào Cai Điều 8.2) and how far each is.
  app.get('/api/admin/system-register/required', readers, async () => requiredSystemStates(deps.wh, deps.catalog(), deps.cube.sharing))
}

/** The required systems' states as things stand now (the register, and each dataset's last delivery). */
export async function requiredSystemStates(wh: Warehouse, catalog: Pick<Catalog, 'datasets' | 'requiredSystems'>, views: Pick<ViewPolicies, 'datasetsOf'>): Promise<RequiredSystemState[]> {
  const [register, deliveries] = await Promise.all([
    systemRegister(wh, catalog, views),
    queryRows<{ dataset: string; at: string }>(wh.client, "SELECT dataset, toString(max(delivered_at)) AS at FROM meta.loads FINAL WHERE status = 'committed' GROUP BY dataset"),
  ])
  return requiredStates(catalog.requiredSystems, register, new Map(deliveries.map((d) => [d.dataset, d.at])), clock.now(), clock.today())
}
