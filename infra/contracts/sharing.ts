/**
 * A request for another agency's data and its grant (Lào Cai Điều 8–10): what /api/sharing/* answers
 * and meta.sharing_requests holds, one row per state.
 */
export type RequestStatus = 'pending' | 'approved' | 'refused' | 'suspended' | 'ended' | 'withdrawn'

export interface SharingRequest {
  id: string
  dataset: string
  requester: string
  agency: string
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

/** A request as the pages list it: whether its grant is in force today (kho's clock), and whether the caller decides it (the owner's side). */
export type ListedRequest = SharingRequest & { in_force: boolean; decides: boolean }

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
