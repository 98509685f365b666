import ExcelJS from 'exceljs'
import { printA4Landscape, rowHeightFor, type WrappedText } from '../../infra/files/print-layout.ts'
import type { BriefingPeriod } from './briefing-period.ts'

/*
 * One briefing sheet as print-ready Excel: title rows, grouped headers, bordered cells, footnotes,
 * A4 landscape one page wide (infra/files/print-layout.ts).
 */

/** A row of a sheet: the answer's members and the sheet's own columns. */
export type Row = Record<string, unknown>

/** A column of a sheet. */
export interface Column {
  key: string
  header: string
  /** A second header row groups columns under one merged title. */
  group?: string
  /** A number column; its format may depend on the row (each indicator has its own decimals). */
  numFmt?: string | ((row: Row) => string)
  width: number
}

export interface SheetSpec {
  name: string
  subtitle: string
  columns: Column[]
  rows: Row[]
  /** The column whose text "Đạt" / "Gần đạt" / "Chưa đạt" is coloured. */
  statusKey?: string
  footnotes: string[]
  /** Why a number cell may be empty: printed as a footnote under "—" when any cell shows it. */
  whyEmpty: string
}

const THIN = { style: 'thin' as const, color: { argb: 'FF9AA5B1' } }
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN }

/** A formula-looking text stays text: exceljs writes strings as strings, and Excel shows them as typed. */
function cell(v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  return String(v)
}

/**
 * A printable report sheet: the province and title block, the period, two header rows (merged where
 * columns are grouped, wrapped), bordered data with Vietnamese-readable number formats, status
 * colours, frozen panes, A4 landscape fitted to the page width with the header rows repeated, and
 * footnotes naming sources and freshness.
 */
export function writeSheet(wb: ExcelJS.Workbook, spec: SheetSpec, head: { province: string; heading: string; period: BriefingPeriod }) {
  const ws = wb.addWorksheet(spec.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31))
  const width = spec.columns.length
  const line = (row: number, text: string, font: Partial<ExcelJS.Font>, align: ExcelJS.Alignment['horizontal'] = 'center') => {
    ws.mergeCells(row, 1, row, width)
    const c = ws.getCell(row, 1)
    c.value = text
    c.font = font
    c.alignment = { horizontal: align, vertical: 'middle', wrapText: true }
  }
  const fullWidth = spec.columns.reduce((sum, c) => sum + c.width, 0)
  const heading: [string, number, boolean][] = [
    [`UBND ${head.province.toUpperCase()}`, 11, true],
    [head.heading, 14, true],
    [head.period.label, 12, true],
    [spec.subtitle, 11, false],
  ]
  heading.forEach(([text, size, bold], i) => {
    line(i + 1, text, bold ? { bold, size } : { italic: true, size }, i === 0 ? 'left' : 'center')
    ws.getRow(i + 1).height = rowHeightFor([{ text, width: fullWidth, size, bold }], size * 1.5)
  })

  // Header rows 6–7: a grouped column has its group above (merged across the group) and its own
  // title below; an ungrouped one is merged down over both rows.
  const top = 6
  spec.columns.forEach((c, i) => {
    const col = i + 1
    if (c.group) {
      ws.getCell(top + 1, col).value = c.header
      const first = spec.columns.findIndex((x) => x.group === c.group) + 1
      if (first === col) {
        const last = first + spec.columns.filter((x) => x.group === c.group).length - 1
        if (last > first) ws.mergeCells(top, first, top, last)
        ws.getCell(top, first).value = c.group
      }
    } else {
      ws.mergeCells(top, col, top + 1, col)
      ws.getCell(top, col).value = c.header
    }
    ws.getColumn(col).width = c.width
  })
  // A header merged down over both rows has their two heights to wrap in.
  const headerText = (c: Column, r: number): WrappedText | null => {
    if (r === top && c.group) {
      const span = spec.columns.filter((x) => x.group === c.group)
      return span[0] === c ? { text: c.group, width: span.reduce((sum, x) => sum + x.width, 0), bold: true } : null
    }
    return r === top + 1 && !c.group ? null : { text: c.header, width: c.width, bold: true }
  }
  const mergedDown = spec.columns.filter((c) => !c.group).map((c) => rowHeightFor([{ text: c.header, width: c.width, bold: true }]))
  for (const r of [top, top + 1]) {
    const row = ws.getRow(r)
    const own = rowHeightFor(spec.columns.map((c) => headerText(c, r)).filter((t): t is WrappedText => t !== null), 20)
    row.height = Math.max(own, Math.ceil(Math.max(0, ...mergedDown) / 2))
    for (let col = 1; col <= width; col++) {
      const c = row.getCell(col)
      c.font = { bold: true }
      c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } }
      c.border = BORDER
    }
  }

  const first = top + 2
  let dashed = false
  spec.rows.forEach((r, i) => {
    const row = ws.getRow(first + i)
    const texts: WrappedText[] = []
    spec.columns.forEach((c, j) => {
      const x = row.getCell(j + 1)
      const value = cell(r[c.key])
      x.border = BORDER
      if (c.numFmt) {
        // An empty number prints as "—", explained in a footnote; a blank cell reads as a printing fault.
        dashed ||= value === null
        x.value = value ?? '—'
        x.numFmt = typeof c.numFmt === 'function' ? c.numFmt(r) : c.numFmt
        x.alignment = { vertical: 'top', horizontal: 'right' }
      } else {
        x.value = value
        x.alignment = { vertical: 'top', wrapText: true, horizontal: 'left' }
        if (value !== null) texts.push({ text: String(value), width: c.width })
      }
    })
    row.height = rowHeightFor(texts)
  })
  const last = first + Math.max(spec.rows.length, 1) - 1

  if (spec.statusKey && spec.rows.length > 0) {
    const col = spec.columns.findIndex((c) => c.key === spec.statusKey) + 1
    const letter = ws.getColumn(col).letter
    // Exact matches: "Chưa đạt" also contains "đạt", so a text search would colour it twice.
    const rule = (text: string, argb: string, priority: number): ExcelJS.ConditionalFormattingRule => ({
      type: 'expression',
      formulae: [`$${letter}${first}="${text}"`],
      priority,
      style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb } } },
    })
    ws.addConditionalFormatting({
      ref: `${letter}${first}:${letter}${last}`,
      rules: [rule('Chưa đạt', 'FFFED7D7', 1), rule('Gần đạt', 'FFFEFCBF', 2), rule('Đạt', 'FFC6F6D5', 3)],
    })
  }

  let note = last + 2
  for (const f of dashed ? [`—: ${spec.whyEmpty}`, ...spec.footnotes] : spec.footnotes) {
    ws.mergeCells(note, 1, note, width)
    const c = ws.getCell(note, 1)
    c.value = f
    c.font = { italic: true, size: 9 }
    c.alignment = { wrapText: true, vertical: 'top' }
    ws.getRow(note).height = rowHeightFor([{ text: f, width: fullWidth, size: 9 }], 13)
    note++
  }

  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: top + 1 }]
  printA4Landscape(ws, { headerRows: [top, top + 1], footerLeft: head.period.label })
  return ws
}
