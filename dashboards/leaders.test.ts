import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { screenshot, signIn } from './testing/browser.ts'
import { languageFaults, settled, visibleTexts } from './testing/page-words.ts'
import { readWorkbook, useUiService } from './testing/ui-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'

/*
 * What leaders and analysts look at: the IOC overview and its commune map (a steward uploads
 * boundaries), and the explorer (building, sharing and exporting questions, the guided start, large
 * results): in Debian's Chromium against the real service with the demo province loaded, each step
 * checked against the API.
 */
const ui = useUiService()

describe('the IOC overview (leader)', () => {
  it('fills every headline tile with the number the API returns for it, in Vietnamese format', async () => {
    const page = await ui.newPage()
    const started = Date.now()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    console.info(`overview ready in ${Date.now() - started} ms (demo scale 1; bench:dashboards measures scale 10)`)
    const tiles = await page.$$eval('[data-testid^="tile-"]', (els) =>
      els.map((e) => ({ code: e.getAttribute('data-testid')!.slice(5), value: e.getAttribute('data-value'), period: e.getAttribute('data-period'), text: e.textContent ?? '' })),
    )
    const config = (await ui.apiGet<{ headline: string[] }>('lanhdao', '/api/dashboards/ioc')).body
    expect(tiles.map((t) => t.code)).toEqual(config.headline)
    for (const tile of tiles) {
      expect(tile.value, tile.code).not.toBe('')
      const [row] = await ui.cubeLoad('lanhdao', {
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
    // Where the click was: right under the clicked tile's row, its latest period first with the tile's value.
    await page.waitForSelector('[data-testid="drill-recent"] tbody tr')
    const tileBottom = await page.$eval(`[data-testid="tile-${tiles[0]!.code}"]`, (e) => e.getBoundingClientRect().bottom)
    const drillTop = await page.$eval('[data-testid=drill]', (e) => e.getBoundingClientRect().top)
    expect(drillTop - tileBottom).toBeGreaterThanOrEqual(0)
    expect(drillTop - tileBottom).toBeLessThan(40)
    expect(await page.textContent('[data-testid="drill-recent"] tbody tr:first-child')).toContain(new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(Number(tiles[0]!.value)))
    const owner = (await ui.apiGet<{ code: string; owner: string }[]>('lanhdao', '/api/catalog/indicators')).body.find((i) => i.code === tiles[0]!.code)!.owner
    expect(await page.textContent('[data-testid="drill-submissions"]')).toContain(owner)
    // …and from a commune in the ranking to its own figure.
    await page.click('[data-testid="commune-ranking"] tbody tr:first-child button')
    await page.waitForSelector('[data-testid="drill"] caption')
    await screenshot(page, 'overview-drill')

    await page.goto(`${ui.url}/kiosk?screen=tiles`)
    await page.waitForSelector('.kiosk .overview[data-ready=true]')
    expect(await page.$('header.top')).toBeNull()
    await screenshot(page, 'kiosk')
    await page.close()
  })

  it('changes a kiosk tile on its own when a delivery changes its number: pushed by the service, not polled', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    await page.goto(`${ui.url}/kiosk?screen=tiles`)
    await page.waitForSelector('.kiosk .overview[data-ready=true]')
    const tile = '[data-testid="tile-ENT_NEW"]'
    const before = Number(await page.getAttribute(tile, 'data-value'))
    const period = (await page.getAttribute(tile, 'data-period'))!
    expect(period).toMatch(/^\d{4}-\d{2}$/)
    // The kiosk's stream is open (it polls only while it is not, once a minute), and still open when the tile changes below.
    await expect.poll(() => ui.service.ctx.live.listening, { timeout: 5000 }).toBeGreaterThan(0)
    // The business registry office delivers a new month's figure for one commune.
    const file = path.join(ui.home, 'ent-new-live.csv')
    fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', `ENT_NEW,${period},${communesOf('24')[3]!.code},50000`].join('\n'))
    const report = await ui.service.ctx.deliver.file({ file, dataset: 'chi_tieu_kt_xh', agency: 'SO_TC', channel: 'file' })
    expect(report.status).toBe('committed')
    // Polled from here (the page's CSP forbids waitForFunction's evaluation); the page itself is not told to reload.
    // The wait covers the marts' rebuild on a loaded machine; the page's own fallback poll runs only while its stream is closed.
    await expect.poll(async () => Number(await page.getAttribute(tile, 'data-value')), { timeout: 90_000, interval: 200 }).not.toBe(before)
    const shown = Number(await page.getAttribute(tile, 'data-value'))
    expect(ui.service.ctx.live.listening).toBeGreaterThan(0)
    // What the tile shows is what the API now answers for the indicator's month.
    const [row] = await ui.cubeLoad('lanhdao', { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [period] }] })
    expect(shown).toBe(Number(row!['kt_xh.value']))
    expect(shown).toBeGreaterThan(before)
    await page.close()
  }, 180_000)

  it('shows what kho computes from the integrated registers beside the reported figures, and the communes that disagree', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('[data-testid="reconciliation-table"] tbody tr')
    const shown = await page.$$eval('[data-testid="reconciliation-table"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
    // The province's line of each computed indicator, as the warehouse has it.
    const checks = await ui.cubeLoad('lanhdao', {
      measures: ['indicator_checks.computed', 'indicator_checks.reported', 'indicator_checks.units_disagreeing'],
      dimensions: ['indicator_checks.indicator_code', 'indicator_checks.indicators_name'],
      filters: [{ member: 'indicator_checks.unit_level', operator: 'equals', values: ['province'] }],
      order: [['indicator_checks.indicator_code', 'asc']],
    })
    const hand = await queryRows<{ indicator_code: string; computed: number; reported: number | null; period: string; reported_period: string | null; disagrees: boolean }>(
      ui.service.ctx.wh.client,
      "SELECT indicator_code, computed, reported, period, reported_period, disagrees FROM marts.fct_indicator_check WHERE unit_level = 'province' ORDER BY indicator_code",
    )
    // Like with like: a reported figure is the one for the month kho's data covers.
    for (const h of hand) if (h.reported !== null) expect(h.reported_period, h.indicator_code).toBe(h.period)
    // The caption's rule, flagged on the page: the demo's coverage rate divides by the labour force, kho's by residents of working age.
    expect(hand.find((h) => h.indicator_code === 'SI_COVERAGE')!.disagrees).toBe(true)
    expect(checks.map((c) => [c['indicator_checks.indicator_code'], Number(c['indicator_checks.computed']).toFixed(2)])).toEqual(hand.map((h) => [h.indicator_code, Number(h.computed).toFixed(2)]))
    expect(hand.map((h) => h.indicator_code)).toEqual(['ENT_ACTIVE', 'POP_RESIDENT', 'SI_COVERAGE', 'SI_PARTICIPANTS', 'TRAFFIC_ACC', 'TRAFFIC_DEATHS'])
    // The accident register declares what it computes: its month's accidents and deaths, counted by
    // hand from its rows, are kho's figures, and the police's reports agree with their own register.
    const deaths = hand.find((h) => h.indicator_code === 'TRAFFIC_DEATHS')!
    const [register] = await queryRows<{ cases: number; deaths: number }>(
      ui.service.ctx.wh.client,
      `SELECT count() AS cases, sum(so_nguoi_chet) AS deaths FROM std.ds_tai_nan_giao_thong FINAL WHERE formatDateTime(ngay_xay_ra, '%Y-%m') = '${deaths.period}'`,
    )
    expect(Number(deaths.computed)).toBe(Number(register!.deaths))
    expect(Number(hand.find((h) => h.indicator_code === 'TRAFFIC_ACC')!.computed)).toBe(Number(register!.cases))
    expect(Number(register!.deaths)).toBeGreaterThan(0)
    expect(deaths.reported).toBe(Number(register!.deaths))
    const vi = (x: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x)
    for (const h of hand) {
      const name = String(checks.find((c) => c['indicator_checks.indicator_code'] === h.indicator_code)!['indicator_checks.indicators_name'])
      const row = shown.find((r) => r[0] === name)!
      expect(row, name).toBeDefined()
      expect(row[2]).toBe(vi(Number(h.computed)))
      // Both numbers, and the gap flagged where the rule says so.
      if (h.reported !== null) expect(row[3]).toContain(vi(Number(h.reported)))
      expect(row[4]!.includes('Vượt ngưỡng'), name).toBe(Boolean(h.disagrees))
    }
    // The demo's social-insurance office reports a few communes' participants off: they are listed.
    const [si] = await ui.cubeLoad('lanhdao', {
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
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    await page.click('button.lang')
    await page.waitForSelector('text=IOC overview')
    expect(await page.getAttribute('html', 'lang')).toBe('en')
    // The tiles, the trend and the ranking in English, units too ("billion VND", not "tỷ đồng").
    await settled(page)
    const words = await visibleTexts(page)
    const properNames = new Set(communesOf('24').map((c) => c.name))
    expect(languageFaults(words, 'en', properNames)).toEqual([])
    expect(words.map((w) => w.text)).toContain('billion VND')
    await page.click('button.lang')
    await page.waitForSelector('text=Tổng quan IOC')
    await page.close()
  })
})

describe('the commune map on the overview (leader; steward uploads boundaries)', () => {
  it("draws the demo's illustrative boundaries in the ranking's colours, with a legend, and drills into a commune on click", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
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
    const provinceEntNew = await page.getAttribute('[data-testid=tile-ENT_NEW]', 'data-value')
    await page.click(`[data-testid=commune-map] path[data-unit="${byName.get(first!)}"]`)
    await page.waitForSelector('[data-testid=drill]')
    expect(await page.textContent('[data-testid=drill] h2')).toContain(first)
    await screenshot(page, 'overview-map')

    // The commune chosen narrows the tiles to its own figures (one click back to the province's).
    await page.waitForSelector('[data-testid=commune-filter]')
    expect(await page.textContent('[data-testid=commune-filter]')).toContain(first)
    const entPeriod = (await page.getAttribute('[data-testid=tile-ENT_NEW]', 'data-period'))!
    const [own] = await ui.cubeLoad('lanhdao', {
      measures: ['kt_xh.value'],
      filters: [
        { member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] },
        { member: 'kt_xh.period', operator: 'equals', values: [entPeriod] },
        { member: 'kt_xh.unit_code', operator: 'equals', values: [byName.get(first!)!] },
      ],
    })
    await expect.poll(() => page.getAttribute('[data-testid=tile-ENT_NEW]', 'data-value')).toBe(String(Number(own!['kt_xh.value'])))
    expect(await page.textContent('[data-testid=tile-CPI]')).toContain('chỉ có số toàn tỉnh')
    await page.click('[data-testid=clear-commune]')
    await expect.poll(() => page.getAttribute('[data-testid=tile-ENT_NEW]', 'data-value')).toBe(provinceEntNew)
    expect(await page.$('[data-testid=commune-filter]')).toBeNull()

    // From the drill to the commune's profile: every indicator it has, each number the API's.
    await page.click('[data-testid=open-profile]')
    await page.waitForSelector('[data-testid=profile-indicators] tbody tr')
    await settled(page)
    expect(await page.textContent('h1')).toContain(first)
    const unit = byName.get(first!)!
    const shown = await page.$$eval('[data-testid=profile-indicators] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('button')!.getAttribute('data-indicator')!, ...[...tr.querySelectorAll('td')].slice(1, 4).map((td) => td.textContent ?? '')]))
    expect(shown.length).toBeGreaterThan(5)
    const period = (await page.textContent('[data-testid=commune-profile] .panel h2'))!
    const [month, year] = period.replace('Tháng ', '').split('/')
    const code = `${year}-${month!.padStart(2, '0')}`
    const vi = (x: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x)
    const indicators = new Map((await ui.apiGet<{ code: string; direction: string }[]>('lanhdao', '/api/catalog/indicators')).body.map((i) => [i.code, i]))
    for (const [indicator, value, rank] of shown) {
      const all = await ui.cubeLoad('lanhdao', {
        measures: ['kt_xh.value'],
        dimensions: ['kt_xh.unit_code'],
        filters: [
          { member: 'kt_xh.indicator_code', operator: 'equals', values: [indicator] },
          { member: 'kt_xh.period', operator: 'equals', values: [code] },
          { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
        ],
      })
      const values = all.map((r) => Number(r['kt_xh.value']))
      const mine = Number(all.find((r) => r['kt_xh.unit_code'] === unit)!['kt_xh.value'])
      expect(value, indicator).toContain(vi(mine))
      const down = indicators.get(indicator!)!.direction === 'down'
      expect(rank, indicator).toBe(`${values.filter((v) => (down ? v < mine : v > mine)).length + 1}/${values.length}`)
    }
    await screenshot(page, 'commune-profile')
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
      return fetch(`${ui.url}/api/map/communes`, { method: 'POST', headers: { authorization: await ui.tokenOf(user) }, body: form })
    }
    expect((await post('canbo.sotc', '{}')).status).toBe(403)
    const broken = await post('quantri', '{"type": "FeatureCollection", "features": [')
    expect(broken.status).toBe(422)
    expect(((await broken.json()) as { problems: { vi: string }[] }).problems[0]!.vi).toMatch(/JSON/)

    const page = await ui.newPage()
    await signIn(page, ui.url, 'quantri')
    await page.goto(`${ui.url}/admin`)
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

    const leader = await ui.newPage()
    await signIn(leader, ui.url, 'lanhdao')
    await leader.waitForSelector('[data-testid=commune-map] path')
    expect(await leader.$$eval('[data-testid=commune-map] path', (ps) => ps.length)).toBe(communes.length - 1)
    expect(await leader.$('[data-testid=map-illustrative]')).toBeNull()
    await leader.close()
  })
})

describe('the explorer (analyst)', () => {
  it('builds a query, shares it by URL and downloads an XLSX with the same values as the API', async () => {
    const [latest] = await ui.cubeLoad('phantich', { dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }], order: [['kt_xh.period', 'desc']], limit: 1 })
    const month = String(latest!['kt_xh.period'])
    const page = await ui.newPage()
    await signIn(page, ui.url, 'phantich')
    await page.goto(`${ui.url}/explorer`)
    await page.selectOption('[data-testid=view-picker]', 'kt_xh')
    await page.check('input[data-member="kt_xh.value"]')
    await page.check('input[data-member="kt_xh.plan_pct"]')
    await page.check('input[data-member="kt_xh.indicator_code"]')
    await page.click('text=Thêm bộ lọc')
    await page.selectOption('select[aria-label="Bộ lọc"]', 'kt_xh.period')
    // The period picked from the data's periods, found by its code and shown in words.
    await page.click('[data-testid=value-picker]')
    await page.fill('input[aria-label="Tìm giá trị"]', month)
    await page.click('.value-picker-list label >> nth=0')
    expect(await page.textContent('[data-testid=value-picker]')).toBe(`Tháng ${Number(month.slice(5))}/${month.slice(0, 4)}`)
    await page.click('[data-testid=run-query]')
    await page.waitForSelector('[data-testid=result] tbody tr')
    const expected = await ui.cubeLoad('phantich', {
      measures: ['kt_xh.value', 'kt_xh.plan_pct'],
      dimensions: ['kt_xh.indicator_code'],
      filters: [{ member: 'kt_xh.period', operator: 'equals', values: [month] }],
      limit: 10000,
    })
    expect(Number(await page.getAttribute('[data-testid=result]', 'data-rows'))).toBe(expected.length)
    await screenshot(page, 'explorer')

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')])
    // Named after the question; a title block in words above the header; each code with its name beside it.
    expect(download.suggestedFilename()).toMatch(/^gia-tri-thuc-hien.*-theo-ma-chi-tieu-\d{4}-\d{2}-\d{2}\.xlsx$/)
    const ws = await readWorkbook((await download.path())!)
    let header = 0
    ws.eachRow((row, i) => {
      if (!header && row.getCell(1).value === 'Mã chỉ tiêu') header = i
    })
    expect(header).toBeGreaterThan(2)
    const block = Array.from({ length: header - 1 }, (_, i) => String(ws.getRow(i + 1).getCell(1).value))
    expect(block.join('\n')).toContain(`Kỳ báo cáo bằng Tháng ${Number(month.slice(5))}/${month.slice(0, 4)}`)
    expect(block.join('\n')).toContain('Người xuất: phantich')
    expect(ws.getRow(header).getCell(2).value).toBe('Mã chỉ tiêu (tên)')
    const fromFile = new Map<string, [number | null, number | null]>()
    ws.eachRow((row, i) => {
      if (i > header) fromFile.set(String(row.getCell(1).value), [row.getCell(3).value as number | null, row.getCell(4).value as number | null])
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
    const again = await ui.newPage()
    await signIn(again, ui.url, 'phantich')
    await again.goto(shared)
    await again.waitForSelector('[data-testid=result] tbody tr')
    expect(Number(await again.getAttribute('[data-testid=result]', 'data-rows'))).toBe(expected.length)

    // A named query is kept for the account.
    await again.fill('input[aria-label="Tên truy vấn"]', 'Chỉ tiêu tháng')
    await again.click('[data-testid=save-query]')
    await again.waitForSelector('button.linkish:has-text("Chỉ tiêu tháng")')
    const saved = await ui.apiGet<{ name: string }[]>('phantich', '/api/saved-queries')
    expect(saved.body.map((s) => s.name)).toEqual(['Chỉ tiêu tháng'])
    await page.close()
    await again.close()
  })
})

describe('Hỏi đáp on the overview (leader)', () => {
  it('answers "ban le thang 10" with the number and a chart, and opens the same question in the explorer', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('[data-testid=ask] input')
    await page.fill('[data-testid=ask] input', 'ban le thang 10')
    await page.press('[data-testid=ask] input', 'Enter')
    await page.waitForSelector('[data-testid=ask-number]')
    // The page's number is the API's, in vi-VN format, under a sentence; a chart beside it.
    const res = await fetch(`${ui.url}/api/ask`, { method: 'POST', headers: { authorization: await ui.tokenOf('lanhdao'), 'content-type': 'application/json' }, body: JSON.stringify({ question: 'ban le thang 10', lang: 'vi' }) })
    const api = (await res.json()) as { answer: string; data: Record<string, unknown>[]; query: { filters: { member: string; values: string[] }[] } }
    const value = Number(api.data[0]!['kt_xh.value'])
    expect(await page.textContent('[data-testid=ask-number]')).toContain(value.toLocaleString('vi-VN', { maximumFractionDigits: 2 }))
    expect(await page.textContent('[data-testid=ask-answer]')).toBe(api.answer)
    await page.waitForSelector('[data-testid=ask] .recharts-line')
    await screenshot(page, 'ask-overview')
    // The same question, editable in the explorer, with the same number.
    await page.click('[data-testid=ask-open]')
    await page.waitForURL(/\/explorer/)
    await page.waitForSelector('[data-testid=result-table] tbody tr')
    expect(Number((await page.textContent('[data-testid=result-table] tbody tr td'))!.replace(/\./g, '').replace(',', '.'))).toBe(value)
    const filters = await page.$$eval('fieldset.filters select, .explorer aside select', (ss) => ss.map((s) => (s as unknown as { value: string }).value))
    expect(filters).toEqual(expect.arrayContaining(['kt_xh.indicator_code', 'kt_xh.period']))
    // A question it cannot read: "chưa hiểu", no number.
    await page.fill('[data-testid=ask] input', 'thời tiết hôm nay')
    await page.press('[data-testid=ask] input', 'Enter')
    await page.waitForSelector('[data-testid=ask-answer]:has-text("Chưa hiểu")')
    expect(await page.$('[data-testid=ask-number]')).toBeNull()
    await page.close()
  })
})

