import fs from 'node:fs'
import path from 'node:path'
import cube from '@cubejs-client/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import * as clock from '../../infra/time/clock.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

// The real service with a few KT-XH reports, queried through Cube's own JavaScript client.
const home = tempDir('kho-cube-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }
let service: RunningService
let api: ReturnType<typeof cube>

async function deliver(name: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri,ke_hoach', ...lines].join('\n'))
  const r = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file, dataset: 'chi_tieu_kt_xh', agency, channel: 'file' })
  expect(r.status).toBe('committed')
}

beforeAll(async () => {
  service = await startService(loadConfig(env))
  await service.demoDone
  await deliver('ct.csv', 'SO_CT', ['EXPORT_VAL,2026-01,24,100.5,110', 'EXPORT_VAL,2026-02,24,200,210', 'EXPORT_VAL,2026-04,24,400,410', 'IMPORT_VAL,2026-01,24,50,55', 'EXPORT_VAL,2025-01,24,80,'])
  await deliver('tc.csv', 'SO_TC', [
    'ENT_NEW,2026-01,07210,3,', 'ENT_NEW,2026-01,07228,4,', 'ENT_NEW,2026-02,07210,5,',
    // A stock: each commune's latest month in the quarter counts, added over communes.
    'ENT_ACTIVE,2026-01,07210,10,', 'ENT_ACTIVE,2026-02,07210,12,', 'ENT_ACTIVE,2026-01,07228,5,', 'ENT_ACTIVE,2026-03,07228,6,',
  ])
  // A ratio with its components: the province's rate is recomputed, not the average of 2% and 5%.
  await deliver('nnmt.csv', 'SO_NNMT', [
    'POVERTY_RATE,2025,07210,2,1.8', 'poor_households,2025,07210,20,', 'total_households,2025,07210,1000,',
    'POVERTY_RATE,2025,07228,5,4.5', 'poor_households,2025,07228,5,', 'total_households,2025,07228,100,',
  ])
  const { run } = await service.ctx.transforms.run()
  expect(run.results.filter((r) => r.status !== 'success')).toEqual([])
  // An API client with a Cube-style token signed with the service's secret, as analysts' tools use.
  api = cube(signJwt({ role: 'analyst', sub: 'test-analyst' }, service.ctx.secret), { apiUrl: `${service.url}/cubejs-api/v1` })
})
afterAll(() => service.stop())

const hand = async (sql: string) => Number((await queryRows<{ v: number }>(service.ctx.wh.client, sql))[0]!.v)

