import { LoadRefusal } from '../load-refusal.ts'
import type { SourceRecord } from './source-record.ts'

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function recordsAt(doc: unknown, recordPath: string | null, fileName: string): unknown[] {
  let node = doc
  for (const key of recordPath ? recordPath.split('.') : []) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined
  }
  if (Array.isArray(node)) return node
  throw new LoadRefusal(
    'json.no_records',
    `Tệp ${fileName}: không tìm thấy mảng bản ghi${recordPath ? ` tại "${recordPath}"` : ''}`,
    `${fileName}: no array of records${recordPath ? ` at "${recordPath}"` : ''}`,
  )
}

/**
 * Reads JSON records: a top-level array, NDJSON (one object a line), or an array under
 * `recordPath` (e.g. "data.items"). Yields the union of keys as the header record first,
 * then each record's cells in that order, numbered from 1.
 */
export async function* readJson(
  text: AsyncIterable<string>,
  fileName: string,
  recordPath: string | null = null,
): AsyncGenerator<SourceRecord> {
  let whole = ''
  for await (const chunk of text) whole += chunk
  const trimmed = whole.trim()
  let records: unknown[]
  let lineOf: (index: number) => number = (i) => i + 1
  if (trimmed.startsWith('{') && !recordPath && /}\s*\n\s*{/.test(trimmed)) {
    const lines = whole.split('\n')
    const numbers: number[] = []
    records = []
    lines.forEach((l, i) => {
      if (l.trim() === '') return
      try {
        records.push(JSON.parse(l))
        numbers.push(i + 1)
      } catch (err) {
        throw new LoadRefusal(
          'json.syntax',
          `Tệp ${fileName}, dòng ${i + 1}: JSON không hợp lệ (${(err as Error).message})`,
          `${fileName}, line ${i + 1}: invalid JSON (${(err as Error).message})`,
        )
      }
    })
    lineOf = (i) => numbers[i]!
  } else {
    let doc: unknown
    try {
      doc = JSON.parse(trimmed)
    } catch (err) {
      throw new LoadRefusal(
        'json.syntax',
        `Tệp ${fileName}: JSON không hợp lệ (${(err as Error).message})`,
        `${fileName}: invalid JSON (${(err as Error).message})`,
      )
    }
    records = recordsAt(doc, recordPath, fileName)
  }
  const headers: string[] = []
  const seen = new Set<string>()
  for (const r of records) {
    if (r && typeof r === 'object' && !Array.isArray(r)) {
      for (const key of Object.keys(r)) if (!seen.has(key)) seen.add(key), headers.push(key)
    }
  }
  yield { line: 0, cells: headers }
  for (let i = 0; i < records.length; i++) {
    const r = records[i]
    if (!r || typeof r !== 'object' || Array.isArray(r)) {
      throw new LoadRefusal(
        'json.not_object',
        `Tệp ${fileName}: bản ghi thứ ${lineOf(i)} không phải là đối tượng JSON`,
        `${fileName}: record ${lineOf(i)} is not a JSON object`,
      )
    }
    const obj = r as Record<string, unknown>
    yield { line: lineOf(i), cells: headers.map((h) => cellOf(obj[h])) }
  }
}
