import fs from 'node:fs'
import * as XLSX from '@e965/xlsx'
import ExcelJS from 'exceljs'
import { LoadRefusal } from '../load-refusal.ts'
import type { SourceRecord } from './source-record.ts'
import { checkZipSize } from './zip-guard.ts'

/** How the reader recognises the header: whether a text names a column, and how well a row does. */
export interface HeaderMatcher {
  names(text: string): boolean
  score(cells: string[]): number
}

export interface XlsxOptions {
  /** Read this sheet; otherwise the first sheet whose header scores above zero. */
  sheet?: string
  /** Rows above the data that may hold titles and the header. */
  headerSearchRows?: number
  /** Largest total uncompressed size accepted (zip-bomb guard). */
  maxUncompressedBytes: number
  /** Largest table of texts (xl/sharedStrings.xml) accepted: the reader holds it whole. */
  maxSharedStringsBytes?: number
}

const pad = (n: number) => String(n).padStart(2, '0')

/** A cell's value as text, the way the agency saw it: cached formula results, dates as dd/mm/yyyy. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    const base = `${pad(value.getUTCDate())}/${pad(value.getUTCMonth() + 1)}/${value.getUTCFullYear()}`
    const time = value.getUTCHours() || value.getUTCMinutes() || value.getUTCSeconds()
    return time ? `${base} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}` : base
  }
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)))
  if (typeof value === 'string' || typeof value === 'boolean') return String(value)
  if ('result' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue)
  if ('formula' in value || 'sharedFormula' in value) return ''
  if ('richText' in value) return value.richText.map((r) => r.text).join('')
  if ('text' in value) return cellText((value as ExcelJS.CellHyperlinkValue).text)
  if ('error' in value) return String(value.error)
  return ''
}

function rowCells(row: ExcelJS.Row): string[] {
  const values = row.values as ExcelJS.CellValue[]
  // exceljs puts column A at index 1.
  return values.slice(1).map((v) => cellText(v).trim())
}

/**
 * A header over two rows, as forms with merged group cells have it ("Giá trị" over "Thực hiện" and
 * "Kế hoạch"): the group text carries right across its merged cells, then joins the lower text.
 */
function combineHeader(upper: string[], lower: string[], matcher: HeaderMatcher): string[] {
  let group = ''
  const width = Math.max(upper.length, lower.length)
  return Array.from({ length: width }, (_, i) => {
    const text = lower[i] ?? ''
    group = upper[i] ? upper[i]! : group
    if (!text) return group
    const joined = `${group} ${text}`
    return group && matcher.names(joined) ? joined : matcher.names(text) || !group ? text : joined
  })
}

/** A legacy .xls is read whole into memory: larger than this, it is refused (Excel 97-2003 sheets hold at most 65,536 rows). */
export const MAX_XLS_BYTES = 64 * 1024 * 1024

/**
 * Streams a workbook sheet's rows as records: the header first, found among the first rows below
 * any title rows, then each data row with its Excel row number. Trailing empty rows are skipped.
 * An .xlsx streams through exceljs after the zip guard; a legacy Excel 97-2003 .xls (Bắc Ninh QĐ 53
 * Điều 5 names XLS) is read by SheetJS, which exceljs cannot do, with the same header search.
 */
