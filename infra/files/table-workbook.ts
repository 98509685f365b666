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
  /** Lines under the title saying what the rows are (filters, period, who exported them, source). */
  notes?: string[]
  /** The last row is a total: bold, above a rule. */
  boldLastRow?: boolean
  columns: TableColumn[]
  rows: Record<string, unknown>[]
}

/**
 * A row of one line: 14 pt fits the 11 pt font with its Vietnamese marks, and prints ~34 rows on an
 * A4 landscape page where Excel's 15 pt default with LibreOffice's taller rows printed ~31.
 */
const ROW_POINTS = 14

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
    const widths = s.columns.map((c) => c.width ?? fittedWidth(c, s.rows))
    const all = widths.reduce((x, y) => x + y, 0)
    // The title and its notes each across the table's width, wrapped to fit it.
    const block = [...(s.title ? [{ text: s.title, size: 13, bold: true }] : []), ...(s.notes ?? []).map((text) => ({ text, size: 11, bold: false }))]
    for (const line of block) {
      const row = ws.addRow([line.text])
      row.font = { bold: line.bold, size: line.size }
      if (widths.length > 1) ws.mergeCells(row.number, 1, row.number, widths.length)
      ws.getCell(row.number, 1).alignment = { wrapText: true, vertical: 'top' }
      row.height = rowHeightFor([{ text: line.text, width: all, size: line.size, bold: line.bold }], line.bold ? 18 : 15)
    }
    const headerRow = block.length + 1
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
      } else row.height = ROW_POINTS
    }
    if (s.boldLastRow && s.rows.length > 0) {
      const last = ws.lastRow!
      last.font = { bold: true }
      last.border = { top: { style: 'thin' } }
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

/**
 * A column as wide as its header's longest word and its widest value (numbers as printed with
 * their separators), within 8–40 characters: a long text wraps, a short column does not waste paper.
 */
function fittedWidth(c: TableColumn, rows: readonly Record<string, unknown>[]): number {
  let widest = Math.max(...c.header.split(/\s+/).map((w) => w.length), Math.ceil(c.header.length / 3))
  for (let i = 0; i < rows.length && i < 2000; i++) {
    const v = rows[i]![c.key]
    const len = typeof v === 'number' ? Math.abs(v).toFixed(Number.isInteger(v) ? 0 : 2).length * 1.3 + 1 : v instanceof Date ? 10 : v === null || v === undefined ? 1 : String(v).length
    if (len > widest) widest = len
  }
  // A text wraps past 0.8 of its column (below): fitted so the widest value does not.
  return Math.min(40, Math.max(8, Math.ceil(widest / 0.8) + 1))
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
