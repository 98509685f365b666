import { reasonText } from '../infra/contracts/audit-words.ts'
import { mayReadPersonal, type SecurityContext } from '../infra/access/caller.ts'
import type { FastifyRequest } from 'fastify'
import type { AuditLog } from '../infra/access/audit-log.ts'
import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { can } from '../infra/access/permissions.ts'

/**
 * Personal values in rejected rows, shown to people without the right to see them: enough for an
 * agency to recognise its row (with its row number), not enough to identify a person. A CCCD keeps
 * only its first three digits, the birth-registration province every one of its people shares
 * (027xxxxxxxxx): with its last three shown, a birth year, gender and commune left 3 unknown digits
 * (the second probe). A name keeps its initials (N.V.A.), a date its year (xx/xx/1990); long digit
 * runs inside reason texts are masked as CCCDs are.
 */
export function maskId(value: string): string {
  const v = value.trim()
  if (v.length <= 4) return 'x'.repeat(v.length)
  return v.slice(0, 3) + 'x'.repeat(v.length - 3)
}

export const maskName = (value: string) =>
  value
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]!.toUpperCase()}.`)
    .join('')

export const maskDate = (value: string) => `xx/xx/${/(\d{4})/.exec(value)?.[1] ?? 'xxxx'}`

const DIGIT_RUN = /\d{9,13}/g
export const maskDigitRuns = (text: string) => text.replace(DIGIT_RUN, (run) => maskId(run))

/** Who sees a personal dataset's rejected values whole: its owner's officers, or a grant with a purpose. */
export function seesPersonalWhole(dataset: CatalogDataset | undefined, caller: SecurityContext): boolean {
  if (!dataset || !dataset.columns.some((c) => c.personal)) return true
  if (can(caller, 'own', dataset.owner)) return true
  return mayReadPersonal(caller)
}

/** Masks one delivered value of a column. */
export function maskValue(dataset: CatalogDataset, columnId: string, value: string): string {
  const column = dataset.columns.find((c) => c.id === columnId)
  if (!column?.personal) return maskDigitRuns(value)
  if (column.identifier === 'cccd') return maskId(value)
  if (column.type === 'date') return maskDate(value)
  return maskName(value)
}

/** Masks a reason text: the masked value in place of the value it quotes, and any other ID-like digits. */
export function maskReason(reason: string, value: string, masked: string): string {
  const v = value.trim()
  return maskDigitRuns(v.length >= 3 ? reason.split(v).join(masked) : reason)
}

export interface RejectLike {
  column: string
  value: string
  reason_vi: string
  reason_en: string
}

/** Rejected-value rows as `caller` may see them: whole, or with personal values masked. */
export function rejectsFor<R extends RejectLike & { dataset?: string }>(rows: R[], datasetOf: (r: R) => CatalogDataset | undefined, caller: SecurityContext): R[] {
  return rows.map((r) => {
    const dataset = datasetOf(r)
    if (!dataset || seesPersonalWhole(dataset, caller)) return r
    const masked = maskValue(dataset, r.column, r.value)
    return { ...r, value: masked, reason_vi: maskReason(r.reason_vi, r.value, masked), reason_en: maskReason(r.reason_en, r.value, masked) }
  })
}

/** A delivered row (column id → value) as `caller` may see it. */
export function wholeRowFor(row: Record<string, string | number>, dataset: CatalogDataset, caller: SecurityContext): Record<string, string | number> {
  if (seesPersonalWhole(dataset, caller)) return row
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && dataset.columns.some((c) => c.id === k) ? maskValue(dataset, k, v) : v]))
}

/** Rejected rows are data: every read is audited as a query is, saying whether personal values were masked. */
export function auditRejects(ctx: { audit: AuditLog }, req: FastifyRequest, datasets: CatalogDataset[], filters: Record<string, unknown>, rowCount: number) {
  const masked = datasets.some((d) => !seesPersonalWhole(d, req.caller))
  ctx.audit.recordRequest(req, { endpoint: 'rejects', datasets: datasets.map((d) => d.id), filters, rowCount, reason: masked ? reasonText('Đã che dữ liệu cá nhân', 'Personal values masked') : '' })
}
