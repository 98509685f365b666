import type { ObligationItem } from '../../../../../infra/contracts/obligation.ts'
import type { AgencyDetail } from '../../../../../infra/contracts/catalog.ts'

export type Obligation = ObligationItem
export interface Load {
  load_id: string
  dataset: string
  agency: string
  channel: string
  /** Who delivered it (an account, the command line's user, a key, a pull source, the inbox). */
  delivered_by: string
  source: string
  status: string
  rows_read: number
  rows_loaded: number
  rows_rejected: number
  message: string
  delivered_at: string
}
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
