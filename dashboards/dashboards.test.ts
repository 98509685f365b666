import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../infra/config.ts'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { startService, type RunningService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { containing, periodCode, periodLabel, previous } from '../infra/time/periods.ts'
import { WEB_DIST } from './dashboard-routes.ts'
import { launchBrowser, screenshot, signIn } from './testing/browser.ts'
import * as clock from '../infra/time/clock.ts'

/*
 * The dashboards in Debian's Chromium against the real service with the demo province loaded:
 * what a leader, an analyst, an agency officer and a steward do, each checked against the API.
 */
const home = tempDir('kho-ui-')
let service: RunningService
let browser: Browser
const tokens = new Map<string, string>()

async function tokenOf(username: string): Promise<string> {
  if (!tokens.has(username)) {
    const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'kho-demo-2026' }) })
    tokens.set(username, ((await res.json()) as { token: string }).token)
  }
  return tokens.get(username)!
}

async function apiGet<T>(username: string, p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(service.url + p, { headers: { authorization: await tokenOf(username) } })
  return { status: res.status, body: (await res.json().catch(() => null)) as T }
}

async function cubeLoad(username: string, query: unknown): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: await tokenOf(username), 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const body = (await res.json()) as { data: Record<string, unknown>[] }
  expect(res.status).toBe(200)
  return body.data
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
  page.on('pageerror', (err) => {
    throw err
  })
  return page
}

async function readWorkbook(file: string, sheet?: string): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  return sheet ? wb.getWorksheet(sheet)! : wb.worksheets[0]!
}

beforeAll(async () => {
  expect(fs.existsSync(path.join(WEB_DIST, 'index.html')), 'run `npm run build` first (npm test does)').toBe(true)
  service = await startService(
    // Every page here signs in through the form from 127.0.0.1, dozens of times within five minutes:
    // the sign-in limits (tested in infra/access/gate.test.ts) are lifted so they do not decide the outcome.
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '1', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'admin', KHO_ADMIN_PASSWORD: 'kho-demo-2026', KHO_LOGIN_ATTEMPTS: '1000', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '10000' }),
  )
  await service.demoDone
  expect(service.ctx.demo.state).toBe('ready')
  browser = await launchBrowser()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await service?.stop()
})

