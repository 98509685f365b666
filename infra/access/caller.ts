import type { Role } from '../contracts/session.ts'

/** How a caller proved who it is. */
export type CallerVia = 'anonymous' | 'session' | 'jwt' | 'system-key' | 'service-token' | 'push-key' | 'address' | 'sql-password' | 'sql-system-key' | 'feed-push'

/**
 * Who is asking, resolved once per request by the gate: an account's session, a registered
 * system's key, a Cube-style token signed by a server-side part, the local CLI's service token, an
 * agency's push key, or nobody. Role 'system' matches no role a route grants; a registered system
 * reaches the views it was given (`views`), the others open views only.
 */
export interface SecurityContext {
  account: string
  role: Role | 'public' | 'system'
  agency: string
  communeCode: string
  personalData: boolean
  purpose: string
  /** A registered system: the views it may read. */
  views?: readonly string[]
  /**
   * The answer leaves kho (a download, the SQL API a BI tool pulls through): a view-only grant
   * (Lào Cai Điều 21.3) does not reach it.
   */
  takesAway?: boolean
}

export interface Caller extends SecurityContext {
  via: CallerVia
}

export const PUBLIC: Caller = { account: 'public', role: 'public', agency: '', communeCode: '', personalData: false, purpose: '', via: 'anonymous' }

/** A purpose is declared when it says something (five characters or more). */
export const hasPurpose = (sec: SecurityContext) => sec.purpose.trim().length >= 5

/** Personal data leaves only for an account granted it that declared why. */
export const mayReadPersonal = (sec: SecurityContext) => sec.personalData && hasPurpose(sec)
