/** The roles an account may have, from the most to the least provincial. */
export const ROLES = ['leader', 'analyst', 'agency_officer', 'steward', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** Who is signed in, as /api/auth/me answers and the pages read it. */
export interface SignedIn {
  account: string
  role: Role
  /** The agency an officer works for ('' for provincial roles). */
  agency: string
  /** A commune officer's commune. */
  communeCode?: string
  /** Granted access to personal data (each request still declares its purpose). */
  personalData?: boolean
}
