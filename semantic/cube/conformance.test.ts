import fs from 'node:fs'
import path from 'node:path'
import cube, { type Query } from '@cubejs-client/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { signJwt } from '../../infra/access/tokens.ts'

/*
 * Conformance: every form of Cube's documented query format, sent through Cube's own client
 * (@cubejs-client/core) to the running service, each answer checked against SQL written by hand
 * over the marts — not against SQL kho generates.
 */
const home = tempDir('kho-conformance-')
let service: RunningService
let api: ReturnType<typeof cube>

async function deliver(name: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri,ke_hoach', ...lines].join('\n'))
  const r = await service.ctx.deliver.file({ file, dataset: 'chi_tieu_kt_xh', agency, channel: 'file' })
  expect(r.status, JSON.stringify(r).slice(0, 600)).toBe('committed')
}

beforeAll(async () => {
  service = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }))
  await service.demoDone
  await deliver('ct.csv', 'SO_CT', ['EXPORT_VAL,2025-01,24,80,', 'EXPORT_VAL,2025-02,24,90,', 'EXPORT_VAL,2026-01,24,100.5,110', 'EXPORT_VAL,2026-02,24,200,210', 'EXPORT_VAL,2026-04,24,400,410', 'IMPORT_VAL,2026-01,24,50,55'])
  await deliver('tc.csv', 'SO_TC', ['ENT_NEW,2026-01,07210,3,', 'ENT_NEW,2026-01,07228,4,', 'ENT_NEW,2026-02,07210,5,', 'ENT_NEW,2026-03,07228,7,', 'ENT_NEW,2026-03,07246,1,'])
  const { run } = await service.ctx.transforms.run()
  expect(run.results.filter((r) => r.status !== 'success')).toEqual([])
  api = cube(signJwt({ role: 'analyst', sub: 'conformance' }, service.ctx.secret), { apiUrl: `${service.url}/cubejs-api/v1` })
}, 120_000)
afterAll(() => service?.stop())

const FROM = 'marts.fct_indicator_value AS v LEFT JOIN marts.dim_admin_unit AS a ON v.unit_code = a.code'
/** Rows compared as text, numbers as numbers (the API gives wide integers and decimals as either). */
const normal = (rows: Record<string, unknown>[]) =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]))))
/** Hand-written SQL, outer joins as standard SQL has them (an unmatched row's columns NULL). */
const hand = (sql: string) => queryRows<Record<string, unknown>>(service.ctx.wh.client, `${sql} SETTINGS join_use_nulls = 1`)
const month = (d: string) => `${d}T00:00:00.000`

/** A query through Cube's client and the rows it gives. */
const load = async (query: Query, format?: 'compact') => (format ? await api.load(query, {}, undefined, format) : await api.load(query)).rawData() as Record<string, unknown>[]

async function same(query: Query, sql: string, ordered = false) {
  const got = normal(await load(query))
  const want = normal(await hand(sql))
  expect(want.length, `hand SQL found nothing: ${sql}`).toBeGreaterThan(0)
  const what = `${JSON.stringify(query)}\n${sql}`
  if (ordered) expect(got, what).toEqual(want)
  else expect([...got].sort(), what).toEqual([...want].sort())
}

