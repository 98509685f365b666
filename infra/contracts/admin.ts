/** The administration page's pull settings: `/api/admin/pull-hosts` and `/api/admin/secrets`. */

/** A host pull connectors may call. */
export interface AllowedHost {
  host: string
  /** Set by the operator (KHO_PULL_HOSTS): shown, never removed from a page. */
  fixed: boolean
  note: string
  listed_by: string
  listed_at: string | null
}

/** A stored secret as listed: its name and who set it when, never its value. */
export interface StoredSecret {
  name: string
  set_by: string
  set_at: string
}
