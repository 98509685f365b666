import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, type Catalog } from '../../infra/catalog/load-catalog.ts'
import { datasetSchema } from '../../infra/catalog/schema.ts'
import { openSyncedWarehouse, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import type { SecurityContext } from '../../infra/access/caller.ts'
import { compileSemanticModel, type SemanticModel } from '../cube/compile-model.ts'
import { validateQuery } from '../cube/cube-query.ts'
import { applyPolicy, catalogueSharing, isProvenance, viewPolicies, type SharingRules } from '../policy/view-policy.ts'
import { GrantRegistry, REQUEST_DEFAULTS, scopeOf, writeRequest } from './grants.ts'
import { requiredStates, type RegisteredSystem } from './system-register.ts'
import type { RequiredSystem } from '../../infra/catalog/schema.ts'
import type { ViewGrant } from '../policy/view-policy.ts'

let model: SemanticModel
let catalog: Catalog
beforeAll(async () => {
  model = await compileSemanticModel()
  catalog = loadCatalog()
})

const officer = (agency: string): SecurityContext => ({ account: `t.${agency}`, role: 'agency_officer', agency, communeCode: '', personalData: false, purpose: '' })
const PUBLIC: SecurityContext = { account: 'public', role: 'public', agency: '', communeCode: '', personalData: false, purpose: '' }

/** Whether the query is answered (true) or refused (the reason). */
function decide(rules: SharingRules, who: SecurityContext, query: Record<string, unknown>): true | string {
  try {
    applyPolicy(model, validateQuery(model, query), who, rules)
    return true
  } catch (err) {
    return (err as Error).message
  }
}

/** The catalogue with doanh_nghiep's sharing scope changed, as a steward would change the YAML. */
const withScope = (scope: 'noi_bo' | 'dung_chung' | 'mo', consumers: string[]) =>
  catalogueSharing({
    datasets: catalog.datasets,
    dataset: (id) => {
      const d = catalog.dataset(id)
      return d && id === 'doanh_nghiep' ? { ...d, sharing: { ...d.sharing, scope, consumers } } : d
    },
  })

const firms = { measures: ['enterprises.count'] }

describe('sharing scope from the catalogue', () => {
  it('dung_chung: the owner and the named consumers see the dataset, nobody else', () => {
    const rules = withScope('dung_chung', ['SO_CT'])
    expect(decide(rules, officer('SO_TC'), firms)).toBe(true)
    expect(decide(rules, officer('SO_CT'), firms)).toBe(true)
    expect(decide(rules, officer('SO_YT'), firms)).toContain('Agency SO_YT may not see "enterprises"; request "doanh_nghiep" from its owner agency')
    expect(decide(rules, PUBLIC, firms)).toContain('not open data')
  })

  it('noi_bo: the owner alone', () => {
    const rules = withScope('noi_bo', [])
    expect(decide(rules, officer('SO_TC'), firms)).toBe(true)
    expect(decide(rules, officer('SO_CT'), firms)).not.toBe(true)
  })

  it('refuses an internal dataset that names consumers when the catalogue is read', () => {
    const d = catalog.datasets.find((x) => x.id === 'doanh_nghiep')!
    const parsed = datasetSchema.safeParse({ ...d, sharing: { ...d.sharing, scope: 'noi_bo' } })
    expect(parsed.success).toBe(false)
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['sharing', 'consumers'], message: expect.stringContaining('an internal (noi_bo) dataset names no consumers') })
  })

  it('mo: everyone, the public included', () => {
    const rules = withScope('mo', [])
    expect(decide(rules, PUBLIC, firms)).toBe(true)
    expect(decide(rules, officer('SO_YT'), firms)).toBe(true)
  })

  it('a registered system reaches the views it was given within the scope of its agency and open views, nothing else', () => {
    const rules = catalogueSharing(catalog)
    // The statistics office is a named consumer of the enterprise register: its system reads it.
    const stats: SecurityContext = { ...officer('TK_TINH'), account: 'sys:thongke', role: 'system', views: ['enterprises'] }
    expect(decide(rules, stats, firms)).toBe(true)
    expect(decide(rules, stats, { measures: ['kt_xh.value'] })).toBe(true)
    expect(decide(rules, stats, { measures: ['citizens.count'] })).toContain('System sys:thongke was not given "citizens"')
    expect(decide(rules, stats, { measures: ['submissions.count'] })).not.toBe(true)
    // The health department is not: a view registered for its system outside that scope opens nothing
    // (a steward alone cannot give it; a request both the owner and the operator sign can).
    const health: SecurityContext = { ...officer('SO_YT'), account: 'sys:his', role: 'system', views: ['enterprises'] }
    expect(decide(rules, health, firms)).toContain('System sys:his was not given "enterprises"')
    const granted = catalogueSharing(catalog, (who, v) => (who === 'sys:his' && v === 'enterprises' ? { members: ['enterprises.count'], level: 'use' } : null))
    expect(decide(granted, health, firms)).toBe(true)
    expect(decide(granted, health, { measures: ['enterprises.count'], dimensions: ['enterprises.commune_code'] })).toContain('does not include enterprises.commune_code')
  })

  it('a view-only grant answers on kho but not a download or the SQL API', () => {
    const viewOnly = catalogueSharing(catalog, (who, v) => (who === 'SO_YT' && v === 'enterprises' ? { members: null, level: 'view' } : null))
    expect(decide(viewOnly, officer('SO_YT'), firms)).toBe(true)
    expect(decide(viewOnly, { ...officer('SO_YT'), takesAway: true }, firms)).toContain('view-only')
    const use = catalogueSharing(catalog, (who, v) => (who === 'SO_YT' && v === 'enterprises' ? { members: null, level: 'use' } : null))
    expect(decide(use, { ...officer('SO_YT'), takesAway: true }, firms)).toBe(true)
  })
})

