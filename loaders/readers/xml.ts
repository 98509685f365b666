import { SaxesParser } from 'saxes'
import { LoadRefusal } from '../load-refusal.ts'
import type { SourceRecord } from './source-record.ts'

export interface XmlOptions {
  /**
   * Where the records are: element names from the root, e.g. "baocao/dong" or just "dong" (any
   * element of that name). Otherwise each child of the root element is a record.
   */
  recordPath?: string | null
  maxDepth?: number
  /** Largest text of one field, in characters. */
  maxFieldChars?: number
  /** Records read before the header (the union of their field names) is fixed. */
  headerSample?: number
}

const refuse = (code: string, vi: string, en: string) => new LoadRefusal(code, vi, en)

/**
 * Streams records from XML: a record's fields are its attributes and the text of its child
 * elements. No DTD is accepted, so no entity is ever expanded (no XXE, no "billion laughs"), and
 * depth and field size are bounded. Yields the header first (field names of the first records).
 */
export async function* readXml(text: AsyncIterable<string>, source: string, options: XmlOptions = {}): AsyncGenerator<SourceRecord> {
  const maxDepth = options.maxDepth ?? 32
  const maxField = options.maxFieldChars ?? 1 << 20
  const sample = options.headerSample ?? 1000
  const path = options.recordPath ? options.recordPath.split('/').filter(Boolean) : null

  const parser = new SaxesParser({ position: true })
  const stack: string[] = []
  let current: { line: number; fields: Map<string, string>; depth: number } | null = null
  let field: { name: string; text: string } | null = null
  const ready: { line: number; fields: Map<string, string> }[] = []
  let failure: Error | null = null

  const isRecord = (name: string) => {
    if (!path) return stack.length === 1 // children of the root
    if (path.length === 1) return name === path[0]
    return stack.length === path.length - 1 && [...stack, name].every((n, i) => n === path[i])
  }

  parser.on('doctype', () => {
    failure = refuse(
      'xml.dtd',
      `Tệp ${source} có khai báo DOCTYPE/DTD; kho không chấp nhận DTD và thực thể (nguy cơ XXE). Hãy xuất XML không có DOCTYPE`,
      `${source} declares a DOCTYPE/DTD; kho accepts no DTD or entities (XXE risk). Export the XML without a DOCTYPE`,
    )
  })
  parser.on('xmldecl', (decl) => {
    if (decl.encoding && !/^utf-?(8|16)$/i.test(decl.encoding)) {
      failure = refuse(
        'encoding',
        `Tệp ${source} khai báo bảng mã ${decl.encoding}; hãy xuất lại dưới dạng UTF-8`,
        `${source} declares the ${decl.encoding} encoding; export it again as UTF-8`,
      )
    }
  })
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) {
      failure = refuse('xml.depth', `Tệp ${source}: XML lồng quá ${maxDepth} cấp`, `${source}: XML nested deeper than ${maxDepth} levels`)
      return
    }
    if (!current && isRecord(tag.name)) {
      current = { line: parser.line, fields: new Map(Object.entries(tag.attributes as Record<string, string>)), depth: stack.length }
    } else if (current && stack.length === current.depth + 1) {
      field = { name: tag.name, text: '' }
    }
    stack.push(tag.name)
  })
  parser.on('text', (t) => {
    if (!field) return
    field.text += t
    if (field.text.length > maxField) {
      failure = refuse('xml.field_size', `Tệp ${source}: trường "${field.name}" dài quá ${maxField} ký tự`, `${source}: field "${field.name}" is longer than ${maxField} characters`)
    }
  })
  parser.on('cdata', (t) => {
    if (field) field.text += t
  })
  parser.on('closetag', () => {
    stack.pop()
    if (current && field && stack.length === current.depth + 1) {
      current.fields.set(field.name, field.text.trim())
      field = null
    } else if (current && stack.length === current.depth) {
      ready.push(current)
      current = null
    }
  })
  parser.on('error', (err) => {
    failure ??= refuse('xml.syntax', `Tệp ${source}: XML không hợp lệ (${err.message})`, `${source}: invalid XML (${err.message})`)
  })

  let header: string[] | null = null
  const held: { line: number; fields: Map<string, string> }[] = []
  const toRecord = (r: { line: number; fields: Map<string, string> }) => ({ line: r.line, cells: header!.map((h) => r.fields.get(h) ?? '') })
  function* drain(final: boolean): Generator<SourceRecord> {
    if (!header) {
      held.push(...ready.splice(0))
      if (held.length < sample && !final) return
      const names = new Set<string>()
      for (const r of held) for (const k of r.fields.keys()) names.add(k)
      header = [...names]
      yield { line: 0, cells: header }
      for (const r of held.splice(0)) yield toRecord(r)
      return
    }
    for (const r of ready.splice(0)) yield toRecord(r)
  }

  for await (const chunk of text) {
    parser.write(chunk)
    if (failure) throw failure
    yield* drain(false)
  }
  parser.close()
  if (failure) throw failure
  yield* drain(true)
}
