import type { FastifyInstance } from 'fastify'
import { access, allow } from '../../infra/access/gate.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
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
export interface RegisteredSystem {
  id: string
  name: string
  agency: string
  direction: 'supplies' | 'consumes'
  channel: 'lgsp' | 'push' | 'pull'
  datasets: string[]
  last_success: string | null
  active: boolean
}

export async function systemRegister(wh: Warehouse, catalog: Pick<Catalog, 'datasets'>, views: Pick<ViewPolicies, 'datasetsOf'>): Promise<RegisteredSystem[]> {
  const [consumers, calls, keys, loads] = await Promise.all([
    queryRows<{ id: string; name: string; agency: string; views: string[]; disabled: boolean; expires_on: string | null }>(
      wh.client,
      'SELECT id, name, agency, views, disabled, toString(expires_on) AS expires_on FROM meta.systems FINAL ORDER BY id',
    ),
    queryRows<{ account: string; at: string }>(wh.client, "SELECT account, toString(max(at)) AS at FROM meta.audit WHERE via = 'system-key' AND outcome = 'ok' GROUP BY account"),
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

export function systemRegisterRoutes(app: FastifyInstance, deps: { wh: Warehouse; catalog: () => Pick<Catalog, 'datasets'>; cube: { readonly sharing: ViewPolicies } }) {
  app.get('/api/admin/system-register', allow(access.roles('steward', 'admin', 'leader', 'analyst')), async () => systemRegister(deps.wh, deps.catalog(), deps.cube.sharing))
}
