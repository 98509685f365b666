import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PROJECT_ROOT } from '../../infra/catalog/load-catalog.ts'
import { loadConfig } from '../../infra/config.ts'
import { JobScheduler } from '../../infra/scheduler/job-scheduler.ts'
import { cubeContextOf } from '../../infra/app/service/context.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { periodForRule, periodFromCode } from './briefing-period.ts'
import { deliverBriefing, writeBriefing } from './briefing-runner.ts'
import { smtpMailer } from '../../infra/files/mailer.ts'
import { smtpSink } from '../../infra/testing/smtp-sink.ts'
import { buildBriefing } from './build-briefing.ts'
import { communeQuery, deliveriesQuery, kpiQuery, sourcesQuery, qualityQuery, submissionQuery } from './briefing-queries.ts'
import { isA4Landscape, overprinted, printsWhole, printToPdf, type PrintedPage } from '../../infra/testing/print-pdf.ts'
import { queryRows } from '../../infra/warehouse/client.ts'

const home = tempDir('kho-briefing-')
let service: RunningService
let leader: string
let steward: string

async function login(username: string): Promise<string> {
  const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'kho-demo-2026' }) })
  return ((await res.json()) as { token: string }).token
}

/** The API's answer to a query, as the leader (the briefings' audience) asks it. */
async function api(query: unknown): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: leader, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: Record<string, unknown>[] }).data
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
/** A number cell as printed: "—" where the API has no value. */
const printed = (v: unknown) => (v === '—' ? null : v)

async function open(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  return wb
}

/** Data rows under the two header rows (6–7), up to the first empty row. */
function dataRows(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = []
  for (let r = 8; r <= ws.rowCount && ws.getRow(r).getCell(1).value !== null; r++) rows.push(ws.getRow(r))
  return rows
}

let quarterly: ExcelJS.Workbook

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.2', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }),
  )
  await service.demoDone
  leader = await login('lanhdao')
  steward = await login('quantri')
  const res = await fetch(`${service.url}/api/briefings/kt_xh_quy/run`, { method: 'POST', headers: { authorization: steward, 'content-type': 'application/json' }, body: JSON.stringify({ period: '2026-Q3' }) })
  expect(res.status).toBe(200)
  quarterly = await open(((await res.json()) as { file: string }).file)
}, 300_000)

afterAll(() => service?.stop())