describe('KT-XH measures aggregate by each indicator\'s rule', () => {
  const quarter = (code: string, measures: string[], range: [string, string] = ['2026-01-01', '2026-06-30']) =>
    api.load({
      measures: measures.map((m) => `kt_xh.${m}`),
      timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'quarter', dateRange: range }],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }],
    })

  it('adds flows, compares with the same period last year, and accumulates the year to date', async () => {
    const rows = (await quarter('EXPORT_VAL', ['value', 'plan', 'plan_pct', 'prior_year', 'growth_pct', 'ytd'])).tablePivot()
    const q1 = await hand("SELECT sum(value) AS v FROM marts.fct_indicator_value WHERE indicator_code = 'EXPORT_VAL' AND period IN ('2026-01', '2026-02', '2026-03')")
    const q1LastYear = await hand("SELECT sum(value) AS v FROM marts.fct_indicator_value WHERE indicator_code = 'EXPORT_VAL' AND period IN ('2025-01', '2025-02', '2025-03')")
    const ytdJune = await hand("SELECT sum(value) AS v FROM marts.fct_indicator_value WHERE indicator_code = 'EXPORT_VAL' AND year = 2026 AND period <= '2026-06'")
    expect(rows[0]).toMatchObject({ 'kt_xh.value': q1, 'kt_xh.prior_year': q1LastYear, 'kt_xh.plan': 320, 'kt_xh.ytd': q1 })
    expect(rows[0]!['kt_xh.growth_pct']).toBeCloseTo((q1 / q1LastYear - 1) * 100, 9)
    expect(rows[0]!['kt_xh.plan_pct']).toBeCloseTo((q1 / 320) * 100, 9)
    expect(rows[1]).toMatchObject({ 'kt_xh.value': 400, 'kt_xh.ytd': ytdJune })
    expect([q1, q1LastYear, ytdJune]).toEqual([300.5, 80, 700.5])
  })

  it("takes a stock's latest value in the period for each commune, added over communes", async () => {
    const rows = (await quarter('ENT_ACTIVE', ['value', 'ytd'], ['2026-01-01', '2026-03-31'])).tablePivot()
    const expected = await hand(`SELECT sum(last) AS v FROM (SELECT unit_code, argMax(value, period_start) AS last FROM marts.fct_indicator_value
      WHERE indicator_code = 'ENT_ACTIVE' AND period_start BETWEEN '2026-01-01' AND '2026-03-31' GROUP BY unit_code)`)
    expect(expected).toBe(18)
    expect(rows).toEqual([expect.objectContaining({ 'kt_xh.value': expected, 'kt_xh.ytd': expected })])
  })

  it('recomputes a ratio from its numerator and denominator at the province level', async () => {
    const rs = await api.load({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['POVERTY_RATE'] }] })
    const expected = await hand(`SELECT sumIf(value, indicator_code = 'poor_households') / sumIf(value, indicator_code = 'total_households') * 100 AS v
      FROM marts.fct_indicator_value WHERE period = '2025'`)
    expect(rs.tablePivot()[0]!['kt_xh.value']).toBeCloseTo(expected, 9)
    expect(expected).toBeCloseTo(2.2727, 3)
    const byCommune = await api.load({ measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['POVERTY_RATE'] }], order: { 'kt_xh.unit_code': 'asc' } })
    expect(byCommune.tablePivot().map((r) => r['kt_xh.value'])).toEqual([2, 5])
  })

  it("keeps a ratio's plan per unit: no plan is made up by adding communes' target rates", async () => {
    const measures = ['kt_xh.plan', 'kt_xh.plan_pct', 'kt_xh.ytd_plan', 'kt_xh.ytd_plan_pct']
    const filters = [{ member: 'kt_xh.indicator_code', operator: 'equals' as const, values: ['POVERTY_RATE'] }]
    const province = (await api.load({ measures, filters })).rawData()[0]!
    expect(measures.map((m) => province[m])).toEqual([null, null, null, null])
    const byCommune = (await api.load({ measures, dimensions: ['kt_xh.unit_code'], filters, order: { 'kt_xh.unit_code': 'asc' } })).rawData()
    expect(byCommune.map((r) => [r['kt_xh.plan'], r['kt_xh.ytd_plan']])).toEqual([
      [1.8, 1.8],
      [4.5, 4.5],
    ])
    expect(Number(byCommune[0]!['kt_xh.ytd_plan_pct'])).toBeCloseTo((2 / 1.8) * 100, 9)
  })

  it('compares date ranges (this quarter against the same quarter last year)', async () => {
    const rs = await api.load({
      measures: ['kt_xh.value'],
      timeDimensions: [{ dimension: 'kt_xh.period_start', compareDateRange: [['2026-01-01', '2026-03-31'], ['2025-01-01', '2025-03-31']] }],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }],
    })
    expect(rs.decompose().map((r) => r.rawData()[0]!['kt_xh.value'])).toEqual([300.5, 80])
  })

  it('refuses to mix indicators in one number', async () => {
    const rs = await api.load({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL', 'IMPORT_VAL'] }] })
    expect(rs.rawData()[0]!['kt_xh.value']).toBeNull()
  })
})

