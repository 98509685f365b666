import ExcelJS from 'exceljs'
import { printA4Landscape, rowHeightFor } from './print-layout.ts'

export interface TableColumn {
  key: string
  header: string
  /** Excel number format; numbers get the Vietnamese-readable '#,##0.##' when absent. */
  numFmt?: string
  width?: number
}

export interface TableSheet {
  name: string
  /** A title row above the header, e.g. the query or the file the rows came from. */
  title?: string
  columns: TableColumn[]
  rows: Record<string, unknown>[]
}

/** A formula-looking string must stay text in every spreadsheet that reads our files. */
export const looksLikeFormula = (s: string) => /^[=+\-@\t\r]/.test(s)

function cellValue(v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined) return null
  if (typeof v === 'number' || typeof v === 'boolean') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v
  // exceljs stores strings as text (never formulas); objects are shown as JSON.
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/**
 * A workbook of plain tables: optional title, bold frozen header, autofilter, number formats. Used
 * for exports of query results and rejected rows, where every value must read back exactly. Prints
 * A4 landscape, one page wide, the header on every page.
 */
export async function tableWorkbook(sheets: TableSheet[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'kho'
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31))
    let headerRow = 1
    if (s.title) {
      ws.addRow([s.title]).font = { bold: true, size: 13 }
      headerRow = 2
    }
    const widths = s.columns.map((c) => c.width ?? Math.min(60, Math.max(10, c.header.length + 2)))
    if (s.title) {
      const all = widths.reduce((x, y) => x + y, 0)
      if (widths.length > 1) ws.mergeCells(1, 1, 1, widths.length)
      ws.getCell(1, 1).alignment = { wrapText: true, vertical: 'top' }
      ws.getRow(1).height = rowHeightFor([{ text: s.title, width: all, size: 13, bold: true }], 18)
    }
    const header = ws.addRow(s.columns.map((c) => c.header))
    header.font = { bold: true }
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF2F6' } }
    header.alignment = { wrapText: true, vertical: 'top' }
    header.height = rowHeightFor(s.columns.map((c, i) => ({ text: c.header, width: widths[i]!, bold: true })))
    for (const r of s.rows) {
      const row = ws.addRow(s.columns.map((c) => cellValue(r[c.key])))
      // Only a text longer than its column wraps; the check by length keeps large exports fast.
      const long = s.columns.flatMap((c, i) => {
        const v = r[c.key]
        return typeof v === 'string' && v.length > widths[i]! * 0.8 ? [{ text: v, width: widths[i]! }] : []
      })
      if (long.length > 0) {
        row.alignment = { wrapText: true, vertical: 'top' }
        row.height = rowHeightFor(long)
      }
    }
    s.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1)
      col.width = widths[i]
      const numeric = s.rows.some((r) => typeof r[c.key] === 'number')
      if (c.numFmt || numeric) col.numFmt = c.numFmt ?? '#,##0.##'
    })
    ws.views = [{ state: 'frozen', ySplit: headerRow }]
    ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: Math.max(1, s.columns.length) } }
    printA4Landscape(ws, { headerRows: [headerRow, headerRow], footerLeft: s.title })
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The same table as CSV (UTF-8 with BOM so Excel reads Vietnamese), formula-looking cells quoted as text. */
export function tableCsv(columns: TableColumn[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
    const safe = typeof v === 'string' && looksLikeFormula(s) ? `'${s}` : s
    return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
  }
  return '\uFEFF' + [columns.map((c) => cell(c.header)).join(','), ...rows.map((r) => columns.map((c) => cell(r[c.key])).join(','))].join('\r\n') + '\r\n'
}