describe('Hỏi đáp beyond KT-XH, and the ways a steward adds (steward, leader)', () => {
  it('a steward adds a way to say an indicator on the administration page; the leader asks with it, and asks another view', async () => {
    const steward = await ui.newPage()
    await signIn(steward, ui.url, 'quantri')
    await steward.goto(`${ui.url}/admin`)
    await steward.waitForSelector('[data-testid=ask-synonyms] li')
    await steward.fill('[data-testid=ask-synonyms] input[type=search]', 'ban le')
    // Words begin words: "ban le" finds retail sales, not "urBANisation" beside "tỷ LỆ".
    await expect.poll(() => steward.$$eval('[data-testid=ask-synonyms] li', (ls) => ls.map((l) => l.getAttribute('data-subject')))).toEqual(['RETAIL_SALES'])
    await steward.click('[data-testid=ask-synonyms] li[data-subject=RETAIL_SALES] button')
    await steward.fill('[data-testid=ask-synonyms] textarea', 'sức mua\nsức mua tiêu dùng')
    await steward.click('[data-testid=ask-synonyms] form button[type=submit]')
    await steward.waitForSelector('[data-testid=ask-synonyms] li[data-subject=RETAIL_SALES]:has-text("sức mua tiêu dùng")')
    await screenshot(steward, 'ask-synonyms-admin')
    await steward.close()

    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('[data-testid=ask] input')
    await page.fill('[data-testid=ask] input', 'sức mua tháng 9/2026')
    await page.press('[data-testid=ask] input', 'Enter')
    await page.waitForSelector('[data-testid=ask-number]')
    expect(await page.textContent('[data-testid=ask-answer]')).toMatch(/^Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng toàn tỉnh, tháng 9\/2026: /)
    // Another view: the poor households by commune, the first fifteen drawn by name, the rest said.
    await page.fill('[data-testid=ask] input', 'số hộ nghèo năm 2025 theo xã')
    await page.press('[data-testid=ask] input', 'Enter')
    await page.waitForSelector('[data-testid=ask-chart] .recharts-bar-rectangle')
    const res = await fetch(`${ui.url}/api/ask`, { method: 'POST', headers: { authorization: await ui.tokenOf('lanhdao'), 'content-type': 'application/json' }, body: JSON.stringify({ question: 'số hộ nghèo năm 2025 theo xã', lang: 'vi' }) })
    const api = (await res.json()) as { answer: string; labels: string[] }
    expect(await page.textContent('[data-testid=ask-answer]')).toBe(api.answer)
    const ticks = await page.$$eval('[data-testid=ask-chart] .recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value', (ts) => ts.map((t) => t.textContent?.trim()))
    expect(ticks.length).toBe(Math.min(15, api.labels.length))
    expect(ticks.join(' ')).not.toMatch(/\d{5}/)
    if (api.labels.length > 15) expect(await page.textContent('[data-testid=ask-more]')).toContain(`15 dòng đầu trong ${api.labels.length} dòng`)
    await screenshot(page, 'ask-view-by-commune')
    // Opened in the explorer: the coded filter by its name ("Hộ nghèo", not ho_ngheo), communes by name on the chart.
    await page.click('[data-testid=ask-open]')
    await page.waitForURL(/\/explorer/)
    await page.waitForSelector('[data-testid=value-picker]')
    expect(await page.$$eval('[data-testid=value-picker]', (bs) => bs.map((b) => b.textContent))).toEqual(['Hộ nghèo'])
    await page.close()
  })
})