describe('the IOC overview (leader)', () => {
  it('fills every headline tile with the number the API returns for it, in Vietnamese format', async () => {
    const page = await newPage()
    const started = Date.now()
    await signIn(page, service.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    console.info(`overview ready in ${Date.now() - started} ms (demo scale 1; bench:dashboards measures scale 10)`)
    const tiles = await page.$$eval('[data-testid^="tile-"]', (els) =>
      els.map((e) => ({ code: e.getAttribute('data-testid')!.slice(5), value: e.getAttribute('data-value'), period: e.getAttribute('data-period'), text: e.textContent ?? '' })),
    )
    const config = (await apiGet<{ headline: string[] }>('lanhdao', '/api/dashboards/ioc')).body
    expect(tiles.map((t) => t.code)).toEqual(config.headline)
    for (const tile of tiles) {
      expect(tile.value, tile.code).not.toBe('')
      const [row] = await cubeLoad('lanhdao', {
        measures: ['kt_xh.value'],
        filters: [
          { member: 'kt_xh.indicator_code', operator: 'equals', values: [tile.code] },
          { member: 'kt_xh.period', operator: 'equals', values: [tile.period] },
        ],
      })
      expect(Number(tile.value), tile.code).toBe(Number(row!['kt_xh.value']))
      expect(tile.text).toContain(new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(Number(tile.value)))
      expect(tile.text).toMatch(/Tháng \d{1,2}\/\d{4}|Quý [IV]+\/\d{4}|Năm \d{4}/)
    }
    await screenshot(page, 'overview')

    // Drill: province → the submissions behind the number.
    await page.click(`[data-testid="tile-${tiles[0]!.code}"]`)
    await page.waitForSelector('[data-testid="drill-submissions"] tbody tr')
    const owner = (await apiGet<{ code: string; owner: string }[]>('lanhdao', '/api/catalog/indicators')).body.find((i) => i.code === tiles[0]!.code)!.owner
    expect(await page.textContent('[data-testid="drill-submissions"]')).toContain(owner)
    // …and from a commune in the ranking to its own figure.
    await page.click('[data-testid="commune-ranking"] tbody tr:first-child button')
    await page.waitForSelector('[data-testid="drill"] caption')
    await screenshot(page, 'overview-drill')

    await page.goto(`${service.url}/kiosk`)
    await page.waitForSelector('.kiosk .overview[data-ready=true]')
    expect(await page.$('header.top')).toBeNull()
    await screenshot(page, 'kiosk')
    await page.close()
  })

  it('changes a kiosk tile on its own when a delivery changes its number: pushed by the service, not polled', async () => {
    const page = await newPage()
    await signIn(page, service.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    await page.goto(`${service.url}/kiosk`)
    await page.waitForSelector('.kiosk .overview[data-ready=true]')
    const tile = '[data-testid="tile-ENT_NEW"]'
    const before = Number(await page.getAttribute(tile, 'data-value'))
    const period = (await page.getAttribute(tile, 'data-period'))!
    expect(period).toMatch(/^\d{4}-\d{2}$/)
    // The kiosk's stream is open (it polls only while it is not, once a minute: longer than this test waits).
    await expect.poll(() => service.ctx.live.listening, { timeout: 5000 }).toBeGreaterThan(0)
    // The business registry office delivers a new month's figure for one commune.
    const file = path.join(home, 'ent-new-live.csv')
    fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', `ENT_NEW,${period},${communesOf('24')[3]!.code},50000`].join('\n'))
    const report = await service.ctx.deliver.file({ file, dataset: 'chi_tieu_kt_xh', agency: 'SO_TC', channel: 'file' })
    expect(report.status).toBe('committed')
    const started = Date.now()
    // Polled from here (the page's CSP forbids waitForFunction's evaluation); the page itself is not told to reload.
    await expect.poll(async () => Number(await page.getAttribute(tile, 'data-value')), { timeout: 30_000, interval: 200 }).not.toBe(before)
    const shown = Number(await page.getAttribute(tile, 'data-value'))
    // What the tile shows is what the API now answers for the indicator's month.
    const [row] = await cubeLoad('lanhdao', { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [period] }] })
    expect(shown).toBe(Number(row!['kt_xh.value']))
    expect(shown).toBeGreaterThan(before)
    expect(Date.now() - started).toBeLessThan(30_000)
    await page.close()
  })

  it('shows what kho computes from the integrated registers beside the reported figures, and the communes that disagree', async () => {
    const page = await newPage()
    await signIn(page, service.url, 'lanhdao')
    await page.waitForSelector('[data-testid="reconciliation-table"] tbody tr')
    const shown = await page.$$eval('[data-testid="reconciliation-table"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
    // The province's line of each computed indicator, as the warehouse has it.
    const checks = await cubeLoad('lanhdao', {
      measures: ['indicator_checks.computed', 'indicator_checks.reported', 'indicator_checks.units_disagreeing'],
      dimensions: ['indicator_checks.indicator_code', 'indicator_checks.indicators_name'],
      filters: [{ member: 'indicator_checks.unit_level', operator: 'equals', values: ['province'] }],
      order: [['indicator_checks.indicator_code', 'asc']],
    })
    const hand = await queryRows<{ indicator_code: string; computed: number; reported: number | null }>(
      service.ctx.wh.client,
      "SELECT indicator_code, computed, reported FROM marts.fct_indicator_check WHERE unit_level = 'province' ORDER BY indicator_code",
    )
    expect(checks.map((c) => [c['indicator_checks.indicator_code'], Number(c['indicator_checks.computed']).toFixed(2)])).toEqual(hand.map((h) => [h.indicator_code, Number(h.computed).toFixed(2)]))
    expect(hand.map((h) => h.indicator_code)).toEqual(['ENT_ACTIVE', 'POP_RESIDENT', 'SI_COVERAGE', 'SI_PARTICIPANTS'])
    const vi = (x: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x)
    for (const h of hand) {
      const name = String(checks.find((c) => c['indicator_checks.indicator_code'] === h.indicator_code)!['indicator_checks.indicators_name'])
      const row = shown.find((r) => r[0] === name)!
      expect(row, name).toBeDefined()
      expect(row[2]).toBe(vi(Number(h.computed)))
      // Both numbers, the reported one with its period.
      if (h.reported !== null) expect(row[3]).toContain(vi(Number(h.reported)))
    }
    // The demo's social-insurance office reports a few communes' participants off: they are listed.
    const [si] = await cubeLoad('lanhdao', {
      measures: ['indicator_checks.units_disagreeing'],
      filters: [
        { member: 'indicator_checks.indicator_code', operator: 'equals', values: ['SI_PARTICIPANTS'] },
        { member: 'indicator_checks.unit_level', operator: 'equals', values: ['commune'] },
      ],
    })
    expect(Number(si!['indicator_checks.units_disagreeing'])).toBeGreaterThan(0)
    await page.click('[data-testid="reconciliation-table"] button[data-indicator="SI_PARTICIPANTS"]')
    await page.waitForSelector('[data-testid="reconciliation-communes"] tbody tr')
    expect(await page.$$eval('[data-testid="reconciliation-communes"] tbody tr', (trs) => trs.length)).toBe(Math.min(10, Number(si!['indicator_checks.units_disagreeing'])))
    await screenshot(page, 'overview-reconciliation')
    await page.close()
  })

  it('switches to English and back', async () => {
    const page = await newPage()
    await signIn(page, service.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    await page.click('button.lang')
    await page.waitForSelector('text=IOC overview')
    expect(await page.getAttribute('html', 'lang')).toBe('en')
    await page.click('button.lang')
    await page.waitForSelector('text=Tổng quan IOC')
    await page.close()
  })
})

describe('the commune map on the overview (leader; steward uploads boundaries)', () => {
  it("draws the demo's illustrative boundaries in the ranking's colours, with a legend, and drills into a commune on click", async () => {
    const page = await newPage()
    await signIn(page, service.url, 'lanhdao')
    await page.waitForSelector('[data-testid=commune-map] path')
    expect(await page.$$eval('[data-testid=commune-map] path', (ps) => ps.length)).toBe(communesOf('24').length)
    expect(await page.textContent('[data-testid=map-illustrative]')).toContain('Bản đồ minh họa')
    // A class per colour, up to five (ties between small counts merge classes), each range once.
    const ranges = await page.$$eval('[data-testid=map-legend] li', (lis) => lis.map((li) => li.textContent))
    expect(ranges.length).toBeGreaterThanOrEqual(3)
    expect(new Set(ranges).size).toBe(ranges.length)
    // The ten bars (communes ranked first) have the colours their communes have on the map.
    const ranked = await page.$$eval('[data-testid=commune-ranking] tbody tr td:nth-child(2)', (tds) => tds.slice(0, 10).map((td) => td.textContent ?? ''))
    const bars = await page.$$eval('.recharts-bar-rectangle path', (ps) => ps.map((p) => p.getAttribute('fill')))
    const byName = new Map(communesOf('24').map((c) => [c.name, c.code]))
    const mapFills = await Promise.all(ranked.map((name) => page.getAttribute(`[data-testid=commune-map] path[data-unit="${byName.get(name)}"]`, 'fill')))
    expect(bars).toHaveLength(10)
    expect(mapFills).toEqual(bars)
    const fills = await page.$$eval('[data-testid=commune-map] path', (ps) => ps.map((p) => p.getAttribute('fill')))
    // The map uses every colour of its legend, and only those.
    expect(new Set(fills).size).toBe(ranges.length)
    const legendColours = await page.$$eval('[data-testid=map-legend] .swatch', (ss) => ss.map((s) => s.getAttribute('data-colour')))
    for (const f of fills) expect(legendColours).toContain(f)
    // The first-ranked commune is in the darkest class for an indicator where more is better.
    expect(bars[0]).toBe(legendColours[legendColours.length - 1])
    const [first] = ranked
    await page.click(`[data-testid=commune-map] path[data-unit="${byName.get(first!)}"]`)
    await page.waitForSelector('[data-testid=drill]')
    expect(await page.textContent('[data-testid=drill] h2')).toContain(first)
    await screenshot(page, 'overview-map')
    await page.close()
  })

  it('a steward uploads GeoJSON boundaries: the report names the unknown code and the commune left out, and the overview draws them', async () => {
    const communes = communesOf('24')
    const dir = tempDir('kho-map-')
    const features = communes.slice(1).map((c, i) => ({
      type: 'Feature',
      properties: { ma_xa: c.code },
      geometry: { type: 'Polygon', coordinates: [[[106 + (i % 10) * 0.05, 21 + Math.floor(i / 10) * 0.05], [106.05 + (i % 10) * 0.05, 21 + Math.floor(i / 10) * 0.05], [106.05 + (i % 10) * 0.05, 21.05 + Math.floor(i / 10) * 0.05], [106 + (i % 10) * 0.05, 21.05 + Math.floor(i / 10) * 0.05], [106 + (i % 10) * 0.05, 21 + Math.floor(i / 10) * 0.05]]] },
    }))
    features.push({ type: 'Feature', properties: { ma_xa: '99999' }, geometry: features[0]!.geometry })
    const file = path.join(dir, 'ranh-gioi-xa.geojson')
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }))

    // Through the API: an officer may not upload; a broken file is refused with its reason and changes nothing.
    const post = async (user: string, body: string) => {
      const form = new FormData()
      form.append('file', new Blob([body]), 'x.geojson')
      return fetch(`${service.url}/api/map/communes`, { method: 'POST', headers: { authorization: await tokenOf(user) }, body: form })
    }
    expect((await post('canbo.sotc', '{}')).status).toBe(403)
    const broken = await post('quantri', '{"type": "FeatureCollection", "features": [')
    expect(broken.status).toBe(422)
    expect(((await broken.json()) as { problems: { vi: string }[] }).problems[0]!.vi).toMatch(/JSON/)

    const page = await newPage()
    await signIn(page, service.url, 'quantri')
    await page.goto(`${service.url}/admin`)
    await page.waitForSelector('[data-testid=map-source]')
    expect(await page.textContent('[data-testid=map-source]')).toContain('Bản đồ minh họa')
    await page.setInputFiles('[data-testid=map-panel] input[type=file]', file)
    await page.click('[data-testid=map-panel] button[type=submit]')
    await page.waitForSelector('[data-testid=map-report]')
    expect(await page.textContent('[data-testid=map-matched]')).toBe(String(communes.length - 1))
    expect(await page.textContent('[data-testid=map-unknown]')).toContain('99999')
    expect(await page.textContent('[data-testid=map-missing]')).toContain(`${communes[0]!.name} (${communes[0]!.code})`)
    await page.waitForSelector('[data-testid=map-source]:has-text("ranh-gioi-xa.geojson")')
    await screenshot(page, 'admin-map-upload')
    await page.close()

    const leader = await newPage()
    await signIn(leader, service.url, 'lanhdao')
    await leader.waitForSelector('[data-testid=commune-map] path')
    expect(await leader.$$eval('[data-testid=commune-map] path', (ps) => ps.length)).toBe(communes.length - 1)
    expect(await leader.$('[data-testid=map-illustrative]')).toBeNull()
    await leader.close()
  })
})

