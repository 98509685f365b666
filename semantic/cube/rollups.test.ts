import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import { buildSql, validateQuery } from './cube-query.ts'
import { rollupDefinitions } from './rollups.ts'

/*
 * Rollups (pre-aggregations) answer the IOC's questions instead of the marts — and answer exactly
 * what the marts answer, for every caller, never past what the caller's policy leaves.
 */
let service: RunningService
const { load } = httpClient(() => service.url)
const token = (ctx: Record<string, unknown>) => signJwt(ctx, service.ctx.secret)

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: tempDir('kho-rollups-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.05', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_API_RATE_PER_MIN: '100000' }),
  )
  await service.demoDone
}, 240_000)
afterAll(() => service?.stop())

const MONTHS = ['2026-10', '2026-09', '2026-01', '2025-12']
const HEADLINE = ['RETAIL_SALES', 'IIP', 'CPI', 'ENT_NEW', 'TTHC_ONTIME', 'POP_RESIDENT']

/** The questions the IOC and the explorer ask, each with the rollup expected to answer it. */
function questions(): { query: Record<string, unknown>; rollup: string | null }[] {
  const out: { query: Record<string, unknown>; rollup: string | null }[] = []
  for (const month of MONTHS) {
    // The overview's tiles (ioc-queries.ts): a year of periods, by month of their start.
    const [y, m] = month.split('-').map(Number)
    const year = [new Date(Date.UTC(y!, m! - 12, 1)).toISOString().slice(0, 10), new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10)]
    out.push({ rollup: 'tiles', query: { measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct', 'kt_xh.growth_pct'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: year }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: HEADLINE }], order: [['kt_xh.period', 'desc']] } })
    // Its ranking and drill-down: an indicator's communes.
    out.push({ rollup: 'by_commune', query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }], order: [['kt_xh.value', 'asc']] } })
    out.push({ rollup: 'by_period', query: { measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.growth_pct', 'kt_xh.ytd_plan_pct'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: HEADLINE }, { member: 'kt_xh.period', operator: 'equals', values: [month] }] } })
    out.push({ rollup: 'by_unit', query: { measures: ['kt_xh.value', 'kt_xh.plan'], dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }], order: { 'kt_xh.value': 'desc', 'kt_xh.unit_code': 'asc' }, limit: 10 } })
    // A commune's own figures, as a commune officer's scope filter pins them.
    out.push({ rollup: 'by_unit', query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.unit_code', operator: 'equals', values: ['07210'] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }], order: { 'kt_xh.indicator_code': 'asc' } } })
  }
  for (const code of HEADLINE) {
    out.push({ rollup: 'by_year', query: { measures: ['kt_xh.value', 'kt_xh.prior_year'], dimensions: ['kt_xh.period', 'kt_xh.year'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.year', operator: 'equals', values: ['2025', '2026'] }], order: { 'kt_xh.period': 'asc' } } })
    out.push({ rollup: 'by_period', query: { measures: ['kt_xh.value', 'kt_xh.ytd'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.period', operator: 'startsWith', values: ['2026'] }], order: { 'kt_xh.period': 'desc' } } })
  }
  out.push({ rollup: 'reports_by_period', query: { measures: ['kt_xh.reports'], dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }], order: [['kt_xh.period', 'desc']], limit: 36 } })
  out.push({ rollup: 'reports_by_period', query: { measures: ['kt_xh.reports'], dimensions: ['kt_xh.period_kind'] } })
  // Grains no rollup holds: the marts answer (a unit without its name is not by_unit's grain).
  out.push({ rollup: null, query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.unit_code'], filters: [{ member: 'kt_xh.unit_code', operator: 'equals', values: ['07210'] }, { member: 'kt_xh.period', operator: 'equals', values: ['2026-10'] }] } })
  out.push({ rollup: null, query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.agency', operator: 'equals', values: ['SO_TC'] }, { member: 'kt_xh.period', operator: 'equals', values: ['2026-10'] }] } })
  out.push({ rollup: null, query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.period', operator: 'equals', values: ['2026-09', '2026-10'] }] } })
  return out
}

const sortedRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort()
/** Each row's values of the members the query orders by. */
function orderKeys(query: Record<string, unknown>, rows: Record<string, unknown>[]) {
  const order = query.order as [string, string][] | Record<string, string> | undefined
  const keys = Array.isArray(order) ? order.map(([k]) => k) : Object.keys(order ?? {})
  return rows.map((r) => keys.map((k) => r[k]))
}

const callers = () => [
  { name: 'leader', auth: token({ role: 'leader', sub: 'lanhdao' }) },
  { name: 'commune officer', auth: token({ role: 'agency_officer', agency: 'UBND_X07210', commune_code: '07210', sub: 'canbo.xa' }) },
  { name: 'agency officer', auth: token({ role: 'agency_officer', agency: 'SO_TC', sub: 'canbo.sotc' }) },
  { name: 'public', auth: undefined },
]

describe('rollups', () => {
  it('are built with the marts, one table per pre-aggregation of the model', () => {
    const tables = rollupDefinitions(service.ctx.model.now.semantic).map((d) => d.table)
    expect(tables.length).toBeGreaterThanOrEqual(4)
    expect([...service.ctx.rollups.ready].sort()).toEqual([...tables].sort())
  })

  it("answer exactly what the marts answer, for every caller, and are read where Cube's rules say", async () => {
    const model = service.ctx.model.now.semantic
    const answeredBefore = service.ctx.rollups.stats.memory
    for (const { query, rollup } of questions()) {
      const sql = buildSql(model, validateQuery(model, query), 'rows', service.ctx.rollups).sql
      expect(sql.includes(rollup ? `rollups.indicator_values_${rollup} ` : 'rollups.'), JSON.stringify(query)).toBe(!!rollup)
      for (const caller of callers()) {
        service.ctx.rollups.enabled = true
        service.ctx.cache.clear()
        const fromRollup = await load(query, caller.auth)
        service.ctx.rollups.enabled = false
        service.ctx.cache.clear()
        const fromMarts = await load(query, caller.auth)
        service.ctx.rollups.enabled = true
        expect(fromRollup.status, `${caller.name}: ${JSON.stringify(fromRollup.body).slice(0, 300)}`).toBe(fromMarts.status)
        // The same rows, in the same order of what the query orders by (rows tied on it come in either order).
        const what = `${caller.name} ${JSON.stringify(query)}`
        expect(sortedRows(fromRollup.body.data), what).toEqual(sortedRows(fromMarts.body.data))
        expect(orderKeys(query, fromRollup.body.data), what).toEqual(orderKeys(query, fromMarts.body.data))
        if (rollup) expect(fromMarts.body.data.length, JSON.stringify(query)).toBeGreaterThan(0)
      }
    }
    // The rollups held in memory answered these callers, scope filters and all.
    expect(service.ctx.rollups.stats.memory - answeredBefore).toBeGreaterThan(questions().filter((q) => q.rollup).length * 3)
  }, 240_000)

  it('held in memory answer exactly what the engine answers from the same rollup, whatever the filters, order and page', async () => {
    const { ctx } = service
    const memory = [...ctx.rollups.memory.keys()].sort()
    // The IOC's rollups are small: every one of them is held.
    expect(memory).toEqual([...ctx.rollups.ready].sort())
    const byUnit = ctx.rollups.memory.get('rollups.indicator_values_by_unit')!
    const names = [...new Set(byUnit.columns.get('admin_units__name')!.filter((v): v is string => typeof v === 'string'))]
    const units = [...new Set(byUnit.columns.get('indicator_values__unit_code')!.filter((v): v is string => typeof v === 'string'))]
    expect(names.length).toBeGreaterThan(5)
    // Text a filter may hold: real codes and names, their pieces in other case, LIKE's wildcards, a
    // Vietnamese name's letters replaced by _ (one character each), quotes.
    const fragment = fc.tuple(fc.constantFrom(...names), fc.nat(), fc.nat()).map(([n, a, b]) => {
      const from = a % n.length
      return n.slice(from, from + 1 + (b % 6))
    })
    const text = fc.oneof(
      fc.constantFrom(...units.slice(0, 8), ...HEADLINE, 'ENT_NEW', '2026-10', '2026', '2025-12', 'month', 'commune', 'xa', 'PHUONG', '%', '_', '0_2', "a'b", '\\%'),
      fragment,
      fragment.map((f) => f.toUpperCase()),
      fragment.map((f) => f.replace(/[^\x00-\x7f]/g, '_')),
    )
    const OPS = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'set', 'notSet'] as const
    const filterOn = (members: string[]) =>
      fc.record({ member: fc.constantFrom(...members), operator: fc.constantFrom(...OPS), values: fc.array(text, { minLength: 1, maxLength: 3 }) }).map((f) =>
        f.operator === 'set' || f.operator === 'notSet' ? { member: f.member, operator: f.operator } : f,
      )
    const extra = (members: string[]) => fc.array(fc.oneof(filterOn(members), fc.array(filterOn(members), { minLength: 2, maxLength: 3 }).map((or) => ({ or }))), { maxLength: 2 })
    const page = fc.record({ limit: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }), offset: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) })
    const order = (members: string[]) => fc.option(fc.array(fc.tuple(fc.constantFrom(...members), fc.constantFrom('asc', 'desc')), { minLength: 1, maxLength: 2 }), { nil: undefined })
    const pinned = (code: string, month: string) => [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }]
    const at = fc.tuple(fc.constantFrom(...HEADLINE, 'POP_RESIDENT', 'EXPORT_VAL'), fc.constantFrom(...MONTHS))
    const unitDims = ['kt_xh.unit_code', 'kt_xh.admin_units_name']
    const query = fc.oneof(
      // A period's units (by_unit), with filters on what it groups by.
      fc.tuple(at, extra(unitDims), order([...unitDims, 'kt_xh.value', 'kt_xh.plan']), page).map(([[code, month], more, o, p]) => ({
        measures: ['kt_xh.value', 'kt_xh.plan'], dimensions: unitDims, filters: [...pinned(code, month), ...more], ...(o ? { order: o } : {}), ...p,
      })),
      // Tiles: a range of months by month of their start (tiles).
      fc.tuple(fc.constantFrom('2025-11-01', '2025-12-15', '2026-01-01', '2026-02-28'), fc.constantFrom('2026-03-31', '2026-10-31', '2026-12-31'), extra(['kt_xh.indicator_code', 'kt_xh.period']), order(['kt_xh.period', 'kt_xh.value', 'kt_xh.indicator_code']), page).map(([from, to, more, o, p]) => ({
        measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.growth_pct'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
        timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: [from, to] }], filters: more, ...(o ? { order: o } : {}), ...p,
      })),
      // An indicator's periods (by_period), or one figure with no dimensions.
      fc.tuple(extra(['kt_xh.indicator_code', 'kt_xh.period']), order(['kt_xh.period', 'kt_xh.ytd']), page).map(([more, o, p]) => ({
        measures: ['kt_xh.value', 'kt_xh.ytd'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'], filters: more, ...(o ? { order: o } : {}), ...p,
      })),
      at.map(([code, month]) => ({ measures: ['kt_xh.value', 'kt_xh.prior_year'], filters: pinned(code, month) })),
      // Two years of an indicator (by_year): a number dimension compared as a number.
      fc.tuple(at, fc.array(fc.record({ member: fc.constant('kt_xh.year'), operator: fc.constantFrom('equals', 'notEquals', 'gt', 'gte', 'lt', 'lte'), values: fc.array(fc.constantFrom('2024', '2025', '2026', '2025.5', '-1'), { minLength: 1, maxLength: 2 }) }), { maxLength: 2 }), order(['kt_xh.period', 'kt_xh.year', 'kt_xh.value']), page).map(([[code], years, o, p]) => ({
        measures: ['kt_xh.value', 'kt_xh.prior_year'], dimensions: ['kt_xh.period', 'kt_xh.year'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, ...years], ...(o ? { order: o } : {}), ...p,
      })),
      // Reports added up over periods (reports_by_period): an additive measure summed in memory.
      fc.tuple(fc.constantFrom([], ['kt_xh.period'], ['kt_xh.period_kind']), extra(['kt_xh.period', 'kt_xh.period_kind']), page).map(([dims, more, p]) => ({ measures: ['kt_xh.reports'], dimensions: dims, filters: more, ...p })),
    )
    const before = { ...ctx.rollups.stats }
    let answered = 0
    let readRollup = 0
    await fc.assert(
      fc.asyncProperty(query, async (raw) => {
        const built = buildSql(ctx.model.now.semantic, validateQuery(ctx.model.now.semantic, raw), 'rows', ctx.rollups)
        const fromMemory = ctx.rollups.answer(built.cubeSql)
        if (built.sql.includes('rollups.')) readRollup++
        if (!fromMemory) return
        answered++
        const fromEngine = await queryRows<Record<string, unknown>>(ctx.wh.client, built.sql, built.params)
        const what = JSON.stringify(raw)
        expect(fromMemory.length, what).toBe(fromEngine.length)
        // Rows tied on the order may come in either order, and a page cut through ties may hold
        // either of them: the order's values are compared always, whole rows when no page cuts.
        const orderAliases = (built.cubeSql[0].match(/ORDER BY (.*?)(?: LIMIT|$)/)?.[1] ?? '').match(/`[^`]+`/g)?.map((a) => a.slice(1, -1)) ?? []
        expect(fromMemory.map((r) => orderAliases.map((a) => r[a])), what).toEqual(fromEngine.map((r) => orderAliases.map((a) => r[a])))
        if (!('limit' in raw && raw.limit) && !('offset' in raw && raw.offset)) expect(sortedRows(fromMemory), what).toEqual(sortedRows(fromEngine))
        expect(fromMemory.map((r) => Object.keys(r)), what).toEqual(fromEngine.map((r) => Object.keys(r)))
      }),
      { numRuns: 400, seed: 2026 },
    )
    console.log(`${answered} of ${readRollup} rollup queries answered in memory`)
    // Cube's rules send most of these to a rollup, and memory answers them all (no float is summed
    // over rows here, no pattern is outside the Latin script).
    expect(readRollup).toBeGreaterThan(300)
    expect(answered).toBe(readRollup)
    expect(ctx.rollups.stats.memory - before.memory).toBe(answered)
  }, 240_000)

  it('are rebuilt after a run only where it rebuilt what they read', async () => {
    const { buildRollups } = await import('./rollups.ts')
    const none = await buildRollups(service.ctx.wh, service.ctx.model.now.semantic, service.ctx.rollups, new Set(['marts.dim_enterprise']))
    expect(none).toEqual([])
    const some = await buildRollups(service.ctx.wh, service.ctx.model.now.semantic, service.ctx.rollups, new Set(['marts.dim_admin_unit']))
    expect(some.map((r) => r.table).sort()).toEqual(['rollups.indicator_values_by_commune', 'rollups.indicator_values_by_unit'])
    expect(some.every((r) => r.rows > 0 && !r.error)).toBe(true)
    // A unit has one level: the by-unit rollup is the by-commune one less a column, not a second pass
    // over the marts (what it answers is checked against the marts above).
    expect(some.find((r) => r.table === 'rollups.indicator_values_by_unit')?.from).toBe('rollups.indicator_values_by_commune')
    const all = await buildRollups(service.ctx.wh, service.ctx.model.now.semantic, service.ctx.rollups)
    expect(all.find((r) => r.table === 'rollups.indicator_values_by_period')?.from).toMatch(/indicator_values_(tiles|by_year)$/)
    // Periods and their kinds are not a finer grain of anything built: read from the marts.
    expect(all.find((r) => r.table === 'rollups.indicator_values_reports_by_period')?.from).toBeUndefined()
  })

  it('follow the marts: a corrected report shows in the rollup after the run it starts', async () => {
    const q = { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }, { member: 'kt_xh.period', operator: 'equals', values: ['2026-10'] }] }
    const leader = token({ role: 'leader', sub: 'lanhdao' })
    const before = (await load(q, leader)).body.data
    const { deliverLines } = await import('../../loaders/testing/deliver-lines.ts')
    const report = await deliverLines(service.ctx, tempDir('kho-rollups-fix-'), 'ct-fix.csv', 'chi_tieu_kt_xh', 'SO_CT', ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', 'EXPORT_VAL,2026-10,24,123456'])
    expect(report.rejects).toEqual([])
    await service.ctx.transforms.run()
    const after = (await load(q, leader)).body.data
    expect(after).not.toEqual(before)
    expect(Number(after[0]['kt_xh.value'])).toBe(123456)
    expect(buildSql(service.ctx.model.now.semantic, validateQuery(service.ctx.model.now.semantic, q), 'rows', service.ctx.rollups).sql).toContain('rollups.indicator_values_by_period')
  }, 120_000)
})
