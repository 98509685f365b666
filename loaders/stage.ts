import fs from 'node:fs'
import type { Column } from '../infra/catalog/schema.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { mapHeaders } from './header-map.ts'
import { LoadRefusal } from './load-refusal.ts'
import { detectDelimiter, readCsv } from './readers/csv.ts'
import { sniffEncoding } from './readers/decode.ts'
import type { SourceRecord } from './readers/source-record.ts'
import { sqlString } from './rules-sql.ts'

/**
 * Staging: a delivery's rows, checked, before any of them reaches raw. The stage table is private
 * to one load and dropped when it ends: one String column per catalogue column, `_row` (the line or
 * record number in the file) and `_problems`, the (column, problem code) pairs the row breaks.
 */
export interface StageTarget {
  wh: Warehouse
  /** Quoted `raw.__stage_<load>` name. */
  table: string
  columns: Column[]
  /** SQL over the catalogue columns giving the row's problems (rules-sql.ts). */
  problemsSql: string
  source: string
}

export interface Staged {
  unknownHeaders: string[]
}

const BATCH_ROWS = 50_000

export function stageName(loadId: string, suffix: '' | '_input' = ''): string {
  return `raw.${quoteIdent(`__stage_${loadId.replaceAll('-', '')}${suffix}`)}`
}

function columnsDdl(columns: Column[]): string {
  return ['`_row` UInt32', ...columns.map((c) => `${quoteIdent(c.id)} String`)].join(', ')
}

export async function createStage(t: StageTarget): Promise<void> {
  // A plain local table, never ON CLUSTER: staging lives only on the node doing the load.
  await t.wh.client.command({
    query: `CREATE TABLE ${t.table} (${columnsDdl(t.columns)}, _problems Array(Tuple(String, String))) ENGINE = MergeTree ORDER BY _row`,
  })
}

