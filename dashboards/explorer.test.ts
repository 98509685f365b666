import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { saveAccount } from '../infra/access/accounts.ts'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { printToPdf } from '../infra/testing/print-pdf.ts'
import { screenshot, signIn } from './testing/browser.ts'
import { languageFaults, settled, visibleTexts } from './testing/page-words.ts'
import { readWorkbook, useUiService } from './testing/ui-service.ts'

/*
 * The analyst's task, as an analyst does it in Chromium: new enterprises by commune by quarter for
 * 2025–2026, seen as a pivot and exported to Excel — in six steps after sign-in — then the same
 * question opened by a colleague's link, and by a commune officer, answered under the officer's own access.
 */
const ui = useUiService()
const properNames = new Set(communesOf('24').map((c) => c.name))
const QUARTERS = ['Quý I/2025', 'Quý II/2025', 'Quý III/2025', 'Quý IV/2025', 'Quý I/2026', 'Quý II/2026', 'Quý III/2026', 'Quý IV/2026']

/** The analyst's explorer with the new-enterprises indicator found by name, typed without diacritics, and Enter. */
async function askAboutNewEnterprises() {
  const page = await ui.newPage()
  await signIn(page, ui.url, 'phantich')
  await page.goto(`${ui.url}/explorer`)
  await page.fill('[data-testid=question-search]', 'doanh nghiep thanh lap moi')
  await page.press('[data-testid=question-search]', 'Enter')
  await page.waitForSelector('[data-testid=result]')
  return page
}

