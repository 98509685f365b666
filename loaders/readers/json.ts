import { LoadRefusal } from '../load-refusal.ts'
import { MAX_VALUE_CHARS, type SourceRecord } from './source-record.ts'

/** The most characters one record may take (after over-long values are cut): beyond, the file is refused. */
export const MAX_RECORD_CHARS = 4_000_000

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

interface Frame {
  kind: 'object' | 'array'
  /** The key whose value is being read (objects). */
  key: string | null
  expectKey: boolean
}

/**
 * Streams JSON records without holding the document: a top-level array, NDJSON (one object a
 * line; top-level objects one after another), or the array at `recordPath` (e.g. "data.items").
 * Only one record is in memory at a time, and of each string value at most MAX_VALUE_CHARS + 1
 * characters (the rules then reject the row naming the column): memory stays bounded whatever the
 * file holds. A record is taken as slices of the text, not a character at a time. The header is the union of the keys of the first
 * `headerSample` records; it comes first, then each record's cells, numbered from 1 (NDJSON: by line).
 */
export async function* readJson(
  text: AsyncIterable<string>,
  fileName: string,
  recordPath: string | null = null,
  headerSample = 1000,
): AsyncGenerator<SourceRecord> {
  const path = recordPath ? recordPath.split('.') : []
  const stack: Frame[] = []
  let inString = false
  let escaped = false
  let token = ''
  let line = 1
  /** The record being read: its text so far, in slices; null outside a record. */
  let capture: string[] | null = null
  let captureChars = 0
  /** Where the record's text not yet sliced starts in the current chunk. */
  let captureFrom = 0
  /** The current string's length inside a record, and whether the rest of it is being left out. */
  let valueChars = 0
  let cutting = false
  let unicodeLeft = 0
  let captureDepth = -1
  let captureLine = 0
  let records = 0
  let foundTarget = path.length === 0
  const ready: { line: number; value: unknown }[] = []
  const notObject = () =>
    new LoadRefusal('json.not_object', `Tệp ${fileName}: bản ghi thứ ${records + 1} không phải là đối tượng JSON`, `${fileName}: record ${records + 1} is not a JSON object`)
  const fail = (vi: string, en: string) => new LoadRefusal('json.syntax', `Tệp ${fileName}, dòng ${line}: ${vi}`, `${fileName}, line ${line}: ${en}`)

  /** Are we directly inside the records' container (or at the top level for root sequences)? */
  const atRecordLevel = () => {
    if (path.length === 0) return stack.length === 0 || (stack.length === 1 && stack[0]!.kind === 'array')
    if (stack.length !== path.length + 1 || stack[stack.length - 1]!.kind !== 'array') return false
    return path.every((k, i) => stack[i]!.kind === 'object' && stack[i]!.key === k)
  }

  const keep = (text: string) => {
    capture!.push(text)
    captureChars += text.length
    if (captureChars > MAX_RECORD_CHARS) {
      throw new LoadRefusal('json.record_too_large', `Tệp ${fileName}: bản ghi thứ ${records + 1} dài hơn ${MAX_RECORD_CHARS} ký tự`, `${fileName}: record ${records + 1} is longer than ${MAX_RECORD_CHARS} characters`)
    }
  }

  const finishRecord = (text: string) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw fail(`JSON không hợp lệ (${(err as Error).message})`, `invalid JSON (${(err as Error).message})`)
    }
    records++
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      records--
      throw notObject()
    }
    const rootArray = path.length === 0 && stack.length === 1
    ready.push({ line: rootArray || path.length > 0 ? records : captureLine, value })
    capture = null
    captureChars = 0
    captureDepth = -1
  }

  let header: string[] | null = null
  const held: { line: number; value: unknown }[] = []
  const row = (r: { line: number; value: unknown }) => ({ line: r.line, cells: header!.map((h) => cellOf((r.value as Record<string, unknown>)[h])) })
  function* drain(final: boolean): Generator<SourceRecord> {
    if (header) {
      for (const r of ready.splice(0)) yield row(r)
      return
    }
    held.push(...ready.splice(0))
    if (held.length < headerSample && !final) return
    const keys = new Set<string>()
    for (const r of held) for (const k of Object.keys(r.value as object)) keys.add(k)
    header = [...keys]
    yield { line: 0, cells: header }
    for (const r of held.splice(0)) yield row(r)
  }

  for await (const chunk of text) {
    captureFrom = 0
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!
      if (ch === '\n') line++
      if (inString) {
        if (escaped) {
          escaped = false
          if (ch === 'u') unicodeLeft = 4
        } else if (ch === '\\') escaped = true
        else if (ch === '"') {
          inString = false
          // The cut part of a long value ends here: the record goes on from the closing quote.
          if (cutting) captureFrom = i
          cutting = false
        } else if (capture === null) {
          if (token.length <= MAX_VALUE_CHARS) token += ch
        } else if (unicodeLeft > 0) unicodeLeft--
        else if (!cutting && ++valueChars > MAX_VALUE_CHARS + 1) {
          // Past the limit, at a character that starts nothing: keep what came before, leave out the rest.
          keep(chunk.slice(captureFrom, i))
          cutting = true
        }
        continue
      }
      switch (ch) {
        case '"':
          inString = true
          valueChars = 0
          token = ''
          if (capture === null && atRecordLevel() && foundTarget) throw notObject()
          break
        case ':': {
          const top = stack[stack.length - 1]
          if (top?.kind === 'object' && top.expectKey) {
            top.key = token
            top.expectKey = false
          }
          break
        }
        case ',': {
          const top = stack[stack.length - 1]
          if (top?.kind === 'object') top.expectKey = true
          break
        }
        case '{':
        case '[': {
          if (capture === null && atRecordLevel() && (ch === '{' || stack.length > 0)) {
            capture = []
            captureFrom = i
            captureDepth = stack.length
            captureLine = line
          }
          if (!foundTarget && ch === '[' && stack.length === path.length && path.every((k, j) => stack[j]!.kind === 'object' && stack[j]!.key === k)) foundTarget = true
          stack.push({ kind: ch === '{' ? 'object' : 'array', key: null, expectKey: ch === '{' })
          break
        }
        case '}':
        case ']': {
          const top = stack.pop()
          if (!top || (top.kind === 'object') !== (ch === '}')) throw fail(`dấu "${ch}" không khớp`, `unbalanced "${ch}"`)
          if (capture !== null && stack.length === captureDepth) finishRecord(capture.join('') + chunk.slice(captureFrom, i + 1))
          break
        }
        default:
          // A number, true, false or null where a record should be.
          if (capture === null && atRecordLevel() && foundTarget && !/\s/.test(ch)) throw notObject()
          break
      }
    }
    if (capture !== null && !cutting) keep(chunk.slice(captureFrom))
    yield* drain(false)
  }
  if (inString || stack.length > 0) throw fail('JSON bị cắt cụt (thiếu dấu đóng)', 'JSON ends too early (unclosed)')
  if (!foundTarget) {
    throw new LoadRefusal(
      'json.no_records',
      `Tệp ${fileName}: không tìm thấy mảng bản ghi${recordPath ? ` tại "${recordPath}"` : ''}`,
      `${fileName}: no array of records${recordPath ? ` at "${recordPath}"` : ''}`,
    )
  }
  yield* drain(true)
}