describe('the explorer (analyst)', () => {
  it('builds a query, shares it by URL and downloads an XLSX with the same values as the API', async () => {
    const [latest] = await cubeLoad('phantich', { dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }], order: [['kt_xh.period', 'desc']], limit: 1 })
    const month = String(latest!['kt_xh.period'])
    const page = await newPage()
    await signIn(page, service.url, 'phantich')
    await page.goto(`${service.url}/explorer`)
    await page.selectOption('[data-testid=view-picker]', 'kt_xh')
    await page.check('input[data-member="kt_xh.value"]')
    await page.check('input[data-member="kt_xh.plan_pct"]')
    await page.check('input[data-member="kt_xh.indicator_code"]')
    await page.click('text=Thêm bộ lọc')
    await page.selectOption('select[aria-label="Bộ lọc"]', 'kt_xh.period')
    await page.fill('input[aria-label="Giá trị"]', month)
    await page.click('[data-testid=run-query]')
    await page.waitForSelector('[data-testid=result] tbody tr')
    const expected = await cubeLoad('phantich', {
      measures: ['kt_xh.value', 'kt_xh.plan_pct'],
      dimensions: ['kt_xh.indicator_code'],
      filters: [{ member: 'kt_xh.period', operator: 'equals', values: [month] }],
      limit: 10000,
    })
    expect(Number(await page.getAttribute('[data-testid=result]', 'data-rows'))).toBe(expected.length)
    await screenshot(page, 'explorer')

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')])
    const ws = await readWorkbook((await download.path())!)
    expect(ws.getRow(2).getCell(1).value).toBe('Mã chỉ tiêu')
    const fromFile = new Map<string, [number | null, number | null]>()
    ws.eachRow((row, i) => {
      if (i > 2) fromFile.set(String(row.getCell(1).value), [row.getCell(2).value as number | null, row.getCell(3).value as number | null])
    })
    expect(fromFile.size).toBe(expected.length)
    for (const r of expected) {
      const [value, plan] = fromFile.get(String(r['kt_xh.indicator_code']))!
      expect(value).toBe(r['kt_xh.value'] === null ? null : Number(r['kt_xh.value']))
      expect(plan).toBe(r['kt_xh.plan_pct'] === null ? null : Number(r['kt_xh.plan_pct']))
    }

    // The URL carries the question: opening it again shows the same result.
    const shared = page.url()
    expect(shared).toContain('/explorer?q=')
    const again = await newPage()
    await signIn(again, service.url, 'phantich')
    await again.goto(shared)
    await again.waitForSelector('[data-testid=result] tbody tr')
    expect(Number(await again.getAttribute('[data-testid=result]', 'data-rows'))).toBe(expected.length)

    // A named query is kept for the account.
    await again.fill('input[aria-label="Tên truy vấn"]', 'Chỉ tiêu tháng')
    await again.click('[data-testid=save-query]')
    await again.waitForSelector('button.linkish:has-text("Chỉ tiêu tháng")')
    const saved = await apiGet<{ name: string }[]>('phantich', '/api/saved-queries')
    expect(saved.body.map((s) => s.name)).toEqual(['Chỉ tiêu tháng'])
    await page.close()
    await again.close()
  })
})