describe('the explorer (analyst)', () => {
  it('draws what the answer calls for: one big number beside last year, the commune map for communes, stacked bars for two groupings', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'phantich')
    const ask = async (q: object) => {
      await page.goto(`${ui.url}/explorer?q=${encodeURIComponent(JSON.stringify({ view: 'kt_xh', limit: 10000, display: 'chart', ...q }))}`)
      await page.waitForSelector('[data-testid=result]')
      await settled(page)
    }
    const entNew = [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }]
    const communes = [...entNew, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }]
    // Nothing grouped, compared with the year before: one number, the year before's beside it.
    await ask({ measures: ['kt_xh.value'], dimensions: [], filters: entNew, time: { dimension: 'kt_xh.period_start', granularity: '', from: '2026-01-01', to: '2026-06-30', compare: true } })
    await page.waitForSelector('[data-testid=big-number]')
    const [thisYear, lastYear] = await Promise.all(
      [['2026-01-01', '2026-06-30'], ['2025-01-01', '2025-06-30']].map(async (range) =>
        Number((await ui.cubeLoad('phantich', { measures: ['kt_xh.value'], filters: entNew, timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: range }] }))[0]!['kt_xh.value']),
      ),
    )
    const big = (await page.textContent('[data-testid=big-number]'))!
    const vi = (x: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x)
    expect(big).toContain(vi(thisYear!))
    expect(big).toContain(`Cùng kỳ năm trước: ${vi(lastYear!)}`)
    // By commune, no time: the map and the communes' bars.
    await ask({ measures: ['kt_xh.value'], dimensions: ['kt_xh.admin_units_name'], filters: [...communes, { member: 'kt_xh.period', operator: 'equals', values: ['2026-10'] }], time: null })
    await page.waitForSelector('[data-testid=result-map] [data-testid=commune-map] path')
    const fills = await page.$$eval('[data-testid=result-map] [data-testid=commune-map] path', (ps) => ps.map((p) => p.getAttribute('fill')))
    expect(fills).toHaveLength(communesOf('24').length)
    // Every commune found by its name: each in one of the legend's colours, none left grey.
    const legendColours = await page.$$eval('[data-testid=result-map] [data-testid=map-legend] .swatch', (ss) => ss.map((x) => x.getAttribute('data-colour')))
    expect(fills.filter((f) => !legendColours.includes(f))).toEqual([])
    // By commune and quarter: stacked bars, the quarters along the axis in words.
    await ask({ measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code'], filters: communes, time: { dimension: 'kt_xh.period_start', granularity: 'quarter', from: '2026-01-01', to: '2026-09-30', compare: false } })
    // Communes by name in the legend, even when the question groups by their codes.
    const legend = (await page.textContent('[data-testid=stacked-chart] .recharts-legend-wrapper'))!
    expect(legend).not.toMatch(/\d{5}/)
    await page.waitForSelector('[data-testid=stacked-chart] .recharts-bar-rectangle')
    const ticks = await page.$$eval('[data-testid=stacked-chart] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value', (ts) => ts.map((t) => t.textContent))
    expect(ticks).toEqual(['Quý I/2026', 'Quý II/2026', 'Quý III/2026'])
    expect(await page.textContent('[data-testid=stacked-chart] .recharts-legend-wrapper')).toContain('Khác')
    await screenshot(page, 'explorer-stacked')
    await page.close()
  }, 120_000)

  it('answers "new enterprises by commune by quarter, 2025–2026" as a pivot in six steps and exports it to print', async () => {
    const indicator = ui.service.ctx.model.now.catalog.indicator('ENT_NEW')!.name_vi
    // 1. search the indicator (typed without diacritics) and take the first match
    const page = await askAboutNewEnterprises()
    // 2. by commune · 3. by quarter · 4. last year and this year · 5. as a pivot
    await page.click('[data-testid=split-communes]')
    await page.waitForSelector('[data-testid=split-communes][aria-pressed=true]')
    await page.click('[data-grain=quarter]')
    await page.selectOption('[data-testid=range-preset]', 'twoYears')
    await page.click('[data-display=pivot]')
    await page.waitForSelector('[data-testid=pivot] tfoot')
    const headers = await page.$$eval('[data-testid=pivot] thead th', (ths) => ths.map((t) => t.textContent?.trim()))
    expect(headers.slice(1)).toEqual([...QUARTERS, 'Tổng'])
    const communes = await page.$$eval('[data-testid=pivot] tbody tr', (trs) => trs.length)
    expect(communes).toBeGreaterThan(90)
    await screenshot(page, 'explorer-pivot')
    const words = await visibleTexts(page)
    expect(languageFaults(words, 'vi', properNames)).toEqual([])
    // 6. export
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')])
    const file = path.join(ui.home, download.suggestedFilename())
    await download.saveAs(file)
    expect(download.suggestedFilename()).toMatch(/doanh-nghiep-thanh-lap-moi-theo-.*quy-\d{4}-\d{2}-\d{2}\.xlsx$/)
    const ws = await readWorkbook(file)
    const cells: string[] = []
    ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))))
    expect(cells).toContain('Quý I/2025')
    expect(cells.some((c) => c.includes(indicator))).toBe(true)
    const pages = await printToPdf(file)
    expect(pages.length).toBeLessThanOrEqual(25)
    const printed = pages.map((p) => p.text).join('\n')
    expect(printed).toContain(indicator)
    expect(printed).toContain('Quý I/2025')

    // The link carries the question: a colleague (another analyst) gets the same numbers.
    const link = page.url()
    const mine = await page.$$eval('[data-testid=pivot] tfoot td', (tds) => tds.map((t) => t.textContent))
    await saveAccount(ui.service.ctx.wh, { username: 'phantich2', display_name: 'Chuyên viên phân tích 2', password: 'kho-demo-2026', role: 'analyst' })
    const colleague = await ui.newPage()
    await signIn(colleague, ui.url, 'phantich2')
    await colleague.goto(link)
    await colleague.waitForSelector('[data-testid=pivot] tfoot')
    expect(await colleague.$$eval('[data-testid=pivot] tfoot td', (tds) => tds.map((t) => t.textContent))).toEqual(mine)

    // A commune officer opening it is answered under the officer's own access: KT-XH figures are open
    // data, so a question beyond the officer's commune is answered as the public is (no more).
    const officer = await ui.newPage()
    await signIn(officer, ui.url, 'canbo.x07210')
    await officer.goto(link)
    await officer.waitForSelector('[data-testid=pivot] tfoot')
    const whole = { measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2025-01-01', '2026-12-31'] }], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }] }
    const asOfficer = await ui.cubeLoad('canbo.x07210', whole)
    const asPublic = (await (await fetch(`${ui.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: whole }) })).json()) as { data: Record<string, unknown>[] }
    expect(asOfficer).toEqual(asPublic.data)
    const shown = await officer.$$eval('[data-testid=pivot] tfoot td', (tds) => tds.map((t) => t.textContent))
    expect(shown.at(-1)).toBe(new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(Number(asOfficer[0]!['kt_xh.value'])))
    await Promise.all([colleague.close(), officer.close()])

    // Drill-through: a quarter's heading opens its months; a commune's opens its own series.
    await page.click('[data-testid=pivot] thead button:has-text("Quý I/2025")')
    await page.waitForSelector('[data-testid=pivot] thead button:has-text("Tháng 3/2025")')
    expect(await page.$$eval('[data-testid=pivot] thead button', (bs) => bs.map((b) => b.textContent))).toEqual(['Tháng 1/2025', 'Tháng 2/2025', 'Tháng 3/2025'])
    const first = (await page.textContent('[data-testid=pivot] tbody th button'))!
    await page.click('[data-testid=pivot] tbody th button >> nth=0')
    await page.waitForSelector('[data-testid=result] .recharts-wrapper')
    expect(await page.$$eval('[data-testid=value-picker]', (bs) => bs.map((b) => b.textContent))).toContain(first)
    // The same months a year before, side by side, each point with its value.
    await page.click('[data-testid=compare-year]')
    await page.waitForSelector('[data-testid=result] .recharts-label-list')
    expect(await page.$$eval('[data-testid=result] .recharts-legend-item-text', (ls) => ls.map((l) => l.textContent))).toHaveLength(2)
    await screenshot(page, 'explorer-drilled')
    await page.close()
  }, 240_000)

  it('picks filter values from the data, by name and without diacritics, and shows a chart in English without a code', async () => {
    const page = await ui.newPage()
    await page.addInitScript(`localStorage.setItem('kho.lang', 'en')`)
    await signIn(page, ui.url, 'phantich')
    await page.goto(`${ui.url}/explorer`)
    await page.selectOption('[data-testid=view-picker]', 'kt_xh')
    await page.check('input[data-member="kt_xh.value"]')
    await page.click('text=Add filter')
    await page.selectOption('select[aria-label="Filters"]', 'kt_xh.indicator_code')
    await page.click('[data-testid=value-picker]')
    await page.fill('input[aria-label="Search values"]', 'retail')
    await page.click('.value-picker-list label >> nth=0')
    expect(await page.textContent('[data-testid=value-picker]')).toContain('etail')
    await page.click('[data-grain=month]')
    await page.selectOption('[data-testid=range-preset]', 'last12')
    await page.click('[data-display=chart]')
    await page.waitForSelector('[data-testid=result] .recharts-wrapper')
    const words = await visibleTexts(page)
    expect(languageFaults(words, 'en', properNames)).toEqual([])
    expect(words.join(' ')).not.toMatch(/RETAIL_SALES|kt_xh\.|notEquals|quarter\b/)
    await screenshot(page, 'explorer-chart-en')
    await page.close()
  }, 120_000)

  it('saves a question with what it answers, pins it, and finds it answered on the board, its export named after it', async () => {
    const page = await askAboutNewEnterprises()
    await page.click('[data-grain=year]')
    await page.selectOption('[data-testid=range-preset]', 'fiveYears')
    await page.click('[data-display=table]')
    await page.waitForSelector('[data-testid=result] tbody tr')
    const years = Number(await page.getAttribute('[data-testid=result]', 'data-rows'))
    expect(years).toBeGreaterThanOrEqual(2)
    await page.fill('input[aria-label="Tên truy vấn"]', 'Doanh nghiệp mới mỗi năm')
    await page.fill('textarea[aria-label="Mô tả"]', 'Số doanh nghiệp thành lập mới trong tỉnh, 5 năm gần đây')
    await page.check('text=Ghim vào bảng của tôi')
    await page.click('[data-testid=save-query]')
    await page.waitForSelector('.saved-question button[aria-pressed=true]')
    const saved = (await ui.apiGet<{ name: string; description: string; pinned: boolean }[]>('phantich', '/api/saved-queries')).body.find((s) => s.name === 'Doanh nghiệp mới mỗi năm')!
    expect(saved).toMatchObject({ description: 'Số doanh nghiệp thành lập mới trong tỉnh, 5 năm gần đây', pinned: true })

    // The board, on opening the explorer: the question answered afresh, its years in words.
    await page.goto(`${ui.url}/explorer`)
    await page.waitForSelector('[data-testid=board-card] table')
    const card = (await page.textContent('[data-testid=board-card]'))!
    expect(card).toContain('Doanh nghiệp mới mỗi năm')
    expect(card).toContain('Năm 2026')
    await screenshot(page, 'explorer-board')
    await page.click('[data-testid=board-card] h3 button')
    await page.waitForSelector(`[data-testid=result][data-rows="${years}"]`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')])
    expect(download.suggestedFilename()).toMatch(/^doanh-nghiep-moi-moi-nam-\d{4}-\d{2}-\d{2}\.xlsx$/)
    await page.close()
  }, 120_000)
})