describe("the explorer's guided start (leader)", () => {
  it('finds an indicator by its name typed without diacritics and shows its trend and its communes at once', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.goto(`${ui.url}/explorer`)
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
    const [latest] = await ui.cubeLoad('lanhdao', { dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }], order: [['kt_xh.period', 'desc']], limit: 1 })
    const period = String(latest!['kt_xh.period'])
    expect(heading).toContain(`Tháng ${Number(period.slice(5))}/${period.slice(0, 4)}`)
    const best = await ui.cubeLoad('lanhdao', { measures: ['kt_xh.value'], dimensions: ['kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }, { member: 'kt_xh.period', operator: 'equals', values: [period] }], order: [['kt_xh.value', 'desc']], limit: 1 })
    expect(await page.textContent('[data-testid=guided-communes] tbody tr:first-child td:first-child')).toBe(String(best[0]!['kt_xh.admin_units_name']))
    await screenshot(page, 'explorer-guided')
    await page.close()
  })
})

describe('the explorer with a large result', () => {
  it('loads every indicator × period × unit and keeps it sortable and paged', async () => {
    const question = { view: 'kt_xh', measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.unit_code'], time: null, filters: [], limit: 100000 }
    const api = { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.unit_code'], limit: 100000 }
    const [top] = await ui.cubeLoad('phantich', { ...api, order: [['kt_xh.value', 'desc']], limit: 1 })
    const page = await ui.newPage()
    await signIn(page, ui.url, 'phantich')
    const started = Date.now()
    await page.goto(`${ui.url}/explorer?q=${encodeURIComponent(JSON.stringify(question))}`)
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


describe('"Nguồn số liệu": where a number came from (leader, analyst)', () => {
  /** POST /api/trace as the account, as the page asks it. */
  const traceOf = async (username: string, body: unknown) => {
    const res = await fetch(`${ui.url}/api/trace`, { method: 'POST', headers: { authorization: await ui.tokenOf(username), 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status).toBe(200)
    return (await res.json()) as import('../infra/contracts/trace.ts').TraceAnswer
  }
  const properNames = new Set(communesOf('24').map((c) => c.name))

  it("a tile's source: the agency, the file, the time and the row holding its number, and the delivery in the portal", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'lanhdao')
    await page.waitForSelector('.overview[data-ready=true]')
    const code = 'RETAIL_SALES'
    const period = (await page.getAttribute(`[data-testid=tile-${code}]`, 'data-period'))!
    const value = Number(await page.getAttribute(`[data-testid=tile-${code}]`, 'data-value'))
    await page.click(`[data-testid=tile-${code}]`)
    await page.click('[data-testid=trace-tile]')
    await page.waitForSelector('[data-testid=trace-rows] tbody tr')
    const api = await traceOf('lanhdao', {
      query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }] },
      row: { 'kt_xh.indicator_code': code, 'kt_xh.period': period },
    })
    const [d] = api.deliveries
    expect(api.value).toBe(value)
    // The page says who, which file and which row; the row it shows is the file's, with the tile's number.
    const sentence = (await page.textContent('[data-testid=trace-sentence]'))!
    expect(sentence).toContain(new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(value))
    expect(sentence).toContain(d!.agency_name)
    expect(sentence).toContain(`tệp ${d!.source}, dòng ${d!.rows![0]!.row}`)
    const row = (await page.textContent('[data-testid=trace-rows] tbody tr:first-child'))!
    expect(row).toContain(String(d!.rows![0]!.row))
    expect(row).toContain(d!.rows![0]!.cells.gia_tri!)
    expect(Number(d!.rows![0]!.cells.gia_tri!.replace(',', '.'))).toBe(value)
    await settled(page)
    expect(languageFaults((await visibleTexts(page)).filter((w) => w.text.length > 0), 'vi', properNames)).toEqual([])
    await screenshot(page, 'trace-tile')
    // A leader has no portal: no link to one.
    expect(await page.$('[data-testid=trace-portal-link]')).toBeNull()
    await page.close()
    // A steward follows the delivery into the agencies' portal.
    const steward = await ui.newPage()
    await signIn(steward, ui.url, 'quantri')
    await steward.waitForSelector('.overview[data-ready=true]')
    await steward.click(`[data-testid=tile-${code}]`)
    await steward.click('[data-testid=trace-tile]')
    await steward.click('[data-testid=trace-portal-link]')
    await steward.waitForSelector('[data-testid=history] tbody tr')
    expect(await steward.$$eval('[data-testid=history] tbody tr', (trs) => trs.length)).toBe(1)
    expect(await steward.textContent('[data-testid=history] tbody tr')).toContain(d!.source)
    await steward.click('[data-testid=all-loads]')
    await steward.waitForSelector('[data-testid=history] tbody tr:nth-child(2)')
    await steward.close()
  })

  it("an explorer cell's, a pivot cell's and a chart point's source", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'phantich')
    const question = { view: 'kt_xh', measures: ['kt_xh.value'], dimensions: ['kt_xh.period'], time: null, filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }], limit: 10000, display: 'table' }
    await page.goto(`${ui.url}/explorer?q=${encodeURIComponent(JSON.stringify(question))}`)
    await page.waitForSelector('[data-testid=result-table] tbody tr')
    const firstPeriod = await page.textContent('[data-testid=result-table] tbody tr:first-child td:first-child')
    await page.click('[data-testid=result-table] tbody tr:first-child [data-testid=trace-cell]')
    await page.waitForSelector('[data-testid=trace-deliveries] tbody tr')
    // Enterprises founded by commune: the number comes from one report per commune.
    const sentence = (await page.textContent('[data-testid=trace-sentence]'))!
    expect(sentence).toMatch(/Từ [\d.]+ lần nộp của|nộp lúc/)
    expect(firstPeriod).toBeTruthy()
    await settled(page)
    expect(languageFaults((await visibleTexts(page)).filter((w) => w.text.length > 0), 'vi', properNames)).toEqual([])
    // The same question as a pivot (period × commune): a cell's source is that commune's report.
    const pivot = { ...question, dimensions: ['kt_xh.admin_units_name', 'kt_xh.period'], filters: [...question.filters, { member: 'kt_xh.period', operator: 'equals', values: ['2026-10'] }], display: 'pivot' }
    await page.goto(`${ui.url}/explorer?q=${encodeURIComponent(JSON.stringify(pivot))}`)
    await page.waitForSelector('[data-testid=pivot] tbody tr')
    const commune = (await page.textContent('[data-testid=pivot] tbody tr:first-child th'))!.trim()
    await page.click('[data-testid=pivot] tbody tr:first-child [data-testid=trace-pivot-cell]')
    await page.waitForSelector('[data-testid=trace-rows] tbody tr')
    const cells = (await page.textContent('[data-testid=trace-rows] tbody tr:first-child'))!
    const code = communesOf('24').find((c) => c.name === commune)!.code
    expect(cells).toContain(code)
    expect(cells).toContain('ENT_NEW')
    await screenshot(page, 'trace-pivot')
    // A chart's point: the one under the pointer says its number and opens its source.
    const line = { ...question, dimensions: [], filters: [question.filters[0]!], time: { dimension: 'kt_xh.period_start', granularity: 'month', from: '2026-01-01', to: '2026-10-31', compare: false }, display: 'chart' }
    await page.goto(`${ui.url}/explorer?q=${encodeURIComponent(JSON.stringify(line))}`)
    await page.waitForSelector('[data-testid=result] .recharts-wrapper')
    const box = (await page.locator('[data-testid=result] .recharts-wrapper').first().boundingBox())!
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2)
    await page.waitForSelector('[data-testid=chart-point]')
    const said = (await page.textContent('[data-testid=chart-point]'))!
    await page.click('[data-testid=trace-point]')
    await page.waitForSelector('[data-testid=trace-deliveries] tbody tr')
    const number = said.split(':')[1]!.trim().split(' ')[0]!
    expect(await page.textContent('[data-testid=trace-sentence]')).toContain(number)
    await page.close()
  })
})