describe("the explorer's guided start (leader)", () => {
  it('finds an indicator by its name typed without diacritics and shows its trend and its communes at once', async () => {
    const page = await newPage()
    await signIn(page, service.url, 'lanhdao')
    await page.goto(`${service.url}/explorer`)
    // Before anything is typed: questions suggested for a leader.
    await page.waitForSelector('[data-testid=suggested-questions] button')
    expect(await page.textContent('[data-testid=suggested-questions]')).toContain('Tổng mức bán lẻ hàng hóa')
    await page.fill('input[aria-label="Tìm chỉ tiêu theo tên"]', 'ban le')
    await page.waitForSelector('[data-testid=indicator-matches] button')
    // "bán lẻ" side by side comes first (a name with "bằng" and "lệ" matches the words too, after it).
    expect((await page.$$eval('[data-testid=indicator-matches] button', (bs) => bs.map((b) => b.textContent)))[0]).toBe('Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng')
    await page.click('[data-testid=indicator-matches] li:first-child button')
    await page.waitForSelector('[data-testid=guided-answer][data-indicator=RETAIL_SALES] .recharts-line')
    expect(await page.textContent('[data-testid=guided-answer]')).toContain('Chỉ tiêu báo cáo cho toàn tỉnh')
    // A commune-level indicator: its communes in the latest period, as the API gives them.
    await page.fill('input[aria-label="Tìm chỉ tiêu theo tên"]', 'DOANH NGHIEP thanh lap')
    await page.click('[data-testid=indicator-matches] button:has-text("Doanh nghiệp thành lập mới")')
    await page.waitForSelector('[data-testid=guided-communes] tbody tr')
    const heading = (await page.textContent('[data-testid=guided-communes] h2'))!
    const [latest] = await cubeLoad('lanhdao', { dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }], order: [['kt_xh.period', 'desc']], limit: 1 })
    const period = String(latest!['kt_xh.period'])
    expect(heading).toContain(`Tháng ${Number(period.slice(5))}/${period.slice(0, 4)}`)
    const best = await cubeLoad('lanhdao', { measures: ['kt_xh.value'], dimensions: ['kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }, { member: 'kt_xh.period', operator: 'equals', values: [period] }], order: [['kt_xh.value', 'desc']], limit: 1 })
    expect(await page.textContent('[data-testid=guided-communes] tbody tr:first-child td:first-child')).toBe(String(best[0]!['kt_xh.admin_units_name']))
    await screenshot(page, 'explorer-guided')
    await page.close()
  })
})

describe('the explorer with a large result', () => {
  it('loads every indicator × period × unit and keeps it sortable and paged', async () => {
    const question = { view: 'kt_xh', measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.unit_code'], time: null, filters: [], limit: 100000 }
    const api = { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.unit_code'], limit: 100000 }
    const [top] = await cubeLoad('phantich', { ...api, order: [['kt_xh.value', 'desc']], limit: 1 })
    const page = await newPage()
    await signIn(page, service.url, 'phantich')
    const started = Date.now()
    await page.goto(`${service.url}/explorer?q=${encodeURIComponent(JSON.stringify(question))}`)
    await page.waitForSelector('[data-testid=result] tbody tr')
    const rows = Number(await page.getAttribute('[data-testid=result]', 'data-rows'))
    console.info(`explorer: ${rows} rows fetched and shown in ${Date.now() - started} ms`)
    expect(rows).toBeGreaterThan(50_000)
    // Only one page of rows is in the DOM, whatever the result's size.
    expect(await page.$$eval('[data-testid=result-table] tbody tr', (trs) => trs.length)).toBe(50)
    const header = page.locator('[data-testid=result-table] th', { hasText: 'Giá trị thực hiện' })
    for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== 'descending'; i++) await header.locator('button').click()
    const first = await page.textContent('[data-testid=result-table] tbody tr:first-child td:last-child')
    expect(first).toBe(new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(Number(top!['kt_xh.value'])))
    await page.click('[data-testid=result-table] .pager button[aria-label="next page"]')
    expect(await page.textContent('[data-testid=result-table] .pager span')).toMatch(/^2 \/ /)
    await page.close()
  })
})

describe('the agency portal (officer)', () => {
  it('uploads a file with bad rows and shows each rejected row with its reason', async () => {
    const communes = communesOf('24').slice(0, 40).map((c) => c.code)
    const lines = ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', ...communes.map((c, i) => `ENT_NEW,2019-01,${c},${i + 1}`), 'ENT_NEW,2019-13,07210,4', 'ENT_NEW,2019-01,07210,nhiều']
    const file = path.join(home, 'bao-cao-so-tc.csv')
    fs.writeFileSync(file, lines.join('\n'))
    const page = await newPage()
    await signIn(page, service.url, 'canbo.sotc')
    await page.waitForSelector('[data-testid=upload-form]')
    expect(new URL(page.url()).pathname).toBe('/portal')
    await page.selectOption('[data-testid=upload-form] select[name=dataset]', 'chi_tieu_kt_xh')
    await page.setInputFiles('[data-testid=upload-form] input[type=file]', file)
    await page.click('[data-testid=upload-form] button[type=submit]')
    await page.waitForSelector('[data-testid=upload-report] [data-testid=rejects]')
    expect(await page.getAttribute('[data-testid=upload-report]', 'data-status')).toBe('committed')
    const [load] = (await apiGet<{ load_id: string; source: string }[]>('canbo.sotc', '/api/loads?limit=1')).body
    expect(load!.source).toBe('bao-cao-so-tc.csv')
    const rejects = (await apiGet<{ row: number; reason_vi: string }[]>('canbo.sotc', `/api/loads/${load!.load_id}/rejects.json`)).body
    expect(rejects.length).toBe(2)
    const shown = (await page.textContent('[data-testid=rejects]'))!
    for (const r of rejects) expect(shown).toContain(r.reason_vi)
    await screenshot(page, 'portal')
    const [digest] = await Promise.all([page.context().waitForEvent('page'), page.click('[data-testid=open-digest]')])
    await digest.waitForLoadState()
    expect(await digest.textContent('h1')).toContain('Tình hình nộp báo cáo ngày')
    expect(await digest.textContent('body')).toContain('Sở Tài chính')
    await digest.close()

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-rejects]')])
    const ws = await readWorkbook((await download.path())!, 'Dong bi tu choi')
    expect(ws.rowCount).toBe(2 + rejects.length)
    expect(ws.getRow(3).getCell(4).value).toBe(rejects[0]!.reason_vi)
    // First, the rejected rows whole under the template's headers, to fix and send again.
    const fix = await readWorkbook((await download.path())!)
    expect(fix.name).toBe('Sua va gui lai')
    expect(fix.getRow(2).getCell(1).value).toBe('Mã chỉ tiêu')
    expect(fix.rowCount).toBe(2 + rejects.length)

    // The cover letter attached to that delivery, from its row in the history; its type by content.
    const letter = path.join(home, 'cong-van.pdf')
    fs.writeFileSync(letter, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
    await page.click(`[data-testid=history] button[data-load="${load!.load_id}"]`)
    await page.setInputFiles('[data-testid=load-attachments] input[type=file]', letter)
    await page.waitForSelector('[data-testid=load-attachments] tbody tr:has-text("cong-van.pdf")')
    const attached = (await apiGet<{ name: string; media_type: string }[]>('canbo.sotc', `/api/loads/${load!.load_id}/attachments`)).body
    expect(attached.map((a) => [a.name, a.media_type])).toEqual([['cong-van.pdf', 'application/pdf']])
    await page.close()
  })

  it("keeps a scoped officer to its own agency's data, in the UI and through the API", async () => {
    const page = await newPage()
    await signIn(page, service.url, 'canbo.sotc')
    const nav = (await page.textContent('header.top nav'))!
    expect(nav).not.toContain('Quản trị')
    expect(nav).not.toContain('Chất lượng')
    await page.goto(`${service.url}/admin`)
    await page.waitForURL(/\/portal$/)
    await page.waitForSelector('[data-testid=history] tbody tr')
    const agencies = await page.$$eval('[data-testid=history] tbody tr td:nth-child(2)', (tds) => [...new Set(tds.map((td) => td.textContent))])
    expect(agencies).toEqual(['Sở Tài chính (SO_TC)'])
    expect(await page.$('[data-testid=agency-picker]')).toBeNull()
    await page.close()

    const loads = await apiGet<{ agency: string }[]>('canbo.sotc', '/api/loads?agency=CA_TINH')
    expect(new Set(loads.body.map((l) => l.agency))).toEqual(new Set(['SO_TC']))
    const overdue = await apiGet<{ agency: string }[]>('canbo.sotc', '/api/submissions/overdue?agency=CA_TINH')
    expect(overdue.body.every((r) => r.agency === 'SO_TC')).toBe(true)
    const theirs = await cubeLoad('canbo.sotc', { dimensions: ['submissions.agency'], filters: [{ member: 'submissions.agency', operator: 'equals', values: ['CA_TINH'] }] })
    expect(theirs).toEqual([])
    const police = (await apiGet<{ load_id: string; agency: string }[]>('quantri', '/api/loads?agency=CA_TINH&limit=1')).body[0]!
    expect(police.agency).toBe('CA_TINH')
    expect((await apiGet('canbo.sotc', `/api/loads/${police.load_id}/rejects.json`)).status).toBe(404)
    expect((await apiGet('canbo.sotc', '/api/admin/accounts')).status).toBe(403)
    const exported = await fetch(`${service.url}/api/export`, {
      method: 'POST',
      headers: { authorization: await tokenOf('canbo.sotc'), 'content-type': 'application/json' },
      body: JSON.stringify({ query: { dimensions: ['submissions.agency'], measures: ['submissions.obligations'] }, format: 'csv' }),
    })
    const csv = await exported.text()
    expect(csv).toContain('SO_TC')
    expect(csv).not.toContain('CA_TINH')
  })
})

describe('sharing between agencies (officer asks, owner approves, officer queries)', () => {
  it('an officer asks for a dataset in the portal, the owner approves it there, and the officer queries it', async () => {
    const officer = await newPage()
    await signIn(officer, service.url, 'canbo.soyt')
    // Before: the explorer does not offer enterprises, and the API refuses it.
    await officer.goto(`${service.url}/explorer`)
    await officer.waitForSelector('[data-testid=view-picker]')
    expect(await officer.$$eval('[data-testid=view-picker] option', (os) => os.map((o) => o.getAttribute('value')))).not.toContain('enterprises')
    const refused = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: await tokenOf('canbo.soyt'), 'content-type': 'application/json' }, body: JSON.stringify({ query: { measures: ['enterprises.count'] } }) })
    expect(refused.status).toBe(403)

    await officer.goto(`${service.url}/sharing`)
    await officer.waitForSelector('[data-testid=request-form]')
    expect(await officer.getAttribute('[data-testid=shareable] tr:has-text("doanh nghiệp") [data-access]', 'data-access')).toBe('none')
    await officer.selectOption('[data-testid=request-form] select[name=dataset]', 'doanh_nghiep')
    await officer.check('[data-testid=request-form] input[name=view][value=enterprises]')
    await officer.fill('[data-testid=request-form] textarea[name=purpose]', 'Quản lý cơ sở kinh doanh dược trên địa bàn')
    await officer.fill('[data-testid=request-form] input[name=legal_basis]', 'Quy chế chia sẻ dữ liệu tỉnh, Điều 7')
    await officer.click('[data-testid=request-form] button[type=submit]')
    const sent = (await officer.textContent('p.state.ok[role=status]'))!
    const id = /YC-\d{8}-[0-9a-f]{6}/.exec(sent)![0]
    await officer.waitForSelector(`[data-testid=my-requests] tr:has-text("${id}") [data-status=pending]`)
    await screenshot(officer, 'sharing-request')

    const owner = await newPage()
    await signIn(owner, service.url, 'canbo.sotc')
    await owner.goto(`${service.url}/sharing`)
    const row = `[data-testid=to-decide] tr:has-text("${id}")`
    await owner.waitForSelector(row)
    await owner.fill(`${row} input[aria-label="Ghi chú / lý do"]`, 'Đồng ý theo quy chế')
    await owner.click(`${row} button[data-action=approve]`)
    await owner.waitForSelector(`${row} [data-status=approved]`)
    await screenshot(owner, 'sharing-decide')

    // The officer sees the decision and queries the dataset in the explorer: the API's number.
    await officer.goto(`${service.url}/sharing`)
    await officer.waitForSelector(`[data-testid=my-requests] tr:has-text("${id}") [data-status=approved]`)
    await officer.goto(`${service.url}/explorer`)
    await officer.selectOption('[data-testid=view-picker]', 'enterprises')
    await officer.check('input[data-member="enterprises.count"]')
    await officer.click('[data-testid=run-query]')
    await officer.waitForSelector('[data-testid=result] tbody tr')
    const [expected] = await cubeLoad('canbo.soyt', { measures: ['enterprises.count'] })
    const shown = await officer.textContent('[data-testid=result] tbody tr td')
    expect(shown!.replace(/\./g, '')).toBe(String(expected!['enterprises.count']))
    await screenshot(officer, 'sharing-query')
    await officer.close()
    await owner.close()
  })
})

