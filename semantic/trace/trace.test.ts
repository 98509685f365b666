import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import type { TraceAnswer } from '../../infra/contracts/trace.ts'

/*
 * "Số liệu này từ đâu?" against the real service with the demo province: a tile traced to the file
 * and the row an agency delivered, a correction seen as a second version, a ratio traced to its
 * operands' deliveries, a count of people traced without one personal value, an officer kept to
 * what it may read, every trace audited.
 */
let service: RunningService
const { call, load, login } = httpClient(() => service.url)
const leader = () => signJwt({ role: 'leader', sub: 'lanhdao' }, service.ctx.secret)
const analyst = () => signJwt({ role: 'analyst', sub: 'phantich' }, service.ctx.secret)
const trace = (body: unknown, token?: string) => call('POST', '/api/trace', token, body)
const home = tempDir('kho-trace-home-')

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.05', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }),
  )
  await service.demoDone
}, 240_000)
afterAll(() => service?.stop())

const HEADER = 'Mã chỉ tiêu,Kỳ báo cáo,Mã đơn vị hành chính,Giá trị thực hiện,Kế hoạch,Đơn vị tính,Ghi chú'

/** An indicator report delivered by its owner as a file, the marts then following it. */
async function deliverReport(name: string, lines: string[], agency: string) {
  const file = path.join(tempDir('kho-trace-files-'), name)
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n')
  const delivered = await service.ctx.deliver.file({ file, dataset: 'chi_tieu_kt_xh', agency, channel: 'file' })
  expect(delivered.status).toBe('committed')
  await service.ctx.transforms.flush()
  return delivered
}

/** The overview's tile query for one indicator (dashboards/web/src/features/overview/ioc-queries.ts). */
const tileQuery = (code: string) => ({
  measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.growth_pct'],
  dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
  timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: ['2025-11-01', '2026-10-31'] }],
  filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }],
  order: [['kt_xh.period', 'desc']],
})

