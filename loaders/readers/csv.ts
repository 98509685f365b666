import { LoadRefusal } from '../load-refusal.ts'
import type { SourceRecord } from './source-record.ts'

const DELIMITERS = [',', ';', '\t', '|'] as const

/** The delimiter used most often outside quotes in the header line. */
export function detectDelimiter(headerLine: string): string {
  let best: string = ','
  let bestCount = 0
  for (const d of DELIMITERS) {
    let count = 0
    let quoted = false
    for (const ch of headerLine) {
      if (ch === '"') quoted = !quoted
      else if (ch === d && !quoted) count++
    }
    if (count > bestCount) [best, bestCount] = [d, count]
  }
  return best
}

/**
 * Streams CSV/TSV records (RFC 4180 quoting, CRLF or LF, delimiter detected from the header).
 * The first record is the header; each record carries the line it starts on.
 */
export async function* readCsv(text: AsyncIterable<string>, fileName: string): AsyncGenerator<SourceRecord> {
  let delimiter: string | null = null
  let pending = ''
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let afterQuote = false
  let line = 1
  let recordLine = 1

  const finishRecord = (): SourceRecord | null => {
    cells.push(cell)
    const record = { line: recordLine, cells }
    cells = []
    cell = ''
    afterQuote = false
    // A line with nothing on it is skipped, not a record of one empty cell.
    return record.cells.length === 1 && record.cells[0] === '' ? null : record
  }

  function* consume(input: string): Generator<SourceRecord> {
    for (let i = 0; i < input.length; i++) {
      const ch = input[i]!
      if (quoted) {
        if (ch === '"') {
          quoted = false
          afterQuote = true
        } else {
          if (ch === '\n') line++
          cell += ch
        }
        continue
      }
      if (ch === '"') {
        // "" inside a quoted cell is a literal quote; a quote opening a cell starts quoting.
        if (afterQuote) cell += '"'
        quoted = true
        afterQuote = false
      } else if (ch === delimiter) {
        cells.push(cell)
        cell = ''
        afterQuote = false
      } else if (ch === '\n') {
        if (cell.endsWith('\r') && !afterQuote) cell = cell.slice(0, -1)
        const record = finishRecord()
        if (record) yield record
        line++
        recordLine = line
      } else if (ch === '\r' && afterQuote) {
        // CR after a closing quote belongs to the line ending.
      } else {
        cell += ch
        afterQuote = false
      }
    }
  }

  for await (const chunk of text) {
    if (delimiter !== null) {
      yield* consume(chunk)
      continue
    }
    // Hold text back until the header line is complete, to detect the delimiter from it.
    pending += chunk
    const nl = pending.indexOf('\n')
    if (nl < 0 && pending.length < 1 << 20) continue
    delimiter = detectDelimiter(pending.slice(0, nl < 0 ? undefined : nl))
    yield* consume(pending)
    pending = ''
  }
  if (delimiter === null && pending) {
    delimiter = detectDelimiter(pending)
    yield* consume(pending)
  }
  if (quoted) {
    throw new LoadRefusal(
      'csv.unclosed_quote',
      `Tệp ${fileName}: dấu ngoặc kép mở ở dòng ${recordLine} không được đóng`,
      `${fileName}: a quote opened on line ${recordLine} is never closed`,
    )
  }
  if (cell !== '' || cells.length > 0) {
    if (cell.endsWith('\r')) cell = cell.slice(0, -1)
    const record = finishRecord()
    if (record) yield record
  }
}