describe('the quarterly KT-XH briefing', () => {
  it('has the summary, a sheet per sector, communes, submissions and quality', () => {
    const names = quarterly.worksheets.map((w) => w.name)
    expect(names[0]).toBe('Tong hop')
    const communeLevel = service.ctx.model.now.catalog.indicators.filter((i) => i.level === 'commune').length
    const communeSheets = Math.ceil(communeLevel / 7)
    expect(names.slice(-4)).toEqual(['Nop bao cao', 'Lan gui du lieu', 'Chat luong du lieu', 'Nguon so lieu'])
    expect(names.slice(-4 - communeSheets, -4)).toEqual(['Theo xa phuong', ...Array.from({ length: communeSheets - 1 }, (_, i) => `Theo xa phuong (${i + 2})`)])
    expect(names.length).toBe(1 + service.ctx.model.now.catalog.sectors.length + communeSheets + 4)
  })

  it('prints: title block, merged wrapped headers, A4 landscape fitted to width, header rows repeated, frozen panes', () => {
    const ws = quarterly.getWorksheet('Tong hop')!
    expect(ws.getCell('A1').value).toBe('UBND TỈNH BẮC NINH')
    expect(ws.getCell('A2').value).toBe('BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI')
    expect(ws.getCell('A3').value).toBe('Quý III/2026')
    const merges = (ws.model as unknown as { merges: string[] }).merges
    expect(merges).toEqual(expect.arrayContaining(['A2:I2', 'A3:I3', 'A6:A7', 'C6:E6', 'G6:H6']))
    expect(ws.getCell('C6').value).toBe('Thực hiện')
    expect(ws.getCell('C7').value).toBe('Kỳ báo cáo')
    expect(ws.getCell('C7').alignment?.wrapText).toBe(true)
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '6:7' })
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 7 })
    const rules = (ws.model as unknown as { conditionalFormattings: { ref: string; rules: { formulae: string[]; style: { fill: { bgColor: { argb: string } } } }[] }[] }).conditionalFormattings
    expect(rules[0]!.ref).toMatch(/^I8:I\d+$/)
    expect(rules[0]!.rules.map((r) => [r.formulae[0], r.style.fill.bgColor.argb])).toEqual([
      ['$I8="Chưa đạt"', 'FFFED7D7'],
      ['$I8="Gần đạt"', 'FFFEFCBF'],
      ['$I8="Đạt"', 'FFC6F6D5'],
    ])
    // Numbers are numbers with a format a Vietnamese Excel shows with its own separators, and each
    // indicator's own decimals: counts whole, rates with two.
    const catalog = service.ctx.model.now.catalog
    const rows = dataRows(ws)
    expect(typeof rows[0]!.getCell(3).value).toBe('number')
    const formatOf = (name: string) => rows.find((r) => r.getCell(1).value === name)!.getCell(3).numFmt
    expect(formatOf(catalog.indicator('ENT_NEW')!.name_vi)).toBe('#,##0')
    expect(formatOf(catalog.indicator('RETAIL_SALES')!.name_vi)).toBe('#,##0.0')
    expect(formatOf(catalog.indicator('TTHC_ONTIME')!.name_vi)).toBe('#,##0.00')
    // A row of wrapped text is as tall as its lines: the longest name takes two.
    const longest = rows.find((r) => String(r.getCell(1).value).length > 50)!
    expect(longest.height).toBeGreaterThanOrEqual(30)
    // Empty numbers print as "—", with the footnote saying why.
    const dashes = rows.flatMap((r) => [3, 4, 5, 6, 7, 8].map((c) => r.getCell(c).value)).filter((v) => v === '—')
    const notes = ws.getRows(rows.length + 9, 4)!.map((r) => String(r.getCell(1).value ?? ''))
    expect(notes.some((n) => n.startsWith('Nguồn: '))).toBe(true)
    expect(notes.join(' ')).toContain('báo cáo chỉ tiêu nhận gần nhất lúc')
    expect(notes.some((n) => n.startsWith('—: không có số liệu'))).toBe(dashes.length > 0)
    // An indicator nobody set a plan for has none ("—"), not a plan of 0 reached.
    const pop = catalog.indicator('POP_RESIDENT')!
    const popRow = quarterly.worksheets.flatMap((w) => dataRows(w)).find((r) => r.getCell(1).value === pop.name_vi)!
    expect([popRow.getCell(7).value, popRow.getCell(8).value]).toEqual(['—', '—'])
  })

  it('names, for each figure, the agency that delivered it, the file and when it arrived', async () => {
    const period = periodFromCode('2026-Q3')!
    const catalog = service.ctx.model.now.catalog
    const sheet = dataRows(quarterly.getWorksheet('Nguon so lieu')!)
    const byName = new Map(sheet.map((r) => [String(r.getCell(1).value), r]))
    // Every indicator with a figure on the summary has its sources.
    const withFigure = dataRows(quarterly.getWorksheet('Tong hop')!).filter((r) => typeof r.getCell(3).value === 'number').map((r) => String(r.getCell(1).value))
    expect(withFigure.length).toBeGreaterThan(5)
    expect(withFigure.filter((n) => !byName.has(n))).toEqual([])
    // One of them checked against the API and the load history: its latest delivery's file, agency and day.
    const code = 'RETAIL_SALES'
    const deliveries = await api(sourcesQuery([code], period))
    const loads = await Promise.all(
      deliveries.map(async (d) => {
        const res = await fetch(`${service.url}/api/loads?load=${d['kt_xh.load_id']}`, { headers: { authorization: steward } })
        return ((await res.json()) as { source: string; agency: string; delivered_at: string }[])[0]!
      }),
    )
    const latest = loads.sort((a, b) => b.delivered_at.localeCompare(a.delivered_at))[0]!
    const row = byName.get(catalog.indicator(code)!.name_vi)!
    expect(String(row.getCell(2).value)).toContain(catalog.agency(latest.agency)!.name)
    expect(String(row.getCell(3).value)).toContain(latest.source)
    // Vietnam's time of the delivery (UTC+7), as the other sheets write a moment.
    const at = new Date(`${latest.delivered_at.replace(' ', 'T')}Z`)
    const local = new Date(at.getTime() + 7 * 3600_000).toISOString()
    expect(row.getCell(4).value).toBe(`${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`)
    expect(row.getCell(5).value).toBe(deliveries.length)
  })

  it('names who delivered what in the period: the sender in words, the outcome and the counts the API gives', async () => {
    const catalog = service.ctx.model.now.catalog
    // The third quarter: the demo's deliveries, one row per agency, dataset, sender and outcome.
    const q3 = await api(deliveriesQuery(periodFromCode('2026-Q3')!))
    const sheet = dataRows(quarterly.getWorksheet('Lan gui du lieu')!)
    expect(q3.length).toBeGreaterThan(3)
    expect(sheet.length).toBe(q3.length)
    expect(sheet.map((r) => r.getCell(5).value)).toEqual(q3.map((r) => Number(r['data_quality.deliveries'])))
    expect(new Set(sheet.map((r) => r.getCell(3).value))).toEqual(new Set(['Dữ liệu mẫu']))
    // An officer's delivery in the fourth quarter, refused as a whole: the next quarterly report names
    // the account by its name, with what became of the file (the refusal rebuilds the summaries itself).
    const officer = await login('canbo.sotc')
    const form = new FormData()
    form.set('dataset', 'doanh_nghiep')
    form.set('agency', 'SO_TC')
    const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Vốn điều lệ (triệu đồng),Tình trạng,Ngày cập nhật'
    form.set('file', new Blob([`${header}\n0100047517,Công ty sai mã,01/02/2020,07210,2610,"1.500,5",dang_hoat_dong,01/10/2026\n`]), 'dn-sai-ma.csv')
    const sent = await fetch(`${service.url}/api/loads`, { method: 'POST', body: form, headers: { authorization: officer } })
    expect(sent.status).toBe(422)
    const q4 = periodFromCode('2026-Q4')!
    const ofOfficer = async () => (await api(deliveriesQuery(q4, 'SO_TC'))).filter((r) => r['data_quality.delivered_by'] === 'account:canbo.sotc')
    await vi.waitFor(async () => expect(await ofOfficer()).toHaveLength(1), { timeout: 60_000, interval: 500 })
    const [fromApi] = await ofOfficer()
    const briefing = service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_quy')!
    const { buffer } = await buildBriefing({ cube: cubeContextOf(service.ctx), catalog, ioc: service.ctx.dashboards.ioc }, briefing, q4)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buffer as never)
    const row = dataRows(wb.getWorksheet('Lan gui du lieu')!).find((r) => String(r.getCell(3).value).includes('canbo.sotc'))!
    const at = new Date(`${String(fromApi!['data_quality.last_delivered_at']).replace(' ', 'T').replace(/Z?$/, 'Z')}`)
    const local = new Date(at.getTime() + 7 * 3600_000).toISOString()
    expect((row.values as unknown[]).slice(1)).toEqual([
      'Sở Tài chính',
      catalog.dataset('doanh_nghiep')!.name,
      'Cán bộ Sở Tài chính (canbo.sotc)',
      'Bị từ chối',
      1,
      1,
      1,
      `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`,
    ])
  })

  it('holds the same numbers the API gives for the same questions', async () => {
    const period = periodFromCode('2026-Q3')!
    const catalog = service.ctx.model.now.catalog
    const headline = service.ctx.dashboards.ioc.headline
    const kpi = new Map((await api(kpiQuery(headline, period))).map((r) => [String(r['kt_xh.indicator_code']), r]))
    const summary = dataRows(quarterly.getWorksheet('Tong hop')!)
    expect(summary.map((r) => r.getCell(1).value)).toEqual(headline.map((c) => catalog.indicator(c)!.name_vi))
    summary.forEach((row, i) => {
      const r = kpi.get(headline[i]!) ?? {}
      const cols = ['kt_xh.value', 'kt_xh.prior_year', 'kt_xh.growth_pct', 'kt_xh.ytd', 'kt_xh.plan', 'kt_xh.plan_pct']
      expect(cols.map((_, j) => printed(row.getCell(3 + j).value)), headline[i]).toEqual(cols.map((c) => num(r[c])))
    })

    // Commune sheets hold the indicators communes report, a few to a sheet.
    const codes = catalog.indicators.filter((i) => i.level === 'commune').map((i) => i.code)
    const communeValues = await api(communeQuery(codes, period))
    const place = new Map<string, { rows: ExcelJS.Row[]; col: number }>()
    for (const ws of quarterly.worksheets.filter((w) => w.name.startsWith('Theo xa phuong'))) {
      const rows = dataRows(ws)
      expect(rows).toHaveLength(99)
      ws.getRow(7).eachCell((c, col) => {
        const ind = catalog.indicators.find((i) => `${i.name_vi} (${i.unit})` === c.value)
        if (ind) place.set(ind.code, { rows, col })
      })
    }
    expect([...place.keys()].sort()).toEqual([...codes].sort())
    let compared = 0
    for (const r of communeValues) {
      const { rows, col } = place.get(String(r['kt_xh.indicator_code']))!
      const row = rows.find((x) => x.getCell(1).value === r['kt_xh.unit_code'])!
      expect(printed(row.getCell(col).value)).toBe(num(r['kt_xh.value']))
      compared++
    }
    expect(compared).toBeGreaterThan(99)

    const agencyName = (code: unknown) => catalog.agency(String(code))!.name
    const submissions = await api(submissionQuery(period))
    const subRows = dataRows(quarterly.getWorksheet('Nop bao cao')!)
    expect(subRows).toHaveLength(submissions.length)
    for (const s of submissions) {
      const row = subRows.find((x) => x.getCell(1).value === agencyName(s['submissions.agency']))!
      expect([2, 3, 4, 5, 6].map((c) => row.getCell(c).value)).toEqual(['obligations', 'on_time', 'late', 'missing', 'rejected'].map((m) => num(s[`submissions.${m}`])))
    }

    const quality = await api(qualityQuery(period))
    const qRows = dataRows(quarterly.getWorksheet('Chat luong du lieu')!)
    expect(qRows.map((r) => [r.getCell(1).value, r.getCell(2).value, r.getCell(3).value])).toEqual(
      quality.map((q) => [num(q['quality_scores.rank']), agencyName(q['quality_scores.agency']), num(q['quality_scores.composite'])]),
    )
  })

  it('writes text that looks like a formula as text', async () => {
    const catalog = service.ctx.model.now.catalog
    const hostile = '=HYPERLINK("http://example.invalid","bấm")'
    const tampered = { ...catalog, indicator: (code: string) => (code === 'RETAIL_SALES' ? { ...catalog.indicator(code)!, name_vi: hostile, unit: '+1' } : catalog.indicator(code)) }
    const briefing = service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_thang')!
    const { buffer } = await buildBriefing({ cube: cubeContextOf(service.ctx), catalog: tampered, ioc: service.ctx.dashboards.ioc }, briefing, periodFromCode('2026-10')!)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buffer as unknown as ArrayBuffer)
    const row = dataRows(wb.getWorksheet('Tong hop')!).find((r) => r.getCell(1).value === hostile)!
    expect(row.getCell(1).type).toBe(ExcelJS.ValueType.String)
    expect(row.getCell(1).formula).toBeUndefined()
    expect(row.getCell(2).value).toBe('+1')
  })
})