describe('tracing a number (POST /api/trace)', () => {
  it('names the delivered file and the row whose value is the tile; after a correction, both versions and the change', async () => {
    const owner = service.ctx.model.now.catalog.indicator('RETAIL_SALES')!.owner
    const delivered = await deliverReport('ban-le-thang-10-lan-1.csv', ['RETAIL_SALES,2026-09,07210,100,,tỷ đồng,', 'RETAIL_SALES,2026-10,24,"13.579,25",14000,tỷ đồng,Số liệu ước tính'], owner)

    const tile = await load(tileQuery('RETAIL_SALES'), leader())
    const row = (tile.body.data as Record<string, unknown>[]).find((r) => r['kt_xh.period'] === '2026-10')!
    expect(Number(row['kt_xh.value'])).toBe(13579.25)
    const traced = await trace({ query: tileQuery('RETAIL_SALES'), row }, leader())
    expect(traced.status).toBe(200)
    const t = traced.body as TraceAnswer
    expect(t.value).toBe(13579.25)
    expect(t.deliveries).toHaveLength(1)
    const [d] = t.deliveries
    expect(d).toMatchObject({ load_id: delivered.loadId, source: 'ban-le-thang-10-lan-1.csv', agency: owner, channel: 'file', delivered_by: 'file', row_count: 1, value: 13579.25, latest: true })
    expect(d!.sha256).toMatch(/^[0-9a-f]{64}$/)
    // The row the trace names is the file's line holding the tile's value.
    expect(d!.rows).toHaveLength(1)
    const archived = (await queryRows<{ source: string }>(service.ctx.wh.client, `SELECT source FROM meta.loads FINAL WHERE load_id = '${delivered.loadId}'`))[0]!.source
    expect(archived).toBe('ban-le-thang-10-lan-1.csv')
    expect(d!.rows![0]!.row).toBe(3)
    expect(d!.rows![0]!.value).toBe(13579.25)
    // The row as the agency wrote it.
    expect(d!.rows![0]!.cells).toMatchObject({ ma_chi_tieu: 'RETAIL_SALES', ky_bao_cao: '2026-10', ma_don_vi: '24', gia_tri: '13.579,25', ghi_chu: 'Số liệu ước tính' })
    expect(t.columns.map((c) => c.vi)).toContain('Giá trị thực hiện')
    expect(t.sentence.vi).toContain('tệp ban-le-thang-10-lan-1.csv, dòng 3')
    expect(t.sentence.en).toContain('file ban-le-thang-10-lan-1.csv, row 3')
    // The models the number passed through, down to the delivered rows, each with its last build.
    expect(t.models.map((m) => m.name)).toEqual(expect.arrayContaining(['fct_indicator_value', 'indicator_reports', 'raw.chi_tieu_kt_xh']))
    expect(t.models.find((m) => m.name === 'fct_indicator_value')!.lastBuild).toMatchObject({ status: 'success' })
    expect(t.history.at(-1)).toMatchObject({ load_id: delivered.loadId, row: 3, value: 13579.25, current: true })

    // A corrected delivery: the tile follows it; the trace shows it, the earlier version and the change.
    const corrected = await deliverReport('ban-le-thang-10-lan-2.csv', ['RETAIL_SALES,2026-10,24,"13.612,5",14000,tỷ đồng,Số liệu chính thức'], owner)
    const again = await load(tileQuery('RETAIL_SALES'), leader())
    const row2 = (again.body.data as Record<string, unknown>[]).find((r) => r['kt_xh.period'] === '2026-10')!
    expect(Number(row2['kt_xh.value'])).toBe(13612.5)
    const t2 = (await trace({ query: tileQuery('RETAIL_SALES'), row: row2 }, leader())).body as TraceAnswer
    expect(t2.deliveries.map((x) => x.load_id)).toEqual([corrected.loadId])
    expect(t2.deliveries[0]!.rows![0]!.row).toBe(2)
    const versions = t2.history.slice(-2)
    expect(versions).toMatchObject([
      { load_id: delivered.loadId, source: 'ban-le-thang-10-lan-1.csv', row: 3, value: 13579.25, current: false },
      { load_id: corrected.loadId, source: 'ban-le-thang-10-lan-2.csv', row: 2, value: 13612.5, current: true },
    ])
    expect(versions[1]!.change).toBeCloseTo(33.25, 6)
    expect(versions[1]!.changed).toEqual(['gia_tri', 'ghi_chu'])
  })

  it('reaches the deliveries of a computed indicator’s inputs', async () => {
    const query = { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['URBAN_RATE'] }, { member: 'kt_xh.period', operator: 'equals', values: ['2025'] }] }
    const [row] = (await load(query, leader())).body.data as Record<string, unknown>[]
    const t = (await trace({ query, row }, leader())).body as TraceAnswer
    expect(t.formula).not.toBeNull()
    expect(t.formula!.vi).toBe('Tỷ lệ đô thị hóa = Dân số đô thị / Dân số trung bình × 100')
    const [num, den] = t.formula!.inputs
    expect([num!.code, den!.code]).toEqual(['urban_population', 'POP_AVG'])
    for (const input of [num!, den!]) {
      expect(input.trace.deliveries.length).toBeGreaterThan(0)
      expect(input.trace.deliveries[0]!.source).toMatch(/\.(csv|txt|xlsx|json|xml)$/)
      expect(input.trace.deliveries[0]!.rows![0]!.cells.ma_chi_tieu).toBe(input.code)
    }
    // The ratio is the operands' quotient, as the formula says.
    expect(Number(t.value)).toBeCloseTo((Number(num!.trace.value) / Number(den!.trace.value)) * 100, 6)
  })

  it('traces a count of people to its deliveries without one personal value', async () => {
    const query = { measures: ['population.people'], dimensions: ['population.commune_code'] }
    const rows = (await load(query, analyst())).body.data as Record<string, unknown>[]
    const row = rows[0]!
    const res = await trace({ query, row }, analyst())
    expect(res.status).toBe(200)
    const t = res.body as TraceAnswer
    expect(t.deliveries.length).toBeGreaterThan(0)
    expect(t.deliveries.every((d) => d.dataset === 'dan_cu' && d.rows === null)).toBe(true)
    // Each delivery's people add up to the number.
    expect(t.deliveries.reduce((n, d) => n + Number(d.value), 0)).toBe(Number(row['population.people']))
    const ids = await queryRows<{ id: string }>(service.ctx.wh.client, `SELECT id_number AS id FROM marts.dim_citizen WHERE commune_code = '${row['population.commune_code']}'`)
    expect(ids.length).toBeGreaterThan(0)
    const text = JSON.stringify(t)
    expect(ids.filter((x) => text.includes(x.id))).toEqual([])
    expect(text).not.toMatch(/\b0\d{11}\b/)
  })

  it('keeps an officer to the rows it may read, and the public out', async () => {
    const query = { measures: ['ho_ngheo.count'], dimensions: ['ho_ngheo.ma_xa'] }
    // An agency that is neither the owner nor a consumer of the households register: refused, as /load refuses it.
    const stranger = await login('canbo.sotc', 'kho-demo-2026')
    const refused = await trace({ query, row: { 'ho_ngheo.ma_xa': '07210' } }, stranger)
    expect(refused.status).toBe(403)
    expect(refused.body.error.message).toMatch(/SO_TC/)
    // An analyst of the province: the rows of a commune, the household head's personal ID withheld
    // without a grant and a purpose.
    const [commune] = (await load({ ...query, order: { 'ho_ngheo.count': 'desc' }, limit: 1 }, analyst())).body.data as Record<string, unknown>[]
    const own = (await trace({ query, row: commune }, analyst())).body as TraceAnswer
    expect(own.deliveries.length).toBeGreaterThan(0)
    expect(own.deliveries.flatMap((d) => d.rows!).every((r) => r.cells.ma_xa === commune!['ho_ngheo.ma_xa'])).toBe(true)
    expect(own.withheld.map((w) => w.vi)).toContain('Số định danh chủ hộ')
    expect(own.columns.map((c) => c.id)).not.toContain('cccd_chu_ho')
    expect(JSON.stringify(own)).not.toMatch(/\b0\d{11}\b/)
    // A commune officer traces its commune's people, not another commune's (whose counts it sees
    // only as the public does, perturbed).
    const officer = await login('canbo.x07210', 'kho-demo-2026')
    const people = { measures: ['population.people'], dimensions: ['population.commune_code'] }
    const mine = await trace({ query: people, row: { 'population.commune_code': '07210' } }, officer)
    expect(mine.status).toBe(200)
    expect((mine.body as TraceAnswer).deliveries.length).toBeGreaterThan(0)
    const theirs = await trace({ query: people, row: { 'population.commune_code': '07246' } }, officer)
    expect(theirs.status).toBe(403)
    // The public may neither trace nor ask for the provenance members.
    expect((await trace({ query: tileQuery('RETAIL_SALES'), row: {} })).status).toBe(401)
    const anonymous = await load({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.load_id'] })
    expect(anonymous.status).toBe(403)
    // Nor do pages list them among a view's members.
    const meta = await call('GET', '/cubejs-api/v1/meta', leader())
    const members = (meta.body.cubes as { dimensions: { name: string; meta?: { provenance?: boolean } }[] }[]).flatMap((c) => c.dimensions)
    expect(members.filter((m) => m.meta?.provenance).map((m) => m.name)).toEqual([])
    expect(members.map((m) => m.name)).not.toContain('kt_xh.load_id')
  })

  it('refuses a row whose time is not a date, saying which, in both languages', async () => {
    const query = { measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month' }] }
    for (const at of ['abc', '2026-13-45T00:00:00.000']) {
      const res = await trace({ query, row: { 'kt_xh.period_start.month': at } }, leader())
      expect(res.status).toBe(400)
      expect(res.body.error.message).toContain('không phải một ngày')
      expect(res.body.error.message_en).toContain('is not a date')
    }
  })

  it('audits every trace, allowed or refused', async () => {
    await service.ctx.audit.flush()
    const rows = await queryRows<{ outcome: string; n: number }>(
      service.ctx.wh.client,
      // The gate audits a refusal before any handler under the route's name.
      "SELECT outcome, count() AS n FROM meta.audit WHERE endpoint IN ('trace', 'POST /api/trace') GROUP BY outcome ORDER BY outcome",
    )
    const by = Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]))
    // Traces above: 2 tiles, 1 ratio, 1 population, the analyst's households and the officer's commune = 6
    // allowed; the stranger, the officer's other commune and the unsigned caller refused.
    expect(by.ok).toBe(6)
    expect(by.denied).toBe(3)
    const [tile] = await queryRows<{ account: string; members: string[] }>(
      service.ctx.wh.client,
      "SELECT account, members FROM meta.audit WHERE endpoint = 'trace' AND outcome = 'ok' ORDER BY at LIMIT 1",
    )
    expect(tile).toMatchObject({ account: 'lanhdao' })
    expect(tile!.members).toContain('kt_xh.value')
  })
})
