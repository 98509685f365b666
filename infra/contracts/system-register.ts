/**
 * The register of information systems (Lào Cai Điều 8): what `GET /api/admin/system-register`
 * (what connects) and `…/required` (what must connect, with its state) answer.
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

/**
 * A required system's state: connected (an exchange within the last 90 days), registered (a channel
 * set up, no exchange in 90 days), manual (supplies only by files people deliver) or not connected.
 */
export type RequiredState = 'connected' | 'registered' | 'manual' | 'not_connected'

export interface RequiredSystemState {
  id: string
  name: string
  name_en?: string | undefined
  /** Điều 8.2's groups: a national database, a ministry's or sector's system, a system of the province. */
  group: 'quoc_gia' | 'bo_nganh' | 'tinh'
  agency: string
  direction: 'supplies' | 'consumes'
  datasets: string[]
  due_on?: string | undefined
  basis: string
  state: RequiredState
  /** The register's entries that serve it. */
  served_by: string[]
  last_success: string | null
  /** Not connected past its due day. */
  overdue: boolean
}
