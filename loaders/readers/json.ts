import { LoadRefusal } from '../load-refusal.ts'
import type { SourceRecord } from './source-record.ts'

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
 * Only one record is in memory at a time. The header is the union of the keys of the first
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
  let capture: string | null = null
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

  const finishRecord = () => {
    let value: unknown
    try {
      value = JSON.parse(capture!)
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
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!
      if (ch === '\n') line++
      if (capture !== null) capture += ch
      if (inString) {
        if (escaped) escaped = false
        else if (ch === '\\') escaped = true
        else if (ch === '"') inString = false
        else if (capture === null) token += ch
        continue
      }
      switch (ch) {
        case '"':
          inString = true
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
            capture = ch
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
          if (capture !== null && stack.length === captureDepth) finishRecord()
          break
        }
        default:
          // A number, true, false or null where a record should be.
          if (capture === null && atRecordLevel() && foundTarget && !/\s/.test(ch)) throw notObject()
          break
      }
    }
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