export async function* readXlsx(file: string, source: string, matcher: HeaderMatcher, options: XlsxOptions): AsyncGenerator<SourceRecord> {
  const head = Buffer.alloc(8)
  const fd = fs.openSync(file, 'r')
  fs.readSync(fd, head, 0, 8, 0)
  fs.closeSync(fd)
  if (head.readUInt32BE(0) === 0xd0cf11e0) {
    yield* headedRecords(wholeWorkbookSheets(file, source, 'xls'), source, matcher, options)
    return
  }
  if (head.readUInt32BE(0) !== 0x504b0304) {
    throw new LoadRefusal('xlsx.not_zip', `Tệp ${source} không phải tệp Excel .xlsx hợp lệ`, `${source} is not a valid .xlsx workbook`)
  }
  await checkZipSize(file, source, options.maxUncompressedBytes, options.maxSharedStringsBytes)
  // exceljs's streaming reader fails on a workbook whose sheet part comes before its workbook part
  // with the shared strings already read (SheetJS writes parts in that order): "reading 'sheets'"
  // of undefined, before any row is read. SheetJS reads such a workbook whole, with the same header
  // search and cell texts; one too big for that is tried again as a stream.
  for (let attempt = 1; ; attempt++) {
    let yielded = false
    try {
      for await (const record of headedRecords(xlsxSheets(file), source, matcher, options)) {
        yielded = true
        yield record
      }
      return
    } catch (err) {
      const race = err instanceof LoadRefusal && err.code === 'xlsx.unreadable' && err.en.includes("reading 'sheets'")
      if (!race || yielded || attempt >= 3) throw err
      if (fs.statSync(file).size <= MAX_XLS_BYTES) {
        yield* headedRecords(wholeWorkbookSheets(file, source, 'xlsx'), source, matcher, options)
        return
      }
    }
  }
}

/** A sheet as rows of cell texts with their Excel row numbers. */
interface SheetRows {
  name: string
  rows: AsyncIterable<SourceRecord> | Iterable<SourceRecord>
}

async function* xlsxSheets(file: string): AsyncGenerator<SheetRows> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  for await (const sheet of workbook) {
    const rows = async function* () {
      for await (const row of sheet) yield { line: row.number, cells: rowCells(row) }
    }
    yield { name: (sheet as unknown as { name: string }).name, rows: rows() }
  }
}

/** A legacy cell as text the way exceljs gives an .xlsx cell: dates by their format as dd/mm/yyyy, numbers as written. */
function xlsCellText(cell: XLSX.CellObject | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return ''
  if (cell.t === 'n' && typeof cell.v === 'number' && cell.z !== undefined && XLSX.SSF.is_date(cell.z)) {
    const d = XLSX.SSF.parse_date_code(cell.v)
    const base = `${pad(d.d)}/${pad(d.m)}/${d.y}`
    return d.H || d.M || d.S ? `${base} ${pad(d.H)}:${pad(d.M)}:${pad(Math.floor(d.S))}` : base
  }
  if (cell.t === 'e') return cell.w ?? ''
  return cellText(cell.v as ExcelJS.CellValue).trim()
}

/** A workbook read whole by SheetJS: a legacy .xls, or an .xlsx exceljs cannot stream (see readXlsx). */
function* wholeWorkbookSheets(file: string, source: string, kind: 'xls' | 'xlsx'): Generator<SheetRows> {
  if (fs.statSync(file).size > MAX_XLS_BYTES) {
    throw new LoadRefusal(
      'xls.too_large',
      `Tệp ${source} (Excel 97-2003) lớn hơn ${MAX_XLS_BYTES / 1024 / 1024} MB; hãy lưu thành .xlsx hoặc CSV rồi gửi lại`,
      `${source} (Excel 97-2003) is over ${MAX_XLS_BYTES / 1024 / 1024} MB; save it as .xlsx or CSV and deliver again`,
    )
  }
  let workbook: XLSX.WorkBook
  try {
    workbook = XLSX.read(fs.readFileSync(file), { type: 'buffer', dense: true, cellNF: true, cellFormula: false, cellHTML: false, cellStyles: false, cellDates: false })
  } catch (err) {
    if (kind === 'xlsx') throw new LoadRefusal('xlsx.unreadable', `Không đọc được tệp Excel ${source}: ${(err as Error).message}`, `Cannot read the workbook ${source}: ${(err as Error).message}`)
    throw new LoadRefusal('xls.unreadable', `Không đọc được tệp Excel 97-2003 ${source}: ${(err as Error).message}`, `Cannot read the Excel 97-2003 workbook ${source}: ${(err as Error).message}`)
  }
  for (const name of workbook.SheetNames) {
    const sheet = workbook.Sheets[name]!
    const ref = sheet['!ref']
    const data = (sheet as { '!data'?: (XLSX.CellObject | undefined)[][] })['!data'] ?? []
    const rows = function* () {
      if (!ref) return
      const range = XLSX.utils.decode_range(ref)
      for (let r = range.s.r; r <= range.e.r; r++) {
        const row = data[r] ?? []
        // Columns from A, as exceljs gives them, so a header and its data line up the same way.
        yield { line: r + 1, cells: Array.from({ length: range.e.c + 1 }, (_, c) => xlsCellText(row[c])) }
      }
    }
    yield { name, rows: rows() }
  }
}

