import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import { printToPdf } from '../../infra/testing/print-pdf.ts'
import { fileNameOf } from './export-question.ts'

/*
 * The analyst's question — new enterprises by commune by quarter, 2025–2026 — exported as people
 * print it: named after the question, a title block in words, quarters as "Quý I/2025", the pivot
 * with totals the semantic layer computed, on few A4 pages.
 */
let service: RunningService
const { load } = httpClient(() => service.url)
const analyst = () => signJwt({ role: 'analyst', sub: 'phantich' }, service.ctx.secret)
const dir = tempDir('kho-export-')

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: tempDir('kho-export-home-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.05', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }),
  )
  await service.demoDone
}, 240_000)
afterAll(() => service?.stop())

const QUESTION = {
  measures: ['kt_xh.value'],
  dimensions: ['kt_xh.admin_units_name'],
  timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'quarter', dateRange: ['2025-01-01', '2026-12-31'] }],
  filters: [
    { member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] },
    { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
  ],
  order: [['kt_xh.admin_units_name', 'asc']],
  limit: 10000,
}
const TITLE = 'Doanh nghiệp thành lập mới theo xã, theo quý'

async function exported(body: Record<string, unknown>): Promise<{ file: string; name: string }> {
  const res = await fetch(`${service.url}/api/export`, { method: 'POST', headers: { authorization: `Bearer ${analyst()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')![1]!
  const file = path.join(dir, name)
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return { file, name }
}

const cellsOf = (ws: ExcelJS.Worksheet) => {
  const rows: unknown[][] = []
  ws.eachRow({ includeEmpty: true }, (r) => rows.push((r.values as unknown[]).slice(1)))
  return rows
}

describe('exporting a question', () => {
  it('names the file after the question and prints its rows in words on few pages', async () => {
    const indicator = service.ctx.model.now.catalog.indicator('ENT_NEW')!.name_vi
    const { file, name } = await exported({ query: QUESTION, format: 'xlsx', title: TITLE })
    expect(name).toBe(`${fileNameOf(TITLE, name.slice(-15, -5))}.xlsx`)
    expect(name).toMatch(/^doanh-nghiep-thanh-lap-moi-theo-xa-theo-quy-\d{4}-\d{2}-\d{2}\.xlsx$/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const rows = cellsOf(wb.worksheets[0]!)
    const block = rows.slice(0, 6).map((r) => String(r[0]))
    expect(block[0]).toBe(TITLE)
    expect(block.join('\n')).toContain(`Mã chỉ tiêu bằng ${indicator}`)
    expect(block.join('\n')).toContain('từ 01/01/2025 đến 31/12/2026, theo quý')
    expect(block.join('\n')).toContain('Người xuất: phantich')
    expect(block.join('\n')).toContain('Nguồn: Kho dữ liệu số tỉnh')
    const data = rows.slice(7)
    const communes = new Set(data.map((r) => r[1]))
    expect(communes.size).toBeGreaterThan(90)
    expect(data.length).toBe(communes.size * 8)
    expect(new Set(data.map((r) => r[0]))).toEqual(new Set(['Quý I/2025', 'Quý II/2025', 'Quý III/2025', 'Quý IV/2025', 'Quý I/2026', 'Quý II/2026', 'Quý III/2026', 'Quý IV/2026']))
    expect(data.every((r) => typeof r[2] === 'number' || r[2] === null)).toBe(true)
    const pages = await printToPdf(file)
    expect(pages.length).toBeLessThanOrEqual(25)
    const text = pages.map((p) => p.text).join('\n')
    expect(text).toContain(indicator)
    expect(text).toContain('Quý I/2025')
  }, 180_000)

  it('writes days as dates a spreadsheet knows (dd/mm/yyyy) where the grain is a day, and as words in CSV', async () => {
    const query = {
      measures: ['kt_xh.value'],
      timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'day', dateRange: ['2026-01-01', '2026-03-31'] }],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }],
      limit: 100,
    }
    const { file } = await exported({ query, format: 'xlsx', title: 'Doanh nghiệp theo ngày' })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const ws = wb.worksheets[0]!
    const header = cellsOf(ws).findIndex((r) => r[0] === 'Đầu kỳ (ngày)' || String(r[0]).startsWith('Đầu kỳ'))
    const first = ws.getRow(header + 2).getCell(1)
    expect(first.value).toEqual(new Date(Date.UTC(2026, 0, 1)))
    expect(first.numFmt).toBe('dd/mm/yyyy')
    const csv = fs.readFileSync((await exported({ query, format: 'csv', title: 'Doanh nghiệp theo ngày' })).file, 'utf8')
    expect(csv).toContain('\r\n01/01/2026,')
  })

  it('exports the pivot — communes down, quarters across — with the totals the semantic layer gives', async () => {
    const { file } = await exported({ query: QUESTION, format: 'xlsx', title: TITLE, pivot: { rows: 'kt_xh.admin_units_name', columns: 'kt_xh.period_start.quarter' } })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const rows = cellsOf(wb.worksheets[0]!)
    const headerAt = rows.findIndex((r) => r.includes('Quý I/2025'))
    const header = rows[headerAt]!
    expect(header.slice(1)).toEqual(['Quý I/2025', 'Quý II/2025', 'Quý III/2025', 'Quý IV/2025', 'Quý I/2026', 'Quý II/2026', 'Quý III/2026', 'Quý IV/2026', 'Tổng'])
    const body = rows.slice(headerAt + 1)
    const last = body[body.length - 1]!
    expect(last[0]).toBe('Tổng')
    // A commune's total and the grand total, asked of the API directly.
    const commune = body[0]![0] as string
    const whole = await load({ ...QUESTION, dimensions: ['kt_xh.admin_units_name'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2025-01-01', '2026-12-31'] }], filters: [...QUESTION.filters, { member: 'kt_xh.admin_units_name', operator: 'equals', values: [commune] }] }, analyst())
    expect(body[0]![9]).toBe(Number(whole.body.data[0]['kt_xh.value']))
    const grand = await load({ measures: ['kt_xh.value'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2025-01-01', '2026-12-31'] }], filters: QUESTION.filters }, analyst())
    expect(last[9]).toBe(Number(grand.body.data[0]['kt_xh.value']))
    const pages = await printToPdf(file)
    expect(pages.length).toBeLessThanOrEqual(5)
    expect(pages[0]!.text).toContain('Quý IV/2026')
  }, 180_000)

  it('refuses a pivot that is not one dimension down and one across, in both languages', async () => {
    const res = await fetch(`${service.url}/api/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUESTION, pivot: { rows: 'kt_xh.admin_units_name', columns: 'kt_xh.admin_units_name' } }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message_en: string } }
    expect(body.error.message_en).toBe('A pivot needs exactly two dimensions (one down, one across) and a measure')
  })
})