describe('registering a dataset in the product (officer proposes, steward approves)', () => {
  it("holds the demo province's datasets, most registered by their agencies through the catalogue, each delivered", async () => {
    const datasets = (await apiGet<{ id: string }[]>('quantri', '/api/catalog/datasets')).body.map((d) => d.id)
    expect(datasets.length).toBeGreaterThanOrEqual(10)
    const entries = (await apiGet<{ dataset: string; status: string; proposed_by: string; reviewed_by: string }[]>('quantri', '/api/catalog/proposals')).body
    const registered = entries.filter((e) => e.status === 'approved')
    // Proposed by an officer of the owner agency, approved by the steward — not shipped as code.
    expect(registered.length).toBeGreaterThan(datasets.length / 2)
    for (const e of registered) expect([e.proposed_by.startsWith('canbo.'), e.reviewed_by], e.dataset).toEqual([true, 'quantri'])
    expect(entries.filter((e) => e.status === 'proposed').map((e) => e.dataset)).toEqual(['giay_phep_xay_dung'])
    const loaded = await queryRows<{ dataset: string }>(service.ctx.wh.client, "SELECT DISTINCT dataset FROM meta.loads FINAL WHERE status = 'committed' ORDER BY dataset")
    expect(loaded.map((l) => l.dataset)).toEqual(datasets.filter((d) => d !== 'giay_phep_xay_dung').sort())
    // Joined on shared elements: dossiers of enterprises by enterprise code, through the semantic layer.
    const [byStatus] = await cubeLoad('quantri', { measures: ['ho_so_tthc.count'], filters: [{ member: 'ho_so_tthc.registered_enterprises_status', operator: 'set' }] })
    const [hand] = await queryRows<{ n: string }>(service.ctx.wh.client, 'SELECT count() AS n FROM std.ds_ho_so_tthc AS h FINAL INNER JOIN marts.dim_enterprise AS e ON e.enterprise_code = h.ma_so_doanh_nghiep')
    expect(Number(byStatus!['ho_so_tthc.count'])).toBe(Number(hand!.n))
    expect(Number(hand!.n)).toBeGreaterThan(0)
  })

  it('an officer proposes a dataset in the catalogue page, a steward approves it, and its view is there to query', async () => {
    const officer = await newPage()
    await signIn(officer, service.url, 'canbo.soyt')
    await officer.goto(`${service.url}/catalog`)
    await officer.click('[data-testid=tab-proposals]')
    const form = '[data-testid=proposal-form]'
    await officer.fill(`${form} input[name=id]`, 'co_so_y_te')
    await officer.fill(`${form} input[name=name]`, 'Cơ sở khám bệnh, chữa bệnh')
    await officer.fill(`${form} input[name=description]`, 'Bệnh viện, trạm y tế và phòng khám được cấp phép')
    await officer.selectOption(`${form} select[name=consumers]`, 'BHXH_TINH')
    await officer.selectOption(`${form} select[name=update_frequency]`, 'quarterly')
    await officer.fill(`${form} input[name=natural_key]`, 'ma_co_so')
    const column = async (i: number, id: string, label: string, identifier = '') => {
      if (i > 0) await officer.click('[data-testid=add-column]')
      await officer.fill(`[data-column="${i}"] input[aria-label="Mã"]`, id)
      await officer.fill(`[data-column="${i}"] input[aria-label="Tên cột"]`, label)
      if (identifier) await officer.selectOption(`[data-column="${i}"] select[aria-label="Định danh dùng chung"]`, identifier)
    }
    await column(0, 'ma_co_so', 'Mã cơ sở')
    await column(1, 'ten_co_so', 'Tên cơ sở')
    await column(2, 'ma_xa', 'Mã xã', 'commune_code')
    await officer.click(`${form} button[type=submit]`)
    await officer.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te") [data-status=proposed]')
    await screenshot(officer, 'catalog-proposal')

    const steward = await newPage()
    await signIn(steward, service.url, 'quantri')
    await steward.goto(`${service.url}/catalog`)
    await steward.click('[data-testid=tab-proposals]')
    const row = '[data-testid=proposals] tr:has-text("co_so_y_te")'
    await steward.waitForSelector(`${row} button[data-action=approve]`)
    await steward.click(`${row} button[data-action=approve]`)
    await steward.waitForSelector(`${row} [data-status=approved]`)
    await screenshot(steward, 'catalog-approved')

    // No restart: the catalogue has it, and the officer's explorer offers its generated view.
    const entry = await apiGet<{ owner: string; columns: { id: string }[] }>('canbo.soyt', '/api/catalog/datasets/co_so_y_te')
    expect(entry.body.owner).toBe('SO_YT')
    await officer.goto(`${service.url}/explorer`)
    await officer.waitForSelector('[data-testid=view-picker]')
    expect(await officer.$$eval('[data-testid=view-picker] option', (os) => os.map((o) => o.getAttribute('value')))).toContain('co_so_y_te')

    // A change, starting from the entry as it is: the officer adds a column; what the form does not
    // show (formats, the demo's own health-facility dataset's settings) stays as it was.
    await officer.goto(`${service.url}/catalog`)
    await officer.click('[data-testid=tab-proposals]')
    await officer.selectOption('[data-testid=change-existing]', 'co_so_y_te')
    await officer.waitForSelector(`${form} input[name=id][readonly]`)
    expect(await officer.inputValue(`${form} input[name=name]`)).toBe('Cơ sở khám bệnh, chữa bệnh')
    expect(await officer.$$eval('[data-column]', (cs) => cs.length)).toBe(3)
    await column(3, 'so_giuong', 'Số giường bệnh')
    await officer.selectOption('[data-column="3"] select[aria-label="Kiểu"]', 'integer')
    await officer.click(`${form} button[type=submit]`)
    await officer.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te"):has-text("2") [data-status=proposed]')
    await steward.reload()
    await steward.click('[data-testid=tab-proposals]')
    const v2 = '[data-testid=proposals] tr:has-text("co_so_y_te"):has([data-status=proposed])'
    await steward.waitForSelector(`${v2} button[data-action=approve]`)
    await steward.click(`${v2} button[data-action=approve]`)
    await steward.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te") [data-status=superseded]')
    const changed = await apiGet<{ columns: { id: string; type: string }[]; formats: string[] }>('canbo.soyt', '/api/catalog/datasets/co_so_y_te')
    expect(changed.body.columns.map((c) => [c.id, c.type])).toEqual([['ma_co_so', 'string'], ['ten_co_so', 'string'], ['ma_xa', 'string'], ['so_giuong', 'integer']])
    expect(changed.body.formats).toEqual(['csv', 'xlsx'])
    await officer.close()
    await steward.close()
  })

  it("a steward allows a pull connector's host from the proposal, and an administrator sets its secret without ever seeing it again", async () => {
    const proposed = await fetch(`${service.url}/api/catalog/proposals`, {
      method: 'POST',
      headers: { authorization: await tokenOf('canbo.soyt'), 'content-type': 'application/json' },
      body: JSON.stringify({
        entry: {
          id: 'co_so_keo',
          name: 'Cơ sở y tế (kéo từ hệ thống của Sở)',
          name_en: 'Health facilities (pulled from the department)',
          owner: 'SO_YT',
          description: 'Danh sách cơ sở kéo từ hệ thống của Sở Y tế.',
          personal_data: false,
          sharing: { scope: 'dung_chung', method: 'file', consumers: ['BHXH_TINH'] },
          update_frequency: 'monthly',
          format_standard: 'JSON từ API của Sở',
          formats: ['json'],
          natural_key: ['ma_co_so'],
          columns: [{ id: 'ma_co_so', label: 'Mã cơ sở', type: 'string', required: true }],
          pull: { url: 'https://api.soyt.laocai.gov.vn/co-so', schedule: '0 2 * * *', auth: { header: 'X-Api-Key', secret: 'soyt-api' } },
        },
      }),
    })
    expect(proposed.status, await proposed.clone().text()).toBe(200)
    const steward = await newPage()
    await signIn(steward, service.url, 'quantri')
    await steward.goto(`${service.url}/catalog`)
    await steward.click('[data-testid=tab-proposals]')
    const row = '[data-testid=proposals] tr:has-text("co_so_keo")'
    await steward.waitForSelector(`${row} [data-problem=host]`)
    await steward.click(`${row} button[data-action=allow-host]`)
    await steward.waitForSelector(`${row} [data-problem=host]`, { state: 'detached' })
    expect(await steward.isVisible(`${row} [data-problem=secret]`)).toBe(true)

    const admin = await newPage()
    await signIn(admin, service.url, 'admin')
    await admin.goto(`${service.url}/admin`)
    const panel = '[data-testid=pull-connections]'
    await admin.waitForSelector(`${panel} [data-testid=pull-hosts] tr:has-text("api.soyt.laocai.gov.vn")`)
    expect(await admin.textContent(`${panel} [data-testid=pull-hosts] tr:has-text("api.soyt.laocai.gov.vn")`)).toContain('Cơ sở y tế (kéo từ hệ thống của Sở)')
    await admin.fill(`${panel} input[name=name]`, 'soyt-api')
    await admin.fill(`${panel} input[name=value]`, 'gia-tri-bi-mat-123')
    await admin.click(`${panel} form[aria-label="Lưu khóa"] button[type=submit]`)
    await admin.waitForSelector(`${panel} [data-testid=secrets] tr:has-text("soyt-api")`)
    await screenshot(admin, 'admin-pull-connections')
    expect(await admin.content()).not.toContain('gia-tri-bi-mat-123')
    await steward.reload()
    await steward.click('[data-testid=tab-proposals]')
    await steward.waitForSelector(`${row} .outbound`)
    expect(await steward.$$(`${row} [data-problem]`)).toHaveLength(0)
    await admin.close()
    await steward.close()
  })
})

