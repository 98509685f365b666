/**
 * A request for another agency's data and its grant (Lào Cai Điều 8–10): what /api/sharing/* answers
 * and meta.sharing_requests holds, one row per state.
 */
export type RequestStatus = 'pending' | 'approved' | 'refused' | 'suspended' | 'ended' | 'withdrawn'

/** Who signs a request (Bắc Ninh Điều 7.2): the data owner agency and the warehouse's operator (its stewards). */
export type SignatureSide = 'owner' | 'operator'
export const SIGNATURE_SIDES: readonly SignatureSide[] = ['owner', 'operator']

/** One side's decision, with its letter (an attachment id; empty for a refusal without one). */
export interface Decision {
  side: SignatureSide
  approve: boolean
  by: string
  at: string
  note: string
  letter: string
}

/** Lào Cai Điều 21.3's levels a request may ask for: view (read on kho's pages and API only) or use (also download, SQL, feeds). */
export const GRANT_LEVELS = ['view', 'use'] as const
export type GrantLevel = (typeof GRANT_LEVELS)[number]
/** How the data is to be used (Lào Cai Điều 12.2: method and frequency of sharing). */
export const SHARING_METHODS = ['query', 'export', 'feed'] as const
export type SharingMethod = (typeof SHARING_METHODS)[number]
export const SHARING_FREQUENCIES = ['as_needed', 'once', 'daily', 'weekly', 'monthly', 'quarterly', 'on_change'] as const
export type SharingFrequency = (typeof SHARING_FREQUENCIES)[number]
/** A request's level, method and frequency in words (vi, en): the sharing page and the e-mails say them the same way. */
export const LEVEL_WORDS: Record<GrantLevel, readonly [vi: string, en: string]> = { view: ['Chỉ xem trên Kho dữ liệu', 'View on kho only'], use: ['Sử dụng (xem, tải về, kết nối)', 'Use (view, download, connect)'] }
export const METHOD_WORDS: Record<SharingMethod, readonly [vi: string, en: string]> = {
  query: ['Truy vấn trên Kho dữ liệu', 'Query on kho'],
  export: ['Tải tệp dữ liệu', 'Download files'],
  feed: ['Nhận dữ liệu tự động', 'Automatic feed'],
}
export const FREQUENCY_WORDS: Record<SharingFrequency, readonly [vi: string, en: string]> = {
  as_needed: ['Khi cần', 'As needed'],
  once: ['Một lần', 'Once'],
  daily: ['Hằng ngày', 'Daily'],
  weekly: ['Hằng tuần', 'Weekly'],
  monthly: ['Hằng tháng', 'Monthly'],
  quarterly: ['Hằng quý', 'Quarterly'],
  on_change: ['Khi dữ liệu thay đổi', 'On change'],
}

/** Which letter an upload is: the written request, an approval letter of a side, a third party's commitment. */
export const LETTER_KINDS = ['request', 'owner', 'operator', 'commitment'] as const
export type LetterKind = (typeof LETTER_KINDS)[number]

export interface SharingRequest {
  id: string
  dataset: string
  requester: string
  /** The asking agency (the system's owner, when the grant is for a system). */
  agency: string
  /** Who the grant is for: the agency's officers, or one of its consuming systems. */
  recipient: 'agency' | 'system'
  system_id: string
  level: GrantLevel
  method: SharingMethod
  frequency: SharingFrequency
  request_letter: string
  commitment_letter: string
  /** Each side's latest decision; the request is approved when both sides have approved. */
  decisions: Decision[]
  views: string[]
  members: string[]
  purpose: string
  legal_basis: string
  starts_on: string
  ends_on: string
  status: RequestStatus
  granted_views: string[]
  granted_members: string[]
  decided_by: string
  decision_note: string
  created_at: string
  updated_at: string
}

/**
 * A request as the pages list it: whether its grant is in force today (kho's clock), the sides that
 * have not approved yet, and the side the caller signs for (null: none, or already signed).
 */
export type ListedRequest = SharingRequest & { in_force: boolean; waiting_for: SignatureSide[]; decides: boolean; signs_as: SignatureSide | null }

/** A dataset one may ask for, with the caller's access to it and its views' members. */
export interface ShareableDataset {
  id: string
  name: string
  name_en: string
  owner: string
  owner_name: string
  scope: 'noi_bo' | 'dung_chung' | 'mo'
  personal_data: boolean
  access: 'owner' | 'consumer' | 'granted' | 'open' | 'none'
  views: { name: string; title: string; title_en: string; members: { name: string; title: string; title_en: string; personal: boolean }[] }[]
}

/** Whether a listed request waits for the caller's signature now (its written request attached): what the navigation counts. */
export const awaitsCaller = (r: Pick<ListedRequest, 'signs_as' | 'request_letter'>) => r.signs_as !== null && r.request_letter !== ''
