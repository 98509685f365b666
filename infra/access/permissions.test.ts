import { describe, expect, it } from 'vitest'
import { agencyScope, can, type Action, type Actor } from './permissions.ts'

/**
 * Every role against every action, for its own agency and another's, written out by hand: the one
 * place handlers ask, so this table is what officers, stewards and the CLI may do to an agency.
 */
const ACTORS: Record<string, Actor> = {
  leader: { role: 'leader', agency: '' },
  analyst: { role: 'analyst', agency: '' },
  officer: { role: 'agency_officer', agency: 'SO_TC' },
  'officer without agency': { role: 'agency_officer', agency: '' },
  steward: { role: 'steward', agency: '' },
  admin: { role: 'admin', agency: '' },
  cli: { role: 'admin', agency: '', via: 'service-token' },
  system: { role: 'system', agency: 'SO_TC' },
  public: { role: 'public', agency: '' },
}
const ACTIONS: Action[] = ['see', 'deliver', 'manage', 'own', 'oversee']

// [actor, for SO_TC (its own, for the officer), for SO_YT (another)] → actions allowed, in ACTIONS order as 1/0.
const EXPECTED: [string, string, string][] = [
  ['leader', '10000', '10000'],
  ['analyst', '10000', '10000'],
  ['officer', '11110', '00000'],
  ['officer without agency', '00000', '00000'],
  ['steward', '11101', '11101'],
  ['admin', '11101', '11101'],
  ['cli', '11101', '11101'],
  ['system', '00000', '00000'],
  ['public', '00000', '00000'],
]

describe('permissions', () => {
  it('answer each role for its own agency and another as the table says', () => {
    const bits = (actor: Actor, agency: string) => ACTIONS.map((a) => (can(actor, a, agency) ? '1' : '0')).join('')
    expect(Object.keys(ACTORS).map((name) => [name, bits(ACTORS[name]!, 'SO_TC'), bits(ACTORS[name]!, 'SO_YT')])).toEqual(EXPECTED)
  })

  it('never let an empty agency match an officer without one', () => {
    expect(can(ACTORS['officer without agency']!, 'deliver', '')).toBe(false)
    expect(can(ACTORS.officer!, 'own', '')).toBe(false)
  })

  it("keep an officer's lists to its agency, whatever it asks for", () => {
    expect(agencyScope(ACTORS.officer!, 'SO_YT')).toBe('SO_TC')
    expect(agencyScope(ACTORS.steward!, 'SO_YT')).toBe('SO_YT')
    expect(agencyScope(ACTORS.leader!, undefined)).toBe('')
  })
})