function headerTexts(row: ExcelJS.Row): string[] {
  const out: string[] = []
  row.eachCell((c) => out.push(String(c.value)))
  return out
}

/** Every page shows a sheet's first and last column headers: each sheet was printed one page wide. */
function oneWide(pages: PrintedPage[], headers: [string, string][]) {
  for (const [i, p] of pages.entries()) {
    expect(
      headers.some(([first, last]) => printsWhole(p, first) && printsWhole(p, last)),
      `page ${i + 1} lacks a sheet's first or last column: ${p.text.slice(0, 300)}`,
    ).toBe(true)
    expect(overprinted(p), `page ${i + 1}: text printed over other text`).toEqual([])
  }
}

async function download(url: string, token: string, file: string): Promise<string> {
  const res = await fetch(service.url + url, { headers: { authorization: token } })
  expect(res.status, url).toBe(200)
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return file
}

describe('printed through LibreOffice (A4 landscape, one page wide)', () => {
  it.each([
    ['kt_xh_thang', '2026-10'],
    ['kt_xh_quy', '2026-Q3'],
    ['co_quan_quy', '2026-Q3'],
  ])('%s for %s: every page A4 landscape, every sheet one page wide, every indicator name whole', async (id, period) => {
    const res = await fetch(`${service.url}/api/briefings/${id}/run`, { method: 'POST', headers: { authorization: steward, 'content-type': 'application/json' }, body: JSON.stringify({ period }) })
    expect(res.status).toBe(200)
    const file = ((await res.json()) as { file: string }).file
    const wb = await open(file)
    const pages = await printToPdf(file)
    expect(pages.every(isA4Landscape), pages.map((p) => `${p.width}×${p.height}`).join(', ')).toBe(true)
    // The header rows are 6–7: the first column is merged down, the last is in row 7.
    const headers = wb.worksheets.map((ws) => [String(ws.getCell(6, 1).value), String(ws.getRow(7).getCell(ws.columnCount).value)] as [string, string])
    oneWide(pages, headers)
    // A page per sheet, more only for sheets whose rows run beyond one page (the 99 communes).
    expect(pages.length).toBeGreaterThanOrEqual(wb.worksheets.length)
    expect(pages.length).toBeLessThanOrEqual(wb.worksheets.reduce((n, ws) => n + Math.max(1, Math.ceil(dataRows(ws).length / 20)), 0))
    // Each indicator's name prints whole: wrapped inside its cell, not cut and not run into the next row.
    const names = wb.worksheets.flatMap((ws) => [
      ...dataRows(ws).map((r) => String(r.getCell(1).value)).filter((v) => service.ctx.model.now.catalog.indicators.some((i) => i.name_vi === v)),
      ...(ws.name.startsWith('Theo xa phuong') ? headerTexts(ws.getRow(7)).slice(2) : []),
    ])
    if (id !== 'co_quan_quy') expect(names.length).toBeGreaterThan(5)
    for (const name of names) expect(pages.some((p) => printsWhole(p, name)), name).toBe(true)
    // Counts print without decimals, and no cell is blank without a "—".
    const text = pages.map((p) => p.text).join('\n')
    if (id === 'kt_xh_quy') {
      const ent = dataRows(wb.getWorksheet('Tong hop')!).find((r) => r.getCell(1).value === service.ctx.model.now.catalog.indicator('ENT_NEW')!.name_vi)!
      expect(text).toContain(Number(ent.getCell(3).value).toLocaleString('en-US'))
      expect(text).not.toContain(`${Number(ent.getCell(3).value).toLocaleString('en-US')}.0`)
    }
  }, 180_000)

  it('a template and a reject workbook print A4 landscape, one page wide, with their header on each page', async () => {
    const dir = tempDir('kho-print-')
    const template = await download('/api/datasets/dan_cu/template.xlsx', steward, path.join(dir, 'mau-dan-cu.xlsx'))
    const [load] = await queryRows<{ load_id: string }>(service.ctx.wh.client, 'SELECT load_id FROM meta.rejects GROUP BY load_id ORDER BY count() DESC LIMIT 1')
    expect(load).toBeDefined()
    const rejects = await download(`/api/loads/${load!.load_id}/rejects.xlsx`, steward, path.join(dir, 'tu-choi.xlsx'))
    for (const [file, headerRow] of [[template, 3], [rejects, 2]] as const) {
      const wb = await open(file)
      const printedSheets = wb.worksheets.filter((ws) => ws.state !== 'hidden')
      const pages = await printToPdf(file)
      expect(pages.every(isA4Landscape), file).toBe(true)
      expect(pages.length).toBeGreaterThanOrEqual(printedSheets.length)
      const headers = printedSheets.map((ws) => {
        // The template's guide heads its table on row 5, its communes' names on row 1.
        const row = headerRow === 3 && ws.name !== 'Dữ liệu' ? ws.getRow(ws.name === 'Xã, phường' ? 1 : 5) : ws.getRow(headerRow)
        return [String(row.getCell(1).value), String(row.getCell(row.cellCount).value)] as [string, string]
      })
      oneWide(pages, headers)
    }
  }, 180_000)
})

