import fs from 'node:fs'
import path from 'node:path'
import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { headerMatcher } from './header-map.ts'
import { LoadRefusal } from './load-refusal.ts'
import { readCsv } from './readers/csv.ts'
import { decodeText } from './readers/decode.ts'
import { readJson } from './readers/json.ts'
import type { SourceRecord } from './readers/source-record.ts'
import { readXlsx } from './readers/xlsx.ts'
import { readXml } from './readers/xml.ts'

/** A delivered file's format, known by its name, and the reader that streams its records. */
export type Format = 'delimited' | 'json' | 'xlsx' | 'xml'

const EXTENSIONS: Record<string, Format> = {
  '.csv': 'delimited',
  '.tsv': 'delimited',
  '.txt': 'delimited',
  '.json': 'json',
  '.ndjson': 'json',
  '.jsonl': 'json',
  '.xml': 'xml',
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx',
  // Legacy Excel 97-2003: the workbook reader recognises it by its content and reads it with SheetJS.
  '.xls': 'xlsx',
}

export function formatOf(name: string): Format {
  const ext = path.extname(name).toLowerCase()
  const format = EXTENSIONS[ext]
  if (format) return format
  throw new LoadRefusal(
    'format.unsupported',
    `Tệp ${name}: định dạng "${ext || '(không có phần mở rộng)'}" không được hỗ trợ; hãy gửi XLSX, CSV, JSON hoặc XML`,
    `${name}: format "${ext || '(no extension)'}" is not supported; deliver XLSX, CSV, JSON or XML`,
  )
}

/** An .xlsx may expand to at most this much (zip-bomb guard). */
export const MAX_UNCOMPRESSED_BYTES = 2 * 1024 ** 3

/** An .xlsx's table of texts may expand to at most this much: the reader holds it (≈ 7× in memory). */
export const MAX_SHARED_STRINGS_BYTES = 64 * 1024 ** 2

/** Reads a file in Node, record by record: the reader for its format. */
export function recordsOf(file: string, source: string, format: Format, dataset: CatalogDataset, sheet?: string): AsyncGenerator<SourceRecord> {
  const text = () => decodeText(fs.createReadStream(file, { highWaterMark: 1 << 20 }), source)
  if (format === 'json') return readJson(text(), source, dataset.record_path)
  if (format === 'xml') return readXml(text(), source, { recordPath: dataset.record_path })
  if (format === 'xlsx') {
    const options = { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES, maxSharedStringsBytes: MAX_SHARED_STRINGS_BYTES, ...(sheet ? { sheet } : {}) }
    return readXlsx(file, source, headerMatcher(dataset.columns), options)
  }
  return readCsv(text(), source)
}