describe('the scorecard, catalogue and administration (steward, admin)', () => {
  it('ranks agencies on the five criteria and drills to their rejected rows; briefings and administration', async () => {
    const page = await newPage()
    await signIn(page, service.url, 'quantri')
    await page.goto(`${service.url}/quality`)
    await page.waitForSelector('[data-testid=scorecard] tbody tr')
    const ranks = await page.$$eval('[data-testid=scorecard] tbody tr td:first-child', (tds) => tds.map((td) => Number(td.textContent)))
    expect(ranks[0]).toBe(1)
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks)
    await page.click('[data-testid=scorecard] button.linkish[data-agency="CA_TINH"]')
    await page.waitForSelector('[data-testid=quality-rejects] tbody tr')
    expect(await page.textContent('[data-testid=quality-rejects]')).toMatch(/CCCD|định danh/)
    await screenshot(page, 'quality')

    await page.goto(`${service.url}/catalog`)
    await page.waitForSelector('[data-testid=datasets] tbody tr')
    expect(await page.textContent('[data-testid=quality-formulas]')).toContain('Kịp thời')
    // A dataset's columns, enumerations with the labels people write for their codes.
    await page.click('[data-testid=datasets] button:has-text("Đăng ký doanh nghiệp")')
    await page.waitForSelector('[data-testid=dataset-columns] tbody tr')
    expect(await page.textContent('[data-testid=dataset-columns]')).toContain('Đang hoạt động (dang_hoat_dong)')
    // A steward may attach the dataset's technical documentation there.
    expect(await page.$('[data-testid=dataset-attachments] input[type=file]')).not.toBeNull()
    await page.click('text=Từ điển chỉ tiêu')
    await page.waitForSelector('[data-testid=indicators] tbody tr')
    expect(await page.textContent('[data-testid=indicators]')).toContain('GRDP')
    await screenshot(page, 'catalog')

    // A leader's first visit: each briefing already built by the demo for its latest period, its
    // schedule in words; a briefing built now for another quarter, then downloaded.
    const leader = await newPage()
    await signIn(leader, service.url, 'lanhdao')
    await leader.goto(`${service.url}/briefings`)
    const quarterly = '[data-testid=briefing-kt_xh_quy]'
    await leader.waitForSelector(`${quarterly} tbody tr button.linkish`)
    expect(await leader.textContent(`${quarterly} [data-testid=schedule]`)).toBe('07:00 ngày 5 tháng đầu mỗi quý')
    const thisQuarter = containing('quarter', new Date(`${clock.today()}T00:00:00Z`))
    const lastQuarter = periodCode(previous(thisQuarter))
    const quarterBefore = periodCode(previous(previous(thisQuarter)))
    expect(await leader.$$eval(`${quarterly} tbody tr button.linkish`, (bs) => bs.map((b) => b.getAttribute('title')))).toEqual([`kt_xh_quy_${lastQuarter}.xlsx`])
    expect(await leader.textContent(`${quarterly} tbody`)).toContain(periodLabel(previous(thisQuarter)))
    expect(await leader.$$eval('[data-testid=briefing-kt_xh_thang] tbody tr', (trs) => trs.length)).toBe(1)
    await leader.selectOption(`${quarterly} select`, quarterBefore)
    await leader.click(`${quarterly} button:has-text("Lập báo cáo ngay")`)
    await leader.waitForSelector(`${quarterly} button.linkish[title="kt_xh_quy_${quarterBefore}.xlsx"]`)
    const [workbook] = await Promise.all([leader.waitForEvent('download'), leader.click(`${quarterly} button.linkish[title="kt_xh_quy_${quarterBefore}.xlsx"]`)])
    const sheet = await readWorkbook((await workbook.path())!)
    expect(sheet.getCell('A2').value).toBe('BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI')
    await screenshot(leader, 'briefings')
    await leader.close()

    await page.goto(`${service.url}/admin`)
    await page.waitForSelector('[data-testid=audit] tbody tr')
    // Days are typed as dd/mm/yyyy whatever the browser's locale; a day that does not exist is refused.
    const from = page.locator('input[aria-label="Từ ngày"]')
    expect(await from.getAttribute('placeholder')).toBe('dd/mm/yyyy')
    await from.fill('31/02/2026')
    expect(await from.getAttribute('aria-invalid')).toBe('true')
    expect(await from.evaluate((i) => (i as unknown as { validationMessage: string }).validationMessage)).toContain('dd/mm/yyyy')
    const tomorrow = new Date(clock.nowMs() + 86_400_000 + 7 * 3600_000)
    await from.fill(`${String(tomorrow.getUTCDate()).padStart(2, '0')}/${String(tomorrow.getUTCMonth() + 1).padStart(2, '0')}/${tomorrow.getUTCFullYear()}`)
    expect(await from.getAttribute('aria-invalid')).toBeNull()
    // Nothing was logged from tomorrow on: the filter took the typed day.
    await page.locator('[data-testid=audit] tbody tr:nth-child(2)').waitFor({ state: 'detached' })
    await from.fill('')
    await page.waitForSelector('[data-testid=audit] tbody tr:nth-child(2)')
    // A steward reviews accounts (with their last sign-in) but does not change them, and verifies the sharing log.
    await page.waitForSelector('[data-testid=accounts] tbody tr')
    expect(await page.$('[data-edit]')).toBeNull()
    await page.waitForSelector('[data-testid=account-review] summary')
    await page.click('text=Kiểm tra tính toàn vẹn')
    expect(await page.getAttribute('[data-testid=verify-result]', 'data-ok')).toBe('true')
    await screenshot(page, 'admin-steward')
    await page.close()

    const admin = await newPage()
    await signIn(admin, service.url, 'admin')
    await admin.goto(`${service.url}/admin`)
    await admin.waitForSelector('[data-testid=accounts] tbody tr')
    expect(await admin.textContent('[data-testid=accounts]')).toContain('canbo.sotc')
    await screenshot(admin, 'admin')
    await admin.close()
  })
})