describe('scheduled briefings', () => {
  it('fire on their schedule with a controllable clock, and a run missed while down is caught up once', async () => {
    const briefing = service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_thang')!
    const deps = { cube: cubeContextOf(service.ctx), catalog: service.ctx.model.now.catalog, ioc: service.ctx.dashboards.ioc }
    const out = tempDir('kho-briefing-runs-')
    const made: string[] = []
    const scheduler = (now: () => Date) => {
      const s = new JobScheduler({ wh: service.ctx.wh, now })
      s.add({ id: 'briefing:test_thang', title: { vi: 'briefing:test_thang', en: 'briefing:test_thang' }, schedule: briefing.schedule, run: async (at) => (made.push(at.toISOString()), writeBriefing(deps, path.join(out, 'briefings'), briefing, periodForRule(briefing.period, at))) })
      return s
    }
    let t = new Date('2026-09-20T03:00:00Z')
    const first = scheduler(() => t)
    await first.check() // first seen: 16/09 is the baseline, nothing runs
    expect(made).toEqual([])
    t = new Date('2026-10-16T00:00:30Z') // 07:00:30 on 16/10 in Hà Nội
    await first.check()
    await first.check()
    expect(made).toEqual(['2026-10-16T00:00:00.000Z'])
    expect(fs.existsSync(path.join(out, 'briefings/kt_xh_thang/kt_xh_thang_2026-09.xlsx'))).toBe(true)

    // Down from 17/10 to 20/12: 16/11 and 16/12 were missed; one catch-up run, for the latest.
    t = new Date('2026-12-20T02:00:00Z')
    const restarted = scheduler(() => t)
    await restarted.check()
    await restarted.check()
    expect(made).toEqual(['2026-10-16T00:00:00.000Z', '2026-12-16T00:00:00.000Z'])
    expect(fs.existsSync(path.join(out, 'briefings/kt_xh_thang/kt_xh_thang_2026-11.xlsx'))).toBe(true)
    const [latest] = await restarted.history('briefing:test_thang', 1)
    expect(latest).toMatchObject({ trigger: 'catch_up', status: 'succeeded' })
  })

  it('lists briefings with their files for provincial roles, and downloads one', async () => {
    const list = (await (await fetch(`${service.url}/api/briefings`, { headers: { authorization: leader } })).json()) as { id: string; files: { name: string }[] }[]
    const quy = list.find((b) => b.id === 'kt_xh_quy')!
    expect(quy.files.map((f) => f.name)).toContain('kt_xh_quy_2026-Q3.xlsx')
    const file = await fetch(`${service.url}/api/briefings/kt_xh_quy/files/kt_xh_quy_2026-Q3.xlsx`, { headers: { authorization: leader } })
    expect(file.headers.get('content-type')).toContain('spreadsheetml')
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000)
    const officer = await login('canbo.sotc')
    expect((await fetch(`${service.url}/api/briefings`, { headers: { authorization: officer } })).status).toBe(403)
    expect((await fetch(`${service.url}/api/briefings/kt_xh_quy/files/..%2F..%2Fsecret`, { headers: { authorization: leader } })).status).toBe(404)
  })

  it('e-mails the workbook to its recipients over SMTP when configured', async () => {
    const sink = await smtpSink()
    const { messages } = sink
    try {
      const briefing = { ...service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_thang')!, email: ['lanhdao@bacninh.gov.vn'] }
      const deps = { cube: cubeContextOf(service.ctx), catalog: service.ctx.model.now.catalog, ioc: service.ctx.dashboards.ioc }
      const send = smtpMailer({ url: sink.url, from: 'kho@bacninh.gov.vn' })
      const done = await deliverBriefing(deps, tempDir('kho-briefing-mail-'), briefing, periodFromCode('2026-10')!, send)
      expect(done).toMatch(/kt_xh_thang_2026-10\.xlsx \(e-mail: 1\)$/)
      expect(messages).toHaveLength(1)
      expect(messages[0]).toContain('To: lanhdao@bacninh.gov.vn')
      expect(messages[0]).toContain('filename=kt_xh_thang_2026-10.xlsx')
      // Without SMTP the workbook is only written.
      expect(await deliverBriefing(deps, tempDir('kho-briefing-mail-'), briefing, periodFromCode('2026-10')!, null)).toMatch(/\.xlsx$/)
    } finally {
      sink.close()
    }
  })

  it('`kho briefing run` makes one for a chosen period through the running service', async () => {
    const target = path.join(home, 'bao-cao-thang-10.xlsx')
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), 'briefing', 'run', 'kt_xh_thang', '--period', '2026-10', '--out', target, '--json'], {
      env: { ...process.env, KHO_HOME: home },
    })
    expect(JSON.parse(stdout)).toMatchObject({ period: '2026-10', file: target, via: { via: 'service' } })
    const wb = await open(target)
    expect(wb.getWorksheet('Tong hop')!.getCell('A3').value).toBe('Tháng 10/2026')
  })
})
