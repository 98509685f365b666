import type { ObligationItem } from '../../../../../infra/contracts/obligation.ts'
import type { AgencyDetail } from '../../../../../infra/contracts/catalog.ts'
import type { LoadHistoryRow } from '../../../../../infra/contracts/delivery.ts'

export type Obligation = ObligationItem
/** A row of the load history (GET /api/loads). */
export type Load = LoadHistoryRow
export interface Report {
  loadId: string
  dataset: string
  status: string
  source: string
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  warnings: { code: string; vi: string; en: string }[]
  refusal: { code: string; vi: string; en: string } | null
  rejects: { row: number; column: string; value: string; code: string; vi: string; en: string }[]
}
export type AgencyInfo = AgencyDetail