async function* headedRecords(sheets: AsyncIterable<SheetRows> | Iterable<SheetRows>, source: string, matcher: HeaderMatcher, options: XlsxOptions): AsyncGenerator<SourceRecord> {
  const searchRows = options.headerSearchRows ?? 20
  const sheetsSeen: string[] = []
  try {
    for await (const sheet of sheets) {
      const name = sheet.name
      sheetsSeen.push(name)
      const wanted = options.sheet === undefined || options.sheet === name
      const top: { line: number; cells: string[] }[] = []
      let header: { index: number; cells: string[] } | null = null
      for await (const record of sheet.rows) {
        if (!wanted) continue
        if (!header) {
          top.push(record)
          if (top.length < searchRows) continue
          header = pickHeader(top, matcher)
          if (!header) break
          yield { line: top[header.index]!.line, cells: header.cells }
          for (const r of top.slice(header.index + 1)) yield* emit(r)
          continue
        }
        yield* emit(record)
      }
      if (wanted && !header && top.length > 0) {
        header = pickHeader(top, matcher)
        if (header) {
          yield { line: top[header.index]!.line, cells: header.cells }
          for (const r of top.slice(header.index + 1)) yield* emit(r)
        }
      }
      if (header) return
    }
  } catch (err) {
    if (err instanceof LoadRefusal) throw err
    throw new LoadRefusal('xlsx.unreadable', `Không đọc được tệp Excel ${source}: ${(err as Error).message}`, `Cannot read the workbook ${source}: ${(err as Error).message}`)
  }
  throw new LoadRefusal(
    'xlsx.no_header',
    options.sheet && !sheetsSeen.includes(options.sheet)
      ? `Tệp ${source} không có trang tính "${options.sheet}" (có: ${sheetsSeen.join(', ')})`
      : `Không tìm thấy dòng tiêu đề theo mẫu trong tệp ${source} (các trang: ${sheetsSeen.join(', ')})`,
    options.sheet && !sheetsSeen.includes(options.sheet)
      ? `${source} has no sheet "${options.sheet}" (it has: ${sheetsSeen.join(', ')})`
      : `No header row matching the template in ${source} (sheets: ${sheetsSeen.join(', ')})`,
  )
}

/** Blank rows (between blocks or trailing after the data) are not records. */
function* emit(r: SourceRecord): Generator<SourceRecord> {
  if (r.cells.some((c) => c !== '')) yield r
}

/** The best-scoring header among the top rows, trying each row alone and joined with the row above. */
function pickHeader(top: { cells: string[] }[], matcher: HeaderMatcher): { index: number; cells: string[] } | null {
  let best: { index: number; cells: string[]; score: number } | null = null
  top.forEach((r, i) => {
    const candidates = [r.cells]
    if (i > 0) candidates.push(combineHeader(top[i - 1]!.cells, r.cells, matcher))
    for (const cells of candidates) {
      const s = matcher.score(cells)
      // On a tie the lower row wins: the data starts below the last header row.
      if (s > 0 && (!best || s >= best.score)) best = { index: i, cells, score: s }
    }
  })
  return best
}
