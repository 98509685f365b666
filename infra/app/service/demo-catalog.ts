import { DEMO_ACCOUNTS } from '../../access/accounts.ts'
import { listEntries, type CatalogEntry } from '../../catalog/catalog-entries.ts'
import { approveEntries, proposeEntry, type Actor } from './catalog-change.ts'
import type { ServiceContext } from './context.ts'
import { DEMO_PENDING_DATASET, demoEntries } from '../demo/demo-entries.ts'

const STEWARD: Actor = { account: 'quantri', role: 'steward', agency: 'SO_KHCN' }

/**
 * Registers the demo province's datasets the way agencies do (Lào Cai Điều 7.6a, 7.5c): each entry
 * proposed by an officer of its owner agency through the catalogue's own proposal path, then
 * approved by the steward — all at once, so the models are rebuilt once — except one left pending.
 * Datasets that already have an entry (approved, refused or pending) are left as they are.
 */
export async function ensureDemoCatalog(ctx: ServiceContext, opts: { rebuild?: boolean } = {}): Promise<void> {
  const known = new Set((await listEntries(ctx.wh)).map((e) => e.dataset))
  const toApprove: CatalogEntry[] = []
  for (const { id, owner, raw } of demoEntries()) {
    if (known.has(id) || ctx.model.now.catalog.dataset(id)) continue
    const officer = DEMO_ACCOUNTS.find((a) => a.role === 'agency_officer' && a.agency === owner && !a.commune_code)
    const actor: Actor = officer ? { account: officer.username, role: 'agency_officer', agency: owner } : STEWARD
    const { change, ...saved } = await proposeEntry(ctx, actor, raw, 'Đăng ký bộ dữ liệu dùng chung của cơ quan')
    ctx.audit.recordService(actor.account, { role: actor.role, agency: actor.agency, endpoint: 'catalog.propose', datasets: [id], query: { dataset: id, version: saved.version, change } })
    if (id !== DEMO_PENDING_DATASET) toApprove.push(saved)
  }
  if (toApprove.length === 0) return
  await approveEntries(ctx, STEWARD, toApprove, 'Đã rà soát: đúng từ điển dữ liệu dùng chung', opts)
  for (const e of toApprove) ctx.audit.recordService(STEWARD.account, { role: STEWARD.role, agency: STEWARD.agency, endpoint: 'catalog.approve', datasets: [e.dataset], query: { dataset: e.dataset, version: e.version } })
}