describe("Cube's query format, through @cubejs-client/core, against hand-written SQL", () => {
  it('measures alone, and by dimensions (a joined view member among them)', async () => {
    await same({ measures: ['kt_xh.reports'] }, `SELECT count() AS \`kt_xh.reports\` FROM ${FROM}`)
    await same(
      { measures: ['kt_xh.reports'], dimensions: ['kt_xh.indicator_code', 'kt_xh.unit_level'] },
      `SELECT v.indicator_code AS \`kt_xh.indicator_code\`, v.unit_level AS \`kt_xh.unit_level\`, count() AS \`kt_xh.reports\` FROM ${FROM} GROUP BY 1, 2`,
    )
    await same(
      { measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }] },
      `SELECT v.unit_code AS \`kt_xh.unit_code\`, a.name AS \`kt_xh.admin_units_name\`, sum(v.value) AS \`kt_xh.value\` FROM ${FROM} WHERE v.indicator_code = 'ENT_NEW' GROUP BY 1, 2`,
    )
  })

  it('order (object and array forms), limit, offset and total', async () => {
    const sql = `SELECT v.unit_code AS \`kt_xh.unit_code\`, count() AS \`kt_xh.reports\` FROM ${FROM} GROUP BY 1 ORDER BY 2 DESC, 1 ASC`
    await same({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], order: { 'kt_xh.reports': 'desc', 'kt_xh.unit_code': 'asc' } }, sql, true)
    await same({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], order: [['kt_xh.reports', 'desc'], ['kt_xh.unit_code', 'asc']] }, sql, true)
    await same({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], order: [['kt_xh.reports', 'desc'], ['kt_xh.unit_code', 'asc']], limit: 2, offset: 1 }, `${sql} LIMIT 2 OFFSET 1`, true)
    const rs = await api.load({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], limit: 1, total: true })
    const [count] = await hand(`SELECT count() AS n FROM (SELECT DISTINCT unit_code FROM marts.fct_indicator_value)`)
    expect((rs as unknown as { loadResponse: { results: { total: number }[] } }).loadResponse.results[0]!.total).toBe(Number(count!.n))
  })

  it('time dimensions: a granularity over two dates, a relative range, a range without granularity, compareDateRange', async () => {
    const byMonth = `SELECT toString(toStartOfMonth(period_start)) AS m, sum(value) AS v FROM marts.fct_indicator_value WHERE indicator_code = 'EXPORT_VAL' AND period_start BETWEEN '2026-01-01' AND '2026-06-30' GROUP BY m ORDER BY m`
    const want = (await hand(byMonth)).map((r) => ({ 'kt_xh.period_start.month': month(String(r.m)), 'kt_xh.period_start': month(String(r.m)), 'kt_xh.value': r.v }))
    for (const dateRange of [['2026-01-01', '2026-06-30'], 'from 2026-01-01 to 2026-06-30'] as const) {
      const got = await load({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: dateRange as never }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }], order: { 'kt_xh.period_start': 'asc' } })
      expect(normal(got)).toEqual(normal(want))
    }
    await same(
      { measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2026-01-01', '2026-03-31'] }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }] },
      `SELECT sum(value) AS \`kt_xh.value\` FROM marts.fct_indicator_value WHERE indicator_code = 'ENT_NEW' AND period_start BETWEEN '2026-01-01' AND '2026-03-31'`,
    )
    const compared = await api.load({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', compareDateRange: [['2026-01-01', '2026-03-31'], ['2025-01-01', '2025-03-31']] }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] })
    const quarters = await hand(`SELECT toYear(period_start) AS y, sum(value) AS v FROM marts.fct_indicator_value WHERE indicator_code = 'EXPORT_VAL' AND toQuarter(period_start) = 1 GROUP BY y ORDER BY y DESC`)
    expect(compared.decompose().map((r) => Number(r.rawData()[0]!['kt_xh.value']))).toEqual(quarters.map((q) => Number(q.v)))
  })

  it('every filter operator on text, numbers and times, and nested and/or', async () => {
    const cases: [Query['filters'], string][] = [
      [[{ member: 'kt_xh.unit_code', operator: 'equals', values: ['07210', '07228'] }], "v.unit_code IN ('07210', '07228')"],
      [[{ member: 'kt_xh.unit_code', operator: 'notEquals', values: ['24'] }], "(v.unit_code != '24' OR v.unit_code IS NULL)"],
      [[{ member: 'kt_xh.indicator_code', operator: 'contains', values: ['port'] }], "positionCaseInsensitive(v.indicator_code, 'port') > 0"],
      [[{ member: 'kt_xh.indicator_code', operator: 'notContains', values: ['_VAL'] }], "positionCaseInsensitive(v.indicator_code, '_VAL') = 0"],
      [[{ member: 'kt_xh.indicator_code', operator: 'startsWith', values: ['ent'] }], "startsWith(lower(v.indicator_code), 'ent')"],
      [[{ member: 'kt_xh.indicator_code', operator: 'notStartsWith', values: ['EXP'] }], "NOT startsWith(v.indicator_code, 'EXP')"],
      [[{ member: 'kt_xh.indicator_code', operator: 'endsWith', values: ['_new'] }], "endsWith(lower(v.indicator_code), '_new')"],
      [[{ member: 'kt_xh.indicator_code', operator: 'notEndsWith', values: ['_VAL'] }], "NOT endsWith(v.indicator_code, '_VAL')"],
      [[{ member: 'kt_xh.plan', operator: 'set' }], 'v.plan IS NOT NULL'],
      [[{ member: 'kt_xh.plan', operator: 'notSet' }], 'v.plan IS NULL'],
      [[{ member: 'kt_xh.admin_units_name', operator: 'set' }], 'a.name IS NOT NULL'],
      [[{ member: 'kt_xh.period_start', operator: 'inDateRange', values: ['2026-01-01', '2026-02-28'] }], "v.period_start BETWEEN '2026-01-01' AND '2026-02-28'"],
      [[{ member: 'kt_xh.period_start', operator: 'notInDateRange', values: ['2026-01-01', '2026-02-28'] }], "v.period_start NOT BETWEEN '2026-01-01' AND '2026-02-28'"],
      [[{ member: 'kt_xh.period_start', operator: 'beforeDate', values: ['2026-02-01'] }], "v.period_start < '2026-02-01'"],
      [[{ member: 'kt_xh.period_start', operator: 'beforeOrOnDate', values: ['2026-02-01'] }], "v.period_start <= '2026-02-01'"],
      [[{ member: 'kt_xh.period_start', operator: 'afterDate', values: ['2026-02-01'] }], "v.period_start > '2026-02-01'"],
      [[{ member: 'kt_xh.period_start', operator: 'afterOrOnDate', values: ['2026-02-01'] }], "v.period_start >= '2026-02-01'"],
      [
        [{ or: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['IMPORT_VAL'] }, { and: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_code', operator: 'equals', values: ['07228'] }] }] }],
        "(v.indicator_code = 'IMPORT_VAL' OR (v.indicator_code = 'ENT_NEW' AND v.unit_code = '07228'))",
      ],
    ]
    for (const [filters, where] of cases) {
      await same(
        { measures: ['kt_xh.reports'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'], filters },
        `SELECT v.indicator_code AS \`kt_xh.indicator_code\`, v.period AS \`kt_xh.period\`, count() AS \`kt_xh.reports\` FROM ${FROM} WHERE ${where} GROUP BY 1, 2`,
      )
    }
    // A measure's filter applies to the groups (HAVING), for each comparison.
    for (const [operator, op] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const) {
      await same(
        { measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], filters: [{ member: 'kt_xh.reports', operator, values: ['2'] }] },
        `SELECT v.unit_code AS \`kt_xh.unit_code\`, count() AS \`kt_xh.reports\` FROM ${FROM} GROUP BY 1 HAVING count() ${op} 2`,
      )
    }
  })

  it('segments, time zones, renewQuery, compact answers; ungrouped refused with the reason', async () => {
    await same(
      { measures: ['kt_xh.reports'], dimensions: ['kt_xh.indicator_code'], segments: ['kt_xh.communes'] },
      `SELECT v.indicator_code AS \`kt_xh.indicator_code\`, count() AS \`kt_xh.reports\` FROM ${FROM} WHERE v.unit_level = 'commune' GROUP BY 1`,
    )
    // A period starting at midnight in Vietnam is the evening before in UTC: by day, UTC shows the earlier date.
    const inUtc = await load({ measures: ['kt_xh.reports'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'day', dateRange: ['2025-12-31', '2026-01-31'] }], timezone: 'UTC', filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['IMPORT_VAL'] }] })
    expect(inUtc.map((r) => r['kt_xh.period_start.day'])).toEqual(['2025-12-31T00:00:00.000'])
    const plain = { measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'] }
    const sql = `SELECT v.unit_code AS \`kt_xh.unit_code\`, count() AS \`kt_xh.reports\` FROM ${FROM} GROUP BY 1`
    await same({ ...plain, renewQuery: true } as Query, sql)
    expect(normal(await load(plain, 'compact')).sort()).toEqual(normal(await hand(sql)).sort())
    await expect(api.load({ ...plain, ungrouped: true })).rejects.toThrow(/primary key/)
  })

  it('sql, dry-run and meta through the client', async () => {
    const q: Query = { measures: ['kt_xh.reports'], dimensions: ['kt_xh.unit_code'], filters: [{ member: 'kt_xh.unit_code', operator: 'equals', values: ["07210' OR 1=1 --"] }] }
    const sql = await api.sql(q)
    expect(sql.rawQuery().sql[1]).toEqual(["07210' OR 1=1 --"])
    expect((await api.dryRun(q)).normalizedQueries[0]!.filters).toEqual(q.filters)
    const meta = await api.meta()
    expect(meta.cubes.find((c) => c.name === 'kt_xh')!.segments.map((s) => s.name)).toContain('kt_xh.communes')
  })
})
