import { describe, expect, it } from 'vitest'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { REQUEST_DEFAULTS } from '../sharing/grants.ts'
import type { SharingRequest } from '../../infra/contracts/sharing.ts'
import { quarterSpan, scoreAgencies, type RankingFacts } from './agency-ranking.ts'

/** Scoring on every criterion from the facts, without a warehouse (the service test reads them for real: sharing.test.ts). */
const agencies = [
  { code: 'SO_A', name: 'Sở A', kind: 'so', parent: null, commune_code: null, contact: {} },
  { code: 'SO_B', name: 'Sở B', kind: 'so', parent: null, commune_code: null, contact: {} },
  { code: 'SO_C', name: 'Sở C', kind: 'so', parent: null, commune_code: null, contact: {} },
  { code: 'SO_D', name: 'Sở D (không có việc gì trong quý)', kind: 'so', parent: null, commune_code: null, contact: {} },
] as Catalog['agencies']
const datasets = [
  { id: 'a_full', owner: 'SO_A' },
  { id: 'a_bare', owner: 'SO_A' },
  { id: 'b_one', owner: 'SO_B' },
] as unknown as Catalog['datasets']

const at = new Date('2026-07-20T03:00:00Z')
const span = quarterSpan({ kind: 'quarter', year: 2026, index: 2 })
const request = (over: Partial<SharingRequest>): SharingRequest =>
  ({ ...REQUEST_DEFAULTS, id: 'r', dataset: 'a_full', requester: 'x', agency: 'SO_B', system_id: '', views: [], members: [], purpose: 'p', legal_basis: 'l', starts_on: '2026-04-01', ends_on: '2026-12-31', status: 'pending', granted_views: [], granted_members: [], decided_by: '', decision_note: '', created_at: '2026-05-01 02:00:00.000', updated_at: '', ...over }) as SharingRequest
const ownerSays = (at: string) => [{ side: 'owner' as const, approve: true, by: 'o', at, note: '', letter: 'l' }]

const facts: RankingFacts = {
  quality: [
    { agency: 'SO_A', completeness: 100, validity: 90, consistency: null, accuracy: 80, timeliness: 50, obligations: 4 },
    { agency: 'SO_B', completeness: 100, validity: 100, consistency: 100, accuracy: 100, timeliness: 100, obligations: 2 },
  ],
  registers: [{ agency: 'SO_A', on_time: 1, due: 2 }, { agency: 'SO_B', on_time: 3, due: 3 }],
  requests: [
    // Answered by the owner in 3 days, in 12 days, not at all after 49 days; one sent in the next quarter.
    request({ id: 'r1', created_at: '2026-05-01 02:00:00.000', decisions: ownerSays('2026-05-04 02:00:00.000'), status: 'refused' }),
    request({ id: 'r2', created_at: '2026-05-01 02:00:00.000', decisions: ownerSays('2026-05-13 02:00:00.000'), status: 'refused' }),
    request({ id: 'r3', created_at: '2026-06-01 02:00:00.000' }),
    request({ id: 'r4', created_at: '2026-07-18 02:00:00.000' }),
    // Withdrawn: not the owner's to answer.
    request({ id: 'r5', status: 'withdrawn' }),
    // Sent on the quarter's last evening (June 30th, 20:00 in Vietnam): the quarter's, and due by July 20th.
    request({ id: 'r6', created_at: '2026-06-30 13:00:00.000' }),
    // SO_B holds grants on SO_A's datasets in force in the quarter, one used and one not.
    request({ id: 'g1', dataset: 'a_full', agency: 'SO_B', status: 'approved', created_at: '2026-01-05 02:00:00.000', decisions: ownerSays('2026-01-06 02:00:00.000') }),
    request({ id: 'g2', dataset: 'a_bare', agency: 'SO_B', status: 'ended', created_at: '2026-01-05 02:00:00.000', decisions: ownerSays('2026-01-06 02:00:00.000') }),
    // A grant that ended before the quarter does not count.
    request({ id: 'g3', dataset: 'b_one', agency: 'SO_C', status: 'ended', ends_on: '2026-03-31', created_at: '2026-01-05 02:00:00.000', decisions: ownerSays('2026-01-06 02:00:00.000') }),
  ],
  uses: [{ grantee: 'SO_B', dataset: 'a_full' }, { grantee: 'SO_C', dataset: 'b_one' }],
  reports: [
    { agency: 'SO_B', status: 'answered', created_at: '2026-05-02 02:00:00.000' },
    { agency: 'SO_B', status: 'open', created_at: '2026-05-02 02:00:00.000' },
    { agency: 'SO_B', status: 'open', created_at: '2026-07-15 02:00:00.000' },
    // The next quarter's.
    { agency: 'SO_C', status: 'open', created_at: '2026-07-15 02:00:00.000' },
  ],
  required: [
    { agency: 'SO_A', state: 'connected' },
    { agency: 'SO_A', state: 'manual' },
    { agency: 'SO_C', state: 'not_connected' },
  ],
  selves: [{ agency: 'SO_A', criterion: 'quality', score: 95, note: 'Đã rà soát' }, { agency: 'SO_A', criterion: 'sharing', score: 85, note: '' }],
}

describe('the ranking of agencies (Lào Cai Điều 25)', () => {
  const ranked = scoreAgencies(facts, { agencies, datasets }, span, at)
  const of = (agency: string) => Object.fromEntries(ranked.find((r) => r.agency === agency)!.criteria.map((c) => [c.criterion, [c.score, c.done, c.of]]))

  it('scores each criterion from its source, as done of due', () => {
    expect(of('SO_A')).toEqual({
      quality: [90, null, null],
      timeliness: [50, 2, 4],
      registers: [50, 1, 2],
      // r1 in 3 days; r2 in 12 (late); r3 and r6 unanswered past 10 days; r4 is next quarter's; r5 withdrawn.
      sharing: [25, 1, 4],
      systems: [50, 1, 2],
      use: [null, null, null],
      error_reports: [null, null, null],
    })
    expect(of('SO_B')).toMatchObject({ registers: [100, 3, 3], use: [50, 1, 2], error_reports: [50, 1, 2], sharing: [null, null, null] })
    // SO_C's grant ended before the quarter; its one report is the next quarter's; its system is not connected.
    expect(of('SO_C')).toEqual({ quality: [null, null, null], timeliness: [null, null, null], registers: [null, null, null], sharing: [null, null, null], systems: [0, 0, 1], use: [null, null, null], error_reports: [null, null, null] })
  })

  it('ranks on the mean of the criteria that apply, with the self-assessment beside', () => {
    expect(ranked.map((r) => [r.agency, r.composite, r.rank, r.self_composite])).toEqual([
      ['SO_B', 80, 1, null],
      ['SO_A', 53, 2, 90],
      ['SO_C', 0, 3, null],
    ])
    expect(ranked.find((r) => r.agency === 'SO_A')!.criteria.find((c) => c.criterion === 'quality')).toMatchObject({ self_score: 95, self_note: 'Đã rà soát' })
    // An agency with nothing to assess is not ranked.
    expect(ranked.map((r) => r.agency)).not.toContain('SO_D')
  })

  it('ties share a rank', () => {
    const same = scoreAgencies({ ...facts, requests: [], registers: [], reports: [], selves: [], required: [], quality: [facts.quality[1]!, { ...facts.quality[1]!, agency: 'SO_C' }] }, { agencies, datasets: [] }, span, at)
    expect(same.map((r) => [r.agency, r.rank])).toEqual([['SO_B', 1], ['SO_C', 1]])
  })
})
