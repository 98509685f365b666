import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileSemanticModel, type SemanticModel } from './compile-model.ts'
import { buildSql, buildSqlUncached, planStats, validateQuery } from './cube-query.ts'
import { rollupDefinitions, RollupStore } from './rollups.ts'

let model: SemanticModel
/** Every rollup of the model taken as built (which tables exist does not matter to the SQL). */
const allRollups = new RollupStore('Asia/Ho_Chi_Minh')
beforeAll(async () => {
  model = await compileSemanticModel()
  for (const r of rollupDefinitions(model)) allRollups.ready.add(r.table)
}, 60_000)

// Few values, so shapes repeat with other values and cached plans answer; some values equal each
// other or look like dates, the cases where a parameter's origin is ambiguous.
const TEXTS = ['CPI', 'IIP', 'ENT_NEW', '2026-01', '07210', 'SO_CT', "a'b", '%_', 'Đồng']
const DAYS = ['2024-02-29', '2025-01-01', '2025-06-30', '2025-12-31', '2026-01-01', '2026-03-15T08:30:00.000', '2026-01-01 10:00:00']
const YEARS = ['2024', '2025', '2026']
const text = fc.constantFrom(...TEXTS)
const day = fc.constantFrom(...DAYS)

/** The same query with other values: each value moved along its pool (dates to dates, text to text). */
function twin(raw: unknown): unknown {
  const move = (v: string) => {
    for (const pool of [TEXTS, YEARS, DAYS.slice(0, 5)]) if (pool.includes(v)) return pool[(pool.indexOf(v) + 1) % pool.length]!
    return v
  }
  const walk = (x: unknown, key = ''): unknown => {
    if (Array.isArray(x)) return key === 'values' || key === 'dateRange' ? x.map((v) => move(String(v))) : x.map((y) => walk(y))
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, k)]))
    return x
  }
  return walk(raw)
}
const stringMember = fc.constantFrom('kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.unit_code', 'kt_xh.agency', 'kt_xh.indicators_name')
const memberFilter = fc.oneof(
  fc.record({ member: stringMember, operator: fc.constantFrom('equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith'), values: fc.array(text, { minLength: 1, maxLength: 3 }) }),
  fc.record({ member: fc.constant('kt_xh.year'), operator: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'equals'), values: fc.array(fc.constantFrom(...YEARS), { minLength: 1, maxLength: 2 }) }),
  fc.record({ member: fc.constant('kt_xh.period_start'), operator: fc.constantFrom('beforeDate', 'afterDate', 'beforeOrOnDate', 'afterOrOnDate'), values: fc.tuple(day) }),
  fc.record({ member: fc.constant('kt_xh.period_start'), operator: fc.constantFrom('inDateRange', 'notInDateRange'), values: fc.tuple(day, day) }),
  fc.record({ member: stringMember, operator: fc.constantFrom('set', 'notSet') }),
)
const filter = fc.oneof({ weight: 4, arbitrary: memberFilter }, fc.record({ or: fc.array(memberFilter, { minLength: 1, maxLength: 2 }) }), fc.record({ and: fc.array(memberFilter, { minLength: 1, maxLength: 2 }) }))
const query = fc.record(
  {
    measures: fc.subarray(['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.reports'], { minLength: 1 }),
    dimensions: fc.subarray(['kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.admin_units_name', 'kt_xh.unit_code', 'kt_xh.year']),
    filters: fc.array(filter, { maxLength: 3 }),
    timeDimensions: fc.array(
      fc.record({ dimension: fc.constant('kt_xh.period_start'), granularity: fc.constantFrom('month', 'quarter', 'year'), dateRange: fc.oneof(fc.tuple(day, day), fc.constantFrom('last year', 'this month', 'last 7 days', 'today')) }, { requiredKeys: ['dimension'] }),
      { maxLength: 1 },
    ),
    limit: fc.constantFrom(10, 100),
    timezone: fc.constantFrom('Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh', 'UTC', 'America/New_York'),
  },
  { requiredKeys: ['measures'] },
)

describe('compiled query plans', () => {
  it('answer every query with exactly the SQL and parameters Cube compiles for it', () => {
    const before = { ...planStats }
    let checked = 0
    fc.assert(
      fc.property(query, (raw) => {
        for (const asked of [raw, twin(raw)]) {
          let q
          try {
            q = validateQuery(model, asked)
          } catch {
            continue // a range that starts after it ends, say: refused before any SQL
          }
          // Over the marts, and where a rollup answers (all of them built), in the rollups' zone.
          for (const rollups of [undefined, q.timezone === 'Asia/Ho_Chi_Minh' ? allRollups : undefined]) {
            const planned = buildSql(model, q, 'rows', rollups)
            const fresh = buildSqlUncached(model, q, 'rows', !!rollups)
            expect(planned.sql).toBe(fresh.sql)
            expect(planned.params).toEqual(fresh.params)
            expect(planned.cubeSql[0]).toBe(fresh.cubeSql[0])
            expect(planned.cubeSql[1].map(String)).toEqual(fresh.cubeSql[1].map(String))
            expect(planned.aliasToMember).toEqual(fresh.aliasToMember)
            checked++
          }
        }
      }),
      { numRuns: 400, seed: 20261128 },
    )
    // Most shapes came back with other values, and were answered by their plans.
    expect(checked).toBeGreaterThan(600)
    expect(planStats.hits - before.hits).toBeGreaterThan(150)
  }, 120_000)

  it('keep no plan where a value is ambiguous, and bind each value where it belongs', () => {
    const q = (values: [string, string]) => validateQuery(model, { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [values[0]] }, { member: 'kt_xh.agency', operator: 'equals', values: [values[1]] }] })
    // Equal values cannot say which parameter is whose: compiled, no plan kept.
    const before = { ...planStats }
    buildSql(model, q(['SO_CT', 'SO_CT']))
    buildSql(model, q(['SO_YT', 'SO_YT']))
    expect(planStats.hits - before.hits).toBe(0)
    // Distinct values make the plan; the next query of the shape gets its own values, in place.
    buildSql(model, q(['CPI', 'SO_CT']))
    const bound = buildSql(model, q(['IIP', 'SO_TC']))
    expect(planStats.hits - before.hits).toBe(1)
    expect(bound.params).toEqual(buildSqlUncached(model, q(['IIP', 'SO_TC']), 'rows').params)
    expect(Object.values(bound.params)).toEqual(['IIP', 'SO_TC'])
  })
})

describe('query validation', () => {
  it('orders by a member named like a granularity (kt_xh.year) and by a time dimension at a granularity', () => {
    const q = validateQuery(model, { measures: ['kt_xh.value'], dimensions: ['kt_xh.period', 'kt_xh.year'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'year' }], order: [['kt_xh.year', 'asc'], ['kt_xh.period_start.year', 'desc']] })
    expect(buildSql(model, q, 'rows').sql).toMatch(/ORDER BY `kt_xh__year` ASC, `kt_xh__period_start_year` DESC/)
    expect(() => validateQuery(model, { measures: ['kt_xh.value'], order: [['kt_xh.year', 'asc']] })).toThrow(/not among the query's/)
  })
})
