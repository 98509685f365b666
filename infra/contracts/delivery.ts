/**
 * A delivery as meta.loads records it — who sent what, when, through which channel — as the
 * load history (GET /api/loads) and the trace give it. Types only, shared with the pages.
 */
export interface DeliveryRecord {
  load_id: string
  dataset: string
  agency: string
  /** file | upload | push | pull | inbox | demo */
  channel: string
  /** Who delivered it: account:<username>, cli:<OS user>, push-key:<key id>, pull:<source>, inbox, demo, file. */
  delivered_by: string
  /** The file name, or the channel's source. */
  source: string
  delivered_at: string
}

/** How a load ended, in words (vi, en): the pages' status labels and the briefings' "Kết quả". */
export const LOAD_STATUS_WORDS: Record<string, readonly [vi: string, en: string]> = {
  committed: ['Đã nạp', 'Loaded'],
  refused: ['Bị từ chối', 'Refused'],
  duplicate: ['Trùng tệp đã gửi', 'Duplicate file'],
  failed: ['Lỗi', 'Failed'],
}

/** A row of GET /api/loads: the delivery and how its load ended. */
export interface LoadHistoryRow extends DeliveryRecord {
  status: string
  period: string
  rows_read: number
  rows_loaded: number
  rows_rejected: number
  message: string
  finished_at: string
}

/** A row of GET /api/loads/:id/events: one step of a load's life, oldest first (meta.load_events). */
export interface LoadEvent {
  /** started | committed | refused | failed | file_removed | rows_removed */
  event: string
  at: string
  /** Who delivered, or job:retention for what the retention job removed. */
  by: string
  channel: string
  /** Rows loaded, or rows removed. */
  rows: number
  message: string
}
