import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../infra/catalog/load-catalog.ts'
import { loadConfig } from '../../infra/config.ts'
import { JobScheduler } from '../../infra/time/job-scheduler.ts'
import { cubeContextOf } from '../../infra/app/service/context.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { periodForRule, periodFromCode } from './briefing-period.ts'
import { deliverBriefing, writeBriefing } from './briefing-runner.ts'
import { smtpMailer } from '../../infra/files/mailer.ts'
import { smtpSink } from '../../infra/testing/smtp-sink.ts'
import { buildBriefing, communeQuery, kpiQuery, qualityQuery, submissionQuery } from './build-briefing.ts'

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
    expect(names.slice(-3)).toEqual(['Theo xa phuong', 'Nop bao cao', 'Chat luong du lieu'])
    expect(names.length).toBe(1 + service.ctx.catalog.sectors.length + 3)
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
    // Numbers are numbers with a format a Vietnamese Excel shows with its own separators.
    const first = dataRows(ws)[0]!
    expect(typeof first.getCell(3).value).toBe('number')
    expect(first.getCell(3).numFmt).toBe('#,##0.0#')
    const notes = ws.getRows(dataRows(ws).length + 9, 3)!.map((r) => String(r.getCell(1).value))
    expect(notes[0]).toMatch(/^Nguồn: /)
    expect(notes.join(' ')).toContain('báo cáo chỉ tiêu nhận gần nhất lúc')
  })

  it('holds the same numbers the API gives for the same questions', async () => {
    const period = periodFromCode('2026-Q3')!
    const catalog = service.ctx.catalog
    const headline = service.ctx.dashboards.ioc.headline
    const kpi = new Map((await api(kpiQuery(headline, period))).map((r) => [String(r['kt_xh.indicator_code']), r]))
    const summary = dataRows(quarterly.getWorksheet('Tong hop')!)
    expect(summary.map((r) => r.getCell(1).value)).toEqual(headline.map((c) => catalog.indicator(c)!.name_vi))
    summary.forEach((row, i) => {
      const r = kpi.get(headline[i]!) ?? {}
      const cols = ['kt_xh.value', 'kt_xh.prior_year', 'kt_xh.growth_pct', 'kt_xh.ytd', 'kt_xh.plan', 'kt_xh.plan_pct']
      expect(cols.map((_, j) => row.getCell(3 + j).value), headline[i]).toEqual(cols.map((c) => num(r[c])))
    })

    const codes = catalog.indicators.map((i) => i.code)
    const communeValues = await api(communeQuery(codes, period))
    const sheet = dataRows(quarterly.getWorksheet('Theo xa phuong')!)
    expect(sheet).toHaveLength(99)
    const header = quarterly.getWorksheet('Theo xa phuong')!.getRow(7)
    const column = (code: string) => codes.indexOf(code) + 3
    expect(String(header.getCell(column('ENT_NEW')).value)).toContain(catalog.indicator('ENT_NEW')!.name_vi)
    let compared = 0
    for (const r of communeValues) {
      const row = sheet.find((x) => x.getCell(1).value === r['kt_xh.unit_code'])!
      expect(row.getCell(column(String(r['kt_xh.indicator_code']))).value).toBe(num(r['kt_xh.value']))
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
    const catalog = service.ctx.catalog
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

describe('scheduled briefings', () => {
  it('fire on their schedule with a controllable clock, and a run missed while down is caught up once', async () => {
    const briefing = service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_thang')!
    const deps = { cube: cubeContextOf(service.ctx), catalog: service.ctx.catalog, ioc: service.ctx.dashboards.ioc }
    const out = tempDir('kho-briefing-runs-')
    const made: string[] = []
    const scheduler = (now: () => Date) => {
      const s = new JobScheduler({ wh: service.ctx.wh, now })
      s.add({ id: 'briefing:test_thang', schedule: briefing.schedule, run: async (at) => (made.push(at.toISOString()), writeBriefing(deps, path.join(out, 'briefings'), briefing, periodForRule(briefing.period, at))) })
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
      const deps = { cube: cubeContextOf(service.ctx), catalog: service.ctx.catalog, ioc: service.ctx.dashboards.ioc }
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