describe('grants', () => {
  let wh: TempWarehouse
  let day = '2026-11-30'
  let registry: GrantRegistry
  beforeAll(async () => {
    wh = await openSyncedWarehouse()
    registry = new GrantRegistry(wh, viewPolicies(catalog), () => day)
    const base = { ...REQUEST_DEFAULTS, decisions: [], dataset: 'doanh_nghiep', requester: 'canbo.soyt', agency: 'SO_YT', views: [], members: [], purpose: 'Theo dõi doanh nghiệp y tế', legal_basis: 'QĐ 53', decided_by: 'canbo.sotc', decision_note: '' }
    await writeRequest(wh, { ...base, id: 'YC-1', starts_on: '2026-12-01', ends_on: '2026-12-31', status: 'approved', granted_views: ['enterprises'], granted_members: ['enterprises.count'] })
    await writeRequest(wh, { ...base, id: 'YC-2', agency: 'SO_GDDT', starts_on: '2026-01-01', ends_on: '2027-12-31', status: 'suspended', granted_views: [], granted_members: [] })
    await registry.refresh()
  })
  afterAll(() => wh.dispose())

  it('opens access on its start date and closes it after its end date', () => {
    const rules = catalogueSharing(catalog, registry.grant)
    const on = (d: string) => {
      day = d
      return decide(rules, officer('SO_YT'), firms)
    }
    expect(on('2026-11-30')).not.toBe(true)
    expect(on('2026-12-01')).toBe(true)
    expect(on('2026-12-31')).toBe(true)
    expect(on('2027-01-01')).not.toBe(true)
  })

  it('opens only the members it names', () => {
    day = '2026-12-15'
    const rules = catalogueSharing(catalog, registry.grant)
    expect(decide(rules, officer('SO_YT'), { measures: ['enterprises.count'], dimensions: ['enterprises.commune_code'] })).toContain('does not include enterprises.commune_code')
  })

  it('a suspended grant opens nothing', () => {
    day = '2026-12-15'
    expect(decide(catalogueSharing(catalog, registry.grant), officer('SO_GDDT'), firms)).not.toBe(true)
  })
})