/** What a page shows a person: its visible text nodes, each with whether it sits in a part marked as another language. */
async function visibleTexts(page: Page): Promise<{ text: string; vi: boolean; raw: boolean }[]> {
  // A string: this file is type-checked without the DOM's types; the script runs in the page.
  return page.evaluate(`(() => {
    const out = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      const text = (n.textContent || '').trim()
      if (!el || !text || el.closest('script,style,[hidden]')) continue
      const box = el.getBoundingClientRect()
      if (el.tagName !== 'OPTION' && (box.width === 0 || box.height === 0)) continue
      // [lang=vi] inside an English page: a name in the data (a commune, an agency, a dataset);
      // code, kbd, [translate=no]: an identifier shown as itself (a CCCD, a file name).
      out.push({ text, vi: el.closest('html[lang=en] [lang=vi]') !== null, raw: el.closest('code,kbd,[translate=no]') !== null })
    }
    for (const input of document.querySelectorAll('input[placeholder],textarea[placeholder]')) {
      const text = input.getAttribute('placeholder') || ''
      if (text && input.getBoundingClientRect().width > 0) out.push({ text, vi: false, raw: false })
    }
    return out
  })()`)
}

const settled = async (page: Page) => {
  // Not 'networkidle': the overview keeps its live-changes stream (GET /api/live) open.
  await page.waitForLoadState('load')
  // Polled from here: the page's CSP forbids the string evaluation waitForFunction would need.
  // Twice, a moment apart, so a section that starts loading after the first settles is waited for too.
  for (let i = 0; i < 2; i++) {
    await expect.poll(() => page.locator('.state.loading').count(), { timeout: 30_000 }).toBe(0)
    await page.waitForTimeout(400)
  }
}