describe('Cube-compatible API through @cubejs-client/core', () => {
  it("answers in Cube's compact and columnar formats, which Cube's client reads back", async () => {
    const query = { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month' as const, dateRange: ['2026-01-01', '2026-06-30'] as [string, string] }], order: { 'kt_xh.period_start': 'asc' as const, 'kt_xh.indicator_code': 'asc' as const } }
    const rows = (await api.load(query)).rawData()
    expect(rows.length).toBeGreaterThan(2)
    expect((await api.load(query, {}, undefined, 'compact')).rawData()).toEqual(rows)
    expect((await api.load(query, {}, undefined, 'columnar')).rawData()).toEqual(rows)
    const raw = async (responseFormat: string) => {
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: signJwt({ role: 'analyst', sub: 'test-analyst' }, service.ctx.secret) }, body: JSON.stringify({ query: { ...query, responseFormat } }) })
      return (await res.json()) as { data: { members: string[]; dataset?: unknown[][]; columns?: unknown[][] }; query: { responseFormat: string } }
    }
    const compact = await raw('compact')
    expect(compact.query.responseFormat).toBe('compact')
    expect(compact.data.dataset).toEqual(rows.map((r) => compact.data.members.map((m) => r[m])))
    const columnar = await raw('columnar')
    expect(columnar.data.columns).toEqual(columnar.data.members.map((m) => rows.map((r) => r[m])))
  })

  it("reads relative date ranges as Cube does, and Vietnamese ones; refuses others with the forms it takes", async () => {
    const byRange = async (dateRange: string | [string, string]) =>
      (await api.load({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] })).rawData()
    expect(await byRange('from 2026-01-01 to 2026-06-30')).toEqual(await byRange(['2026-01-01', '2026-06-30']))
    expect((await byRange('from 2026-01-01 to 2026-06-30'))[0]!['kt_xh.value']).toBe(700.5)
    expect(await byRange('2026-02-01')).toEqual([{ 'kt_xh.value': 200 }])
    const year = clock.today().slice(0, 4)
    expect(await byRange('năm nay')).toEqual(await byRange([`${year}-01-01`, `${year}-12-31`]))
    expect(await byRange('last 12 months')).toBeInstanceOf(Array)
    const res = await fetch(`${service.url}/cubejs-api/v1/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: signJwt({ role: 'analyst', sub: 'test-analyst' }, service.ctx.secret) },
      body: JSON.stringify({ query: { measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: 'next decade' }] } }),
    })
    expect(res.status).toBe(400)
    // Cube's error shape under /cubejs-api: { error, message_en, code }.
    const body = (await res.json()) as { error: string; message_en: string }
    expect(body.error).toMatch(/next decade.*hôm nay.*gần đây.*từ đầu/)
    expect(body.message_en).toMatch(/next decade.*last\/next N days.*from <date> to <date>/)
  })

  it('lists the public views with Vietnamese titles in /meta', async () => {
    const meta = await api.meta()
    const names = meta.cubes.map((c) => c.name).sort()
    expect(names).toEqual(['agency_ranking', 'bhxh_tham_gia', 'citizens', 'data_quality', 'enterprises', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
    const ktxh = meta.cubes.find((c) => c.name === 'kt_xh')!
    expect(ktxh.title).toBe('Chỉ tiêu kinh tế - xã hội')
    expect(ktxh.measures.map((m) => m.name)).toContain('kt_xh.value')
  })

  it('answers a query by quarter with the numbers hand-written SQL gives', async () => {
    const rs = await api.load({
      measures: ['kt_xh.value', 'kt_xh.plan'],
      dimensions: ['kt_xh.indicator_code'],
      timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'quarter', dateRange: ['2026-01-01', '2026-06-30'] }],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }],
    })
    const rows = rs.tablePivot().map((r) => [r['kt_xh.period_start.quarter'], Number(r['kt_xh.value']), Number(r['kt_xh.plan'])])
    const expected = await queryRows<{ q: string; v: number; p: number }>(
      service.ctx.wh.client,
      `SELECT toString(toStartOfQuarter(period_start)) AS q, sum(value) AS v, sum(plan) AS p FROM marts.fct_indicator_value
       WHERE indicator_code = 'EXPORT_VAL' AND year = 2026 GROUP BY q ORDER BY q`,
    )
    expect(rows).toEqual(expected.map((e) => [`${e.q}T00:00:00.000`, e.v, e.p]))
    expect(rows).toEqual([['2026-01-01T00:00:00.000', 300.5, 320], ['2026-04-01T00:00:00.000', 400, 410]])
  })

  it('joins names and filters with and/or, order, limit and total', async () => {
    const rs = await api.load({
      measures: ['kt_xh.value'],
      dimensions: ['kt_xh.admin_units_name'],
      filters: [{ and: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { or: [{ member: 'kt_xh.unit_code', operator: 'startsWith', values: ['072'] }, { member: 'kt_xh.unit_code', operator: 'equals', values: ['24'] }] }] }],
      order: { 'kt_xh.value': 'desc' },
      limit: 1,
      total: true,
    })
    expect(rs.tablePivot()).toEqual([{ 'kt_xh.admin_units_name': 'Phường Bắc Giang', 'kt_xh.value': 8 }])
    expect(rs.totalRows()).toBe(2)
  })

  it('shows which views read which marts in the lineage', async () => {
    const lineage = (await (await fetch(`${service.url}/api/lineage`, { headers: { authorization: signJwt({ role: 'analyst' }, service.ctx.secret) } })).json()) as { cubes: { name: string; models: string[] }[] }
    expect(lineage.cubes.find((c) => c.name === 'kt_xh')!.models).toEqual(['fct_indicator_value', 'dim_indicator', 'dim_admin_unit'])
  })

  it('serves the generated SQL with its parameters in /sql, and /dry-run', async () => {
    const sql = await api.sql({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['CPI'] }] })
    expect(sql.sql()).toMatch(/FROM\s+marts\.fct_indicator_value/)
    expect(sql.rawQuery().sql[1]).toEqual(['CPI'])
    const dry = await api.dryRun({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: 'this year' }] })
    expect(dry.normalizedQueries[0]!.timeDimensions![0]!.dateRange).toHaveLength(2)
  })

  it('answers unknown members, bad operators and malformed queries with 400 and a reason, never 500', async () => {
    const bad = async (query: unknown) => {
      const res = await fetch(`${service.url}/cubejs-api/v1/load?query=${encodeURIComponent(typeof query === 'string' ? query : JSON.stringify(query))}`)
      return { status: res.status, body: (await res.json()) as { error: string } }
    }
    expect(await bad({ measures: ['kt_xh.nope'] })).toMatchObject({ status: 400, body: { error: expect.stringContaining('"kt_xh.nope"') } })
    expect(await bad({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.unit_code', operator: 'like', values: ['x'] }] })).toMatchObject({ status: 400, body: { error: expect.stringContaining('toán tử') } })
    expect(await bad({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.unit_code', operator: 'equals' }] })).toMatchObject({ status: 400 })
    expect(await bad({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.unit_code', granularity: 'month' }] })).toMatchObject({ status: 400 })
    expect(await bad({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: 'next century' }] })).toMatchObject({ status: 400 })
    expect(await bad('{not json')).toMatchObject({ status: 400 })
    expect(await bad({ measures: ['kt_xh.value'], limit: 10_000_000 })).toMatchObject({ status: 400 })
    await expect(api.load({ measures: ['kt_xh.nope'] })).rejects.toThrow(/kt_xh.nope/)
  })

  it('treats SQL in filter values as values', async () => {
    const rs = await api.load({ measures: ['kt_xh.reports'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ["EXPORT_VAL' OR 1=1 --"] }] })
    expect(rs.tablePivot()).toEqual([{ 'kt_xh.reports': 0 }])
    const [still] = await queryRows<{ n: number }>(service.ctx.wh.client, 'SELECT count() AS n FROM marts.fct_indicator_value')
    expect(Number(still!.n)).toBe(18)
  })
})

describe("GraphQL API (Cube's schema shape) over the same gate, policy and audit", () => {
  const gql = async (query: string, auth?: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${service.url}/cubejs-api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const analyst = () => signJwt({ role: 'analyst', sub: 'test-graphql' }, service.ctx.secret)

  it('answers the same numbers as REST for the same query, times as instants', async () => {
    const rest = await api.load({
      measures: ['kt_xh.value', 'kt_xh.plan'],
      timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'quarter', dateRange: ['2026-01-01', '2026-06-30'] }],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }],
      order: { 'kt_xh.period_start': 'asc' },
    })
    const { status, body } = await gql(
      `query Exports($code: String) {
        cube(where: { kt_xh: { indicator_code: { equals: $code }, period_start: { inDateRange: ["2026-01-01", "2026-06-30"] } } }, orderBy: { kt_xh: { period_start: asc } }) {
          kt_xh { value plan period_start { quarter } }
        }
      }`,
      analyst(),
      { code: 'EXPORT_VAL' },
    )
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body.errors).toBeUndefined()
    const fromRest = rest.rawData().map((r) => ({ value: Number(r['kt_xh.value']), plan: Number(r['kt_xh.plan']), quarter: r['kt_xh.period_start.quarter'] }))
    const fromGraphql = body.data.cube.map((r: any) => ({ value: r.kt_xh.value, plan: r.kt_xh.plan, quarter: r.kt_xh.period_start.quarter }))
    // Cube's GraphQL gives instants: the quarter that starts at midnight in Vietnam starts at 17:00 UTC the day before.
    expect(fromGraphql).toEqual(fromRest.map((r) => ({ ...r, quarter: new Date(Date.parse(`${r.quarter}+07:00`)).toISOString() })))
    expect(fromGraphql).toEqual([
      { value: 300.5, plan: 320, quarter: '2025-12-31T17:00:00.000Z' },
      { value: 400, plan: 410, quarter: '2026-03-31T17:00:00.000Z' },
    ])
  })

  it('reads fragments, @skip and or-filters, limit and view-level orderBy', async () => {
    const { body } = await gql(
      `query Communes($skipPlan: Boolean!) {
        cube(limit: 5, where: { OR: [{ kt_xh: { unit_code: { equals: "07210" } } }, { kt_xh: { unit_code: { startsWith: ["0722"] } } }] }) {
          kt_xh(where: { indicator_code: { in: ["ENT_NEW"] } }, orderBy: { unit_code: desc }) { ...fields plan @skip(if: $skipPlan) }
        }
      }
      fragment fields on KtXhMembers { unit_code value }`,
      analyst(),
      { skipPlan: true },
    )
    expect(body.errors).toBeUndefined()
    expect(body.data.cube).toEqual([{ kt_xh: { unit_code: '07228', value: 4 } }, { kt_xh: { unit_code: '07210', value: 8 } }])
  })

  it('lists in introspection only what the caller may query, with Cube type names', async () => {
    const types = async (auth?: string) => ((await gql('{ __schema { types { name } } }', auth)).body.data.__schema.types as { name: string }[]).map((t) => t.name)
    const theirs = await types(analyst())
    expect(theirs).toEqual(expect.arrayContaining(['KtXhMembers', 'KtXhWhereInput', 'KtXhOrderByInput', 'StringFilter', 'FloatFilter', 'DateTimeFilter', 'TimeDimension', 'RootWhereInput']))
    expect(theirs).toContain('EnterprisesMembers')
    const everyone = await types()
    expect(everyone).toContain('KtXhMembers')
    expect(everyone).not.toContain('CitizensMembers')
    expect(everyone).not.toContain('EnterprisesMembers')
  })

  it('refuses what REST refuses, with the same status and reason, and audits every call', async () => {
    const officer = signJwt({ role: 'agency_officer', agency: 'SO_YT', sub: 'graphql.denied' }, service.ctx.secret)
    const rest = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: officer }, body: JSON.stringify({ query: { measures: ['enterprises.count'] } }) })
    expect(rest.status).toBe(403)
    const denied = await gql('{ cube { enterprises { count } } }', officer)
    // The officer's schema has no enterprises view; the refusal is REST's: 403, the policy's reason.
    expect(denied.status).toBe(403)
    expect(denied.body).toEqual(await rest.json())
    const bad = await gql('{ cube { kt_xh { nope } } }', analyst())
    expect(bad.status).toBe(400)
    const badDate = await gql('{ cube(where: { kt_xh: { period_start: { inDateRange: ["next decade"] } } }) { kt_xh { value } } }', analyst())
    expect(badDate.status).toBe(400)
    expect(badDate.body.message_en).toMatch(/Invalid date range "next decade"/)
    const broken = await gql('{ cube { kt_xh { value }', analyst())
    expect(broken.status).toBe(400)
    // Variables of the wrong shape or type, and nesting past the parser's depth: the caller's fault, a 400, never a 500.
    const res = await fetch(`${service.url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: analyst() }, body: JSON.stringify({ query: '{ cube { kt_xh { value } } }', variables: 5 }) })
    expect(res.status).toBe(400)
    const wrongType = await gql('query Q($x: [String]) { cube(where: { kt_xh: { indicator_code: { in: $x } } }) { kt_xh { value } } }', analyst(), { x: [1, { a: 1 }] })
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.message_en).toMatch(/Variable "\$x"/)
    expect((await gql(`{ cube { kt_xh ${'{ a '.repeat(100_000)}${'}'.repeat(100_002)}`, analyst())).status).toBe(400)
    await service.ctx.audit.flush()
    const rows = await queryRows<{ account: string; outcome: string; members: string[] }>(service.ctx.wh.client, "SELECT account, outcome, members FROM meta.audit WHERE endpoint = 'graphql' ORDER BY seq")
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ account: 'test-graphql', outcome: 'ok', members: expect.arrayContaining(['kt_xh.value', 'kt_xh.plan']) }), expect.objectContaining({ account: 'graphql.denied', outcome: 'denied' })]))
  })

  it('refuses a request over its budget before it reaches the engine, while a signed-in user is answered', async () => {
    // The second probe: 3,000 aliased cube queries, anonymously, in one 338 kB request.
    const aliases = Array.from({ length: 3000 }, (_, i) => `a${i}: cube(where: { kt_xh: { indicator_code: { equals: "X${i}" } } }) { kt_xh { value } }`).join('\n')
    const meanwhile = gql('{ cube { kt_xh { value } } }', analyst())
    const flood = await gql(`{ ${aliases} }`)
    expect(flood.status).toBe(400)
    expect(flood.body.message_en).toContain('over its budget')
    expect((await meanwhile).status).toBe(200)
    // Within the public's budget of 3 cube queries, and one past it, signed in or not.
    const some = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: cube { kt_xh { value } }`).join(' ')} }`
    expect((await gql(some(3))).status).toBe(200)
    expect((await gql(some(4))).body.message_en).toBe('The GraphQL request is over its budget: 4 cube queries, at most 3')
    expect((await gql(some(3), analyst())).status).toBe(200)
    expect((await gql(some(26), analyst())).body.message_en).toBe('The GraphQL request is over its budget: 26 cube queries, at most 25')
  })
})

describe("an answer's engine settings", () => {
  it('stay with its own statement: the next statement (a mart build, a load) has no 20 s limit and no extended date results', async () => {
    await api.load({ measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }], renewQuery: true })
    // The embedded engine's connection turns a client's settings into SET on its one session; an
    // answer's limit once stayed there and killed a 20-million-row mart build after 20 s.
    expect(await hand("SELECT toUInt64(getSetting('max_execution_time')) AS v")).toBe(0)
    expect(await hand("SELECT toUInt8(getSetting('enable_extended_results_for_datetime_functions')) AS v")).toBe(0)
  })
})
