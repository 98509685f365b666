import fs from 'node:fs'
import type { Column } from '../infra/catalog/schema.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { mapHeaders, type HeaderMap } from './header-map.ts'
import { LoadRefusal } from './load-refusal.ts'
import { detectDelimiter, readCsv } from './readers/csv.ts'
import { sniffEncoding } from './readers/decode.ts'
import type { SourceRecord } from './readers/source-record.ts'
import { sqlString } from './rules-sql.ts'

/**
 * A delivery's rows before they are checked: one String column per catalogue column, plus `_row`
 * (the line or record number in the file). Private to one load; dropped when it ends.
 */
export interface Stage {
  table: string
  unknownHeaders: string[]
}

const BATCH_ROWS = 50_000

/** The private tables of one load: `raw.__stage_<id>` and, after the checks, `raw.__stage_<id>_checked`. */
export function stageName(loadId: string, suffix: '' | '_checked' = ''): string {
  return `raw.${quoteIdent(`__stage_${loadId.replaceAll('-', '')}${suffix}`)}`
}

export async function createStage(wh: Warehouse, table: string, columns: Column[]): Promise<void> {
  const cols = ['`_row` UInt32', ...columns.map((c) => `${quoteIdent(c.id)} String`)]
  // A plain local table, never ON CLUSTER: staging lives only on the node doing the load.
  await wh.client.command({ query: `CREATE TABLE ${table} (${cols.join(', ')}) ENGINE = MergeTree ORDER BY _row` })
}

export async function dropStage(wh: Warehouse, table: string): Promise<void> {
  await wh.client.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` })
}

/** Stages records from any reader (first record: the header), in batches. */
export async function stageRecords(
  wh: Warehouse,
  table: string,
  columns: Column[],
  records: AsyncGenerator<SourceRecord>,
  source: string,
): Promise<Stage> {
  const first = await records.next()
  if (first.done) throw new LoadRefusal('file.empty', `Tệp ${source} không có dòng tiêu đề`, `${source} has no header row`)
  const { cellIndex, unknownHeaders } = mapHeaders(columns, first.value.cells, source)
  let batch: Record<string, unknown>[] = []
  const flush = async () => {
    if (batch.length === 0) return
    await wh.client.insert({ table, values: batch, format: 'JSONEachRow' })
    batch = []
  }
  for await (const record of records) {
    const row: Record<string, unknown> = { _row: record.line }
    columns.forEach((c, i) => {
      const cell = cellIndex[i]!
      row[c.id] = cell >= 0 ? (record.cells[cell] ?? '') : ''
    })
    batch.push(row)
    if (batch.length >= BATCH_ROWS) await flush()
  }
  await flush()
  return { table, unknownHeaders }
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
    // Decode leniently here: only the header is needed, and full UTF-8 checking happens in SQL.
    const text = head.subarray(bomLength).toString('utf8')
    const nl = text.indexOf('\n')
    const delimiter = detectDelimiter(nl < 0 ? text : text.slice(0, nl))
    const firstLine = nl < 0 ? text : text.slice(0, nl + 1)
    const it = readCsv((async function* () { yield firstLine })(), source)
    const first = await it.next()
    return { encoding, delimiter, header: first.done ? [] : first.value.cells }
  } finally {
    await fd.close()
  }
}

/**
 * Stages a UTF-8 CSV/TSV by letting the engine read the file itself (file()), which runs at
 * ClickHouse's native parsing speed. Only for engines on this machine (Warehouse.readsLocalFiles).
 */
export async function stageDelimitedNatively(
  wh: Warehouse,
  table: string,
  columns: Column[],
  file: string,
  sniff: DelimitedSniff,
  source: string,
): Promise<Stage> {
  if (sniff.header.length === 0) throw new LoadRefusal('file.empty', `Tệp ${source} không có dòng tiêu đề`, `${source} has no header row`)
  const { cellIndex, unknownHeaders }: HeaderMap = mapHeaders(columns, sniff.header, source)
  const width = Math.max(sniff.header.length, 1)
  const structure = Array.from({ length: width }, (_, i) => `c${i} String`).join(', ')
  const select = columns.map((c, i) => `${cellIndex[i]! >= 0 ? `c${cellIndex[i]}` : "''"} AS ${quoteIdent(c.id)}`)
  const allEmpty = Array.from({ length: width }, (_, i) => `c${i} = ''`).join(' AND ')
  await wh.client.command({
    query: `INSERT INTO ${table} SELECT _row, ${columns.map((c) => quoteIdent(c.id)).join(', ')}
      FROM (SELECT toUInt32(rowNumberInAllBlocks() + 2) AS _row, ${select.join(', ')}, ${allEmpty} AS _blank
            FROM file({file:String}, 'CSV', ${sqlString(structure)}))
      WHERE NOT _blank`,
    query_params: { file },
    clickhouse_settings: {
      format_csv_delimiter: sniff.delimiter,
      input_format_csv_skip_first_lines: '1',
      input_format_csv_allow_variable_number_of_columns: 1,
      // Keep the file's order so rowNumberInAllBlocks() is the record number.
      max_threads: 1,
    },
  })
  return { table, unknownHeaders }
}

/** The first line holding bytes that are not UTF-8, or null: such a file is refused, not loaded as mojibake. */
export async function firstNonUtf8Row(wh: Warehouse, table: string, columns: Column[]): Promise<number | null> {
  const text = `concat(${columns.map((c) => quoteIdent(c.id)).join(", '', ")})`
  const [row] = await queryRows<{ r: number | null }>(wh.client, `SELECT minOrNull(_row) AS r FROM ${table} WHERE NOT isValidUTF8(${text})`)
  return row?.r ?? null
}