/** A person's words have no snake_case or UPPER_CASE codes, no ISO days or period codes, and none of the other language's words. */
function languageFaults(texts: { text: string; vi: boolean; raw: boolean }[], lang: 'vi' | 'en', properNames: Set<string>): string[] {
  const faults: string[] = []
  // Words that are English and never Vietnamese written without marks ("to", "do", "in", "an" are Vietnamese too).
  const english = /\b(the|and|of|with|from|for|is|are|not|this|that|each|every|first|next|last|loading|error|page|sign|your|has|have|was|were|or|at|as|by|its|than|then|when|which|who|will|been|into|only|yet|none|days?|months?|year|rows?|files?|data|dataset|upload|download|agency|indicator|report|run|runs|scheduled|schedule|status|pending|approved|refused|committed|rejected|failed|succeeded|overview|explorer|quality|catalogue?|briefings?|sharing|admin)\b/i
  // Vietnamese words that carry meaning in a sentence, not in a name.
  const vietnamese = /(^|[\s(])(của|và|các|những|được|không|với|trong|theo|đã|chưa|này|một|là|cho|từ|đến|có|bị|chờ|đang|tệp|dòng|ngày|tháng|năm|quý|kỳ|lần|báo cáo|chỉ tiêu|dữ liệu)(?=$|[\s,.:;)])/i
  for (const t of texts) {
    if (t.raw) continue
    // A code beside its label, "Sở Tài chính (SO_TC)", is the label's reference, not a code shown instead of it.
    const text = t.text.replace(/\(([A-Za-z0-9_.\-]+(, ?[A-Za-z0-9_.\-]+)*)\)/g, '')
    if (/\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b/.test(text) || /\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/.test(text)) faults.push(`code: ${t.text}`)
    if (/\b\d{4}-\d{2}-\d{2}\b/.test(text)) faults.push(`ISO day: ${t.text}`)
    if (/\b\d{4}-(Q[1-4]|\d{2})\b/.test(text)) faults.push(`period code: ${t.text}`)
    if (lang === 'vi' && english.test(text) && !/[à-ỹđ]/i.test(text)) faults.push(`English: ${t.text}`)
    // Agencies and communes have no English names: their Vietnamese names are proper names in either language.
    if (lang === 'en' && !t.vi && !properNames.has(text.trim()) && vietnamese.test(text)) faults.push(`Vietnamese: ${t.text}`)
  }
  return [...new Set(faults)]
}

describe('error reports (analyst reports a value, the owner agency answers and closes it)', () => {
  it('an analyst reports a suspected error on a value; the owner agency sees it, answers and closes it by an explanation', async () => {
    const note = `Số doanh nghiệp mới tháng 10 của phường Bắc Giang cao bất thường ${Date.now()}`
    const analyst = await newPage()
    await signIn(analyst, service.url, 'phantich')
    await analyst.goto(`${service.url}/reports`)
    const form = 'form[aria-label="Báo một lỗi trong dữ liệu"]'
    await analyst.waitForSelector(`${form} select[name=indicator_code] option[value=ENT_NEW]`, { state: 'attached' })
    await analyst.selectOption(`${form} select[name=indicator_code]`, 'ENT_NEW')
    await analyst.fill(`${form} input[name=unit_code]`, '07210')
    await analyst.fill(`${form} input[name=period]`, '2026-10')
    await analyst.fill(`${form} textarea[name=note]`, note)
    await analyst.click(`${form} button[type=submit]`)
    await analyst.waitForSelector('p.state[role=status]:has-text("Đã gửi báo lỗi")')
    await analyst.waitForSelector(`[data-testid=error-reports] tr:has-text("${note}")`)
    await screenshot(analyst, 'error-report-sent')

    const owner = await newPage()
    await signIn(owner, service.url, 'canbo.sotc')
    // The agency's portal says a report waits for it, and leads to it.
    await owner.goto(`${service.url}/portal`)
    await owner.click('[data-testid=portal-error-reports] a')
    const row = `[data-testid=error-reports] tr:has-text("${note}")`
    await owner.waitForSelector(row)
    await owner.fill(`${row} textarea[name=answer]`, 'Đúng: tháng 10 có đợt cấp phép dồn từ tháng 9')
    await owner.selectOption(`${row} select`, 'explanation')
    await owner.click(`${row} button[type=submit]`)
    // Closed: gone from the open list, shown among the closed with its answer.
    await owner.waitForSelector(row, { state: 'detached' })
    await owner.click('button:has-text("Đã đóng")')
    await owner.waitForSelector(`${row}:has-text("cấp phép dồn")`)
    await screenshot(owner, 'error-report-closed')

    // The analyst sees the answer; another agency's officer never saw the report.
    const mine = (await apiGet<{ reports: { note: string; status: string; answer: string }[] }>('phantich', '/api/error-reports?state=all')).body.reports.find((r) => r.note === note)
    expect(mine).toMatchObject({ status: 'closed', answer: 'Đúng: tháng 10 có đợt cấp phép dồn từ tháng 9' })
    const other = (await apiGet<{ reports: { note: string }[] }>('canbo.soyt', '/api/error-reports?state=all')).body.reports
    expect(other.some((r) => r.note === note)).toBe(false)
    await analyst.close()
    await owner.close()
  })
})

describe('every page in both languages', () => {
  it.each([
    ['lanhdao', ['/', '/explorer', '/quality', '/briefings', '/catalog']],
    ['canbo.sotc', ['/portal', '/sharing', '/explorer', '/catalog']],
    ['quantri', ['/', '/portal', '/sharing', '/quality', '/briefings', '/catalog', '/admin']],
  ] as const)('%s: no raw codes, ISO days or the other language on any page', async (user, paths) => {
    const faults: string[] = []
    const agencies = (await apiGet<{ name: string }[]>(user, '/api/catalog/agencies')).body
    const properNames = new Set([...agencies.map((a) => a.name), ...communesOf('24').map((c) => c.name)])
    for (const lang of ['vi', 'en'] as const) {
      const page = await newPage()
      await page.addInitScript(`localStorage.setItem('kho.lang', '${lang}')`)
      await signIn(page, service.url, user)
      for (const p of paths) {
        await page.goto(service.url + p)
        await page.waitForSelector('main')
        await settled(page)
        // Each of the page's tabs and open-able parts counts too.
        const tabs = await page.$$('[role=tab]')
        for (const tab of tabs.length > 0 ? tabs : [null]) {
          if (tab) {
            await tab.click()
            await settled(page)
          }
          for (const f of languageFaults(await visibleTexts(page), lang, properNames)) faults.push(`${lang} ${p}: ${f}`)
        }
        if (p === '/') {
          // The overview's drill-down: a commune of the ranking opened.
          await page.click('[data-testid=commune-ranking] button.linkish')
          await page.waitForSelector('[data-testid=drill-submissions] tbody tr')
          for (const f of languageFaults(await visibleTexts(page), lang, properNames)) faults.push(`${lang} ${p} (drill): ${f}`)
        }
        await screenshot(page, `language-${user}-${lang}-${p.slice(1) || 'overview'}`)
      }
      await page.close()
    }
    expect([...new Set(faults)]).toEqual([])
  }, 240_000)
})