describe('what a grant opens', () => {
  /** The catalogue's rules with one grant to `agency`: the scope that naming `views` and `members` of dan_cu gives. */
  const granting = (agency: string, views: string[], members: string[]) => {
    const base = catalogueSharing(catalog)
    const scope = scopeOf(views, members, base.viewsOf('dan_cu'))
    return catalogueSharing(catalog, (a, v): ViewGrant | null => (a === agency ? (scope.get(v) ?? null) : null))
  }

  it('opens only the views and members it names: a member grant leaves the other views closed and the rest of its view as it was', () => {
    // The second probe: views [], members ["population.people"] opened citizens whole.
    const rules = granting('SO_TC', [], ['population.people'])
    const byGender = { measures: ['citizens.count'], dimensions: ['citizens.gender', 'citizens.id_kind'] }
    expect(decide(catalogueSharing(catalog), officer('SO_TC'), byGender)).toContain('may not see "citizens"')
    expect(decide(rules, officer('SO_TC'), byGender)).toContain('may not see "citizens"')
    // Its public view of population by age, gender and commune stays (a grant only adds).
    const asPublic = { measures: ['population.people'], dimensions: ['population.age_band', 'population.gender', 'population.commune_code'] }
    expect(decide(catalogueSharing(catalog), officer('SO_TC'), asPublic)).toBe(true)
    expect(decide(rules, officer('SO_TC'), asPublic)).toBe(true)
    // Nothing named, nothing granted.
    expect(decide(granting('SO_TC', [], []), officer('SO_TC'), byGender)).toContain('may not see "citizens"')
    expect(decide(granting('SO_TC', ['citizens'], []), officer('SO_TC'), byGender)).toBe(true)
  })

  it('for random grants and queries: access with a grant contains access without it, and goes no further than the grant', () => {
    const views = catalogueSharing(catalog).viewsOf('dan_cu')
    const members = views.flatMap((v) => {
      const m = model.meta.find((x) => x.name === v)!
      return [...m.measures, ...m.dimensions].map((x) => x.name).filter((n) => !(model.members.get(n)?.meta as { meta?: { personal?: boolean } } | undefined)?.meta?.personal)
    })
    const measures = members.filter((m) => model.meta.some((v) => v.measures.some((x) => x.name === m)))
    const dimensions = members.filter((m) => !measures.includes(m))
    expect(views.length).toBeGreaterThan(1)
    fc.assert(
      fc.property(
        fc.subarray(views),
        fc.subarray(members, { maxLength: 4 }),
        fc.constantFrom('SO_TC', 'SO_YT', 'CA_TINH'),
        fc.subarray(measures, { minLength: 1, maxLength: 2 }),
        fc.subarray(dimensions, { maxLength: 3 }),
        (gv, gm, agency, qm, qd) => {
          const query = { measures: qm, dimensions: qd }
          const without = decide(catalogueSharing(catalog), officer(agency), query)
          const withGrant = decide(granting(agency, gv, gm), officer(agency), query)
          if (without === true) expect(withGrant).toBe(true)
          if (withGrant === true && without !== true) {
            // Each view the query touches was open to the agency anyway, or the grant names what it asks of it.
            const scope = scopeOf(gv, gm, views)
            for (const v of new Set([...qm, ...qd].map((m) => m.split('.')[0]!))) {
              const part = { measures: qm.filter((m) => m.startsWith(`${v}.`)), dimensions: qd.filter((m) => m.startsWith(`${v}.`)) }
              if (decide(catalogueSharing(catalog), officer(agency), part) === true) continue
              const g = scope.get(v)
              expect(g, v).toBeDefined()
              // Where a granted row came from (its delivery, its file row) goes with what the grant names.
              for (const m of [...part.measures, ...part.dimensions]) if (g!.members && !isProvenance(model, m)) expect(g!.members).toContain(m)
            }
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('the state of a system that must connect (Lào Cai Điều 8.2)', () => {
  const now = new Date('2026-11-25T03:00:00Z')
  const entry = (over: Partial<RegisteredSystem>): RegisteredSystem => ({ id: 'x', name: 'x', agency: 'CA_TINH', direction: 'supplies', channel: 'push', datasets: ['dan_cu'], last_success: null, active: true, ...over })
  const req = (over: Partial<RequiredSystem> = {}): RequiredSystem => ({ id: 'csdl_dan_cu', name: 'CSDL dân cư', group: 'quoc_gia', agency: 'CA_TINH', direction: 'supplies', datasets: ['dan_cu'], basis: '', ...over })
  const state = (r: RequiredSystem, register: RegisteredSystem[], delivered: Record<string, string> = {}, today = '2026-11-25') =>
    requiredStates([r], register, new Map(Object.entries(delivered)), now, today)[0]!

  it('is connected by an exchange in the last 90 days, registered by a channel without one, manual by files alone', () => {
    expect(state(req(), [entry({ last_success: '2026-11-01 02:00:00.000' })])).toMatchObject({ state: 'connected', served_by: ['x'], last_success: '2026-11-01 02:00:00.000' })
    expect(state(req(), [entry({ last_success: '2026-06-01 02:00:00.000' })]).state).toBe('registered')
    expect(state(req(), [entry({ active: false, last_success: '2026-11-01 02:00:00.000' })]).state).toBe('not_connected')
    expect(state(req(), [], { dan_cu: '2026-11-20 01:00:00.000' }).state).toBe('manual')
    expect(state(req(), [], { dan_cu: '2026-01-20 01:00:00.000' }).state).toBe('not_connected')
  })

  it('is as far as its least connected dataset, and overdue only when not connected past its day', () => {
    const two = req({ datasets: ['dan_cu', 'bhxh_tham_gia'], due_on: '2026-10-31' })
    expect(state(two, [entry({ last_success: '2026-11-01 02:00:00.000' })])).toMatchObject({ state: 'not_connected', overdue: true })
    expect(state(two, [entry({ datasets: ['dan_cu', 'bhxh_tham_gia'], last_success: '2026-11-01 02:00:00.000' })])).toMatchObject({ state: 'connected', overdue: false })
    expect(state(req({ due_on: '2026-12-31' }), []).overdue).toBe(false)
  })

  it('a consuming system counts only when its own agency registered it', () => {
    const reader = req({ id: 'bao_cao', direction: 'consumes', agency: 'TK_TINH', datasets: [] })
    expect(state(reader, [entry({ direction: 'consumes', agency: 'SO_YT', last_success: '2026-11-01 02:00:00.000' })]).state).toBe('not_connected')
    expect(state(reader, [entry({ direction: 'consumes', agency: 'TK_TINH', last_success: '2026-11-01 02:00:00.000' })]).state).toBe('connected')
  })
})