export async function dropStage(wh: Warehouse, table: string): Promise<void> {
  await wh.client.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` })
}

const columnList = (columns: Column[]) => columns.map((c) => quoteIdent(c.id)).join(', ')

/** Stages records from any reader (first record: the header) through a private input table. */
export async function stageRecords(t: StageTarget, input: string, records: AsyncGenerator<SourceRecord>): Promise<Staged> {
  const first = await records.next()
  if (first.done) throw new LoadRefusal('file.empty', `Tệp ${t.source} không có dòng tiêu đề`, `${t.source} has no header row`)
  const { cellIndex, unknownHeaders } = mapHeaders(t.columns, first.value.cells, t.source)
  await t.wh.client.command({ query: `CREATE TABLE ${input} (${columnsDdl(t.columns)}) ENGINE = MergeTree ORDER BY _row` })
  try {
    let batch: Record<string, unknown>[] = []
    const flush = async () => {
      if (batch.length === 0) return
      await t.wh.client.insert({ table: input, values: batch, format: 'JSONEachRow' })
      batch = []
    }
    for await (const record of records) {
      const row: Record<string, unknown> = { _row: record.line }
      t.columns.forEach((c, i) => {
        const cell = cellIndex[i]!
        row[c.id] = cell >= 0 ? (record.cells[cell] ?? '') : ''
      })
      batch.push(row)
      if (batch.length >= BATCH_ROWS) await flush()
    }
    await flush()
    await t.wh.client.command({
      query: `INSERT INTO ${t.table} SELECT _row, ${columnList(t.columns)}, ${t.problemsSql} FROM ${input}`,
    })
  } finally {
    await dropStage(t.wh, input)
  }
  return { unknownHeaders }
}

/** What the first bytes of a delimited text file say about it. */
export interface DelimitedSniff {
  encoding: ReturnType<typeof sniffEncoding>['encoding']
  delimiter: string
  header: string[]
}

export async function sniffDelimited(file: string, source: string): Promise<DelimitedSniff> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const buf = Buffer.alloc(256 * 1024)
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0)
    const head = buf.subarray(0, bytesRead)
    const { encoding, bomLength } = sniffEncoding(head)
    if (encoding !== 'utf-8') return { encoding, delimiter: '', header: [] }
    // Decoded leniently: only the header is needed here; the whole file's UTF-8 is checked in SQL.
    const text = head.subarray(bomLength).toString('utf8')
    const nl = text.indexOf('\n')
    const firstLine = nl < 0 ? text : text.slice(0, nl + 1)
    const first = await readCsv((async function* () { yield firstLine })(), source).next()
    return { encoding, delimiter: detectDelimiter(firstLine), header: first.done ? [] : first.value.cells }
  } finally {
    await fd.close()
  }
}

/**
 * Stages a UTF-8 CSV/TSV by letting the engine read the file itself (file()) and check it in the
 * same pass, at ClickHouse's native speed. Only for engines on this machine (Warehouse.readsLocalFiles).
 */
export async function stageDelimitedNatively(t: StageTarget, file: string, sniff: DelimitedSniff): Promise<Staged> {
  if (sniff.header.length === 0) throw new LoadRefusal('file.empty', `Tệp ${t.source} không có dòng tiêu đề`, `${t.source} has no header row`)
  const { cellIndex, unknownHeaders } = mapHeaders(t.columns, sniff.header, t.source)
  const width = sniff.header.length
  const structure = Array.from({ length: width }, (_, i) => `c${i} String`).join(', ')
  const select = t.columns.map((c, i) => `${cellIndex[i]! >= 0 ? `c${cellIndex[i]}` : "''"} AS ${quoteIdent(c.id)}`)
  const blank = Array.from({ length: width }, (_, i) => `c${i} = ''`).join(' AND ')
  await t.wh.client.command({
    query: `INSERT INTO ${t.table} SELECT _row, ${columnList(t.columns)}, ${t.problemsSql}
      FROM (SELECT toUInt32(rowNumberInAllBlocks() + 2) AS _row, ${select.join(', ')}, ${blank} AS _blank
            FROM file({file:String}, 'CSV', ${sqlString(structure)}))
      WHERE NOT _blank`,
    query_params: { file },
    clickhouse_settings: {
      format_csv_delimiter: sniff.delimiter,
      input_format_csv_skip_first_lines: '1',
      input_format_csv_allow_variable_number_of_columns: 1,
      // One stream in file order, so rowNumberInAllBlocks() is the record number.
      max_threads: 1,
      // pread instead of mmap, and smaller blocks, keep memory bounded on big files (a 1 GB CSV
      // stays under 1 GB of RSS instead of 2.3 GB; see bench/load.ts).
      storage_file_read_method: 'pread',
      max_insert_block_size: '131072',
      min_insert_block_size_rows: '131072',
      min_insert_block_size_bytes: String(64 << 20),
    },
  })
  const badLine = await firstNonUtf8Row(t)
  if (badLine !== null) {
    throw new LoadRefusal(
      'encoding',
      `Tệp ${t.source} không phải văn bản UTF-8 hợp lệ (dòng ${badLine}); có thể đang dùng bảng mã cũ như Windows-1258 hoặc TCVN3. Hãy lưu lại dưới dạng CSV UTF-8`,
      `${t.source} is not valid UTF-8 text (line ${badLine}); it may use a legacy code page such as Windows-1258 or TCVN3. Save it as CSV UTF-8`,
    )
  }
  return { unknownHeaders }
}

/** The first line holding bytes that are not UTF-8, or null. */
async function firstNonUtf8Row(t: StageTarget): Promise<number | null> {
  const text = `concat(${t.columns.map((c) => quoteIdent(c.id)).join(", '', ")})`
  const [row] = await queryRows<{ r: number | null }>(t.wh.client, `SELECT minOrNull(_row) AS r FROM ${t.table} WHERE NOT isValidUTF8(${text})`)
  return row?.r ?? null
}
