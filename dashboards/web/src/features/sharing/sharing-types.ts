/** What /api/sharing/* answers (the server's shapes in semantic/sharing/). */
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
  in_force: boolean
}

export interface ShareableDataset {
  id: string
  name: string
  name_en: string
  owner: string
  owner_name: string
  scope: 'noi_bo' | 'dung_chung' | 'mo'
  personal_data: boolean
  access: 'owner' | 'consumer' | 'granted' | 'none'
  views: { name: string; title: string; title_en: string; members: { name: string; title: string; title_en: string; personal: boolean }[] }[]
}

/** A dataset's name in the reader's language. */
export const datasetTitle = (d: Pick<ShareableDataset, 'name' | 'name_en'> | undefined, lang: 'vi' | 'en', id = '') => (d ? (lang === 'vi' ? d.name : d.name_en) : id)
