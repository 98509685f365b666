import fs from 'node:fs'
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

/**
 * Streams an XLSX sheet's rows as records: the header first, found among the first rows below any
 * title rows, then each data row with its Excel row number. Trailing empty rows are skipped.
 */
export async function* readXlsx(file: string, source: string, matcher: HeaderMatcher, options: XlsxOptions): AsyncGenerator<SourceRecord> {
  const head = Buffer.alloc(8)
  const fd = fs.openSync(file, 'r')
  fs.readSync(fd, head, 0, 8, 0)
  fs.closeSync(fd)
  if (head.readUInt32BE(0) === 0xd0cf11e0) {
    throw new LoadRefusal(
      'xls.legacy',
      `Tệp ${source} là định dạng Excel 97-2003 (.xls) cũ, kho không đọc được an toàn. Mở tệp trong Excel và chọn Lưu thành → Sổ làm việc Excel (.xlsx), rồi gửi lại`,
      `${source} is a legacy Excel 97-2003 (.xls) workbook, which kho does not read. Open it in Excel, save as Excel Workbook (.xlsx) and deliver again`,
    )
  }
  if (head.readUInt32BE(0) !== 0x504b0304) {
    throw new LoadRefusal('xlsx.not_zip', `Tệp ${source} không phải tệp Excel .xlsx hợp lệ`, `${source} is not a valid .xlsx workbook`)
  }
  await checkZipSize(file, source, options.maxUncompressedBytes)
  // exceljs's streaming reader now and then meets a sheet before the workbook part it depends on
  // ("reading 'sheets'" of undefined). Nothing has been read then, so reading again is safe.
  for (let attempt = 1; ; attempt++) {
    let yielded = false
    try {
      for await (const record of readSheets(file, source, matcher, options)) {
        yielded = true
        yield record
      }
      return
    } catch (err) {
      const race = err instanceof LoadRefusal && err.code === 'xlsx.unreadable' && err.en.includes("reading 'sheets'")
      if (!race || yielded || attempt >= 3) throw err
    }
  }
}

async function* readSheets(file: string, source: string, matcher: HeaderMatcher, options: XlsxOptions): AsyncGenerator<SourceRecord> {
  const searchRows = options.headerSearchRows ?? 20
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  const sheetsSeen: string[] = []
  try {
    for await (const sheet of workbook) {
      const name = (sheet as unknown as { name: string }).name
      sheetsSeen.push(name)
      const wanted = options.sheet === undefined || options.sheet === name
      const top: { line: number; cells: string[] }[] = []
      let header: { index: number; cells: string[] } | null = null
      for await (const row of sheet) {
        if (!wanted) continue
        const record = { line: row.number, cells: rowCells(row) }
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
