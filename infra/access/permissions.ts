import type { Role } from '../contracts/session.ts'
import type { CallerVia } from './caller.ts'

/**
 * What a caller may do with an agency's things, decided here and nowhere else. The gate decides
 * who reaches a route; a handler then asks `can(caller, action, agency)` for the agency the request
 * touches, as Lightdash's services ask their CASL abilities, and never tests roles itself. (Which
 * rows and members of a view a caller reads is the view policy's, in semantic/policy.)
 *
 *   see     an agency's deliveries, documents, alerts, reports, proposals: provincial roles any
 *           agency's, an officer its own
 *   deliver data or a document for an agency: stewards and administrators for any, an officer
 *           for its own
 *   manage  an agency's data: answer error reports on it, decide requests for it, register or
 *           change its datasets, be told of its alerts: stewards and administrators, its officers
 *   own     act as the agency itself: ask for another's data, see its own personal values whole —
 *           only its officers
 *   oversee every agency at once (every report, proposal and alert; service details): stewards
 *           and administrators
 *
 * The local CLI (service token) may do all but `own`: it is the operator, not an agency.
 */
export type Action = 'see' | 'deliver' | 'manage' | 'own' | 'oversee'

/** Who asks: a request's caller, or an account being told of something. */
export interface Actor {
  role: Role | 'public' | 'system'
  agency: string
  via?: CallerVia
}

const PROVINCIAL: readonly Actor['role'][] = ['leader', 'analyst', 'steward', 'admin']
const STEWARDS: readonly Actor['role'][] = ['steward', 'admin']

export function can(actor: Actor, action: Action, agency = ''): boolean {
  const ownAgency = actor.role === 'agency_officer' && actor.agency !== '' && actor.agency === agency
  if (action === 'own') return ownAgency
  if (actor.via === 'service-token') return true
  switch (action) {
    case 'see':
      return PROVINCIAL.includes(actor.role) || ownAgency
    case 'deliver':
    case 'manage':
      return STEWARDS.includes(actor.role) || ownAgency
    case 'oversee':
      return STEWARDS.includes(actor.role)
  }
}

/** Which agency's rows a list shows: an officer its own agency's; anyone else the one asked for, or every agency's (''). */
export const agencyScope = (actor: Actor, asked: string | undefined): string => (actor.role === 'agency_officer' ? actor.agency : (asked ?? ''))
