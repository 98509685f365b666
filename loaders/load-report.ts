/** What every load answers, whatever the channel: the CLI, the upload API, the push API, the demo. */
export type Channel = 'file' | 'upload' | 'push' | 'pull' | 'inbox' | 'demo'

export interface LoadMessage {
  code: string
  vi: string
  en: string
}

export interface RejectedRow {
  row: number
  column: string
  value: string
  code: string
  vi: string
  en: string
}

export interface LoadReport {
  loadId: string
  status: 'committed' | 'duplicate' | 'refused' | 'failed'
  dataset: string
  agency: string
  source: string
  sha256: string
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  warnings: LoadMessage[]
  refusal: LoadMessage | null
  /** The first rejected rows with their reasons (see REPORT_REJECTS). */
  rejects: RejectedRow[]
  durationMs: number
}
