import fs from 'node:fs'
import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import type { Column } from '../infra/catalog/schema.ts'
import type { Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { mapHeaders } from './header-map.ts'
import { rawTable } from '../infra/warehouse/raw-rows.ts'
import { LoadRefusal } from './load-refusal.ts'
import { detectDelimiter, readCsv } from './readers/csv.ts'
import { sniffEncoding } from './readers/decode.ts'
import type { SourceRecord } from './readers/source-record.ts'
import { sqlString } from './rules-sql.ts'

/**
 * Writing deliveries into raw.<dataset>: every row, checked, with its provenance and `_problems`
 * (the column, problem code and value of each rule it breaks), in one INSERT, so the rows are
 * written once. They stay invisible until their load commits (readers see committed loads only), and
 * rejected rows stay invisible after (readers take rows with empty `_problems` only: acceptedRowsSql
 * in infra/warehouse/raw-table.ts); commit-load.ts gives their reasons in meta.rejects.
 *
 * One write may carry several files of one dataset and agency (a batch, load-file.ts): each file its
 * own load, source and load time, chosen per row by the row's 1-based file number `_file`. Planning
 * the generated checks costs about as much as checking a few thousand rows, so a batch of small
 * files pays it once rather than once a file.
 */
export interface RawWrite {
  wh: Warehouse
  dataset: CatalogDataset
  /** SQL over the catalogue columns giving the row's problems (rules-sql.ts). */
  problemsSql: string
  agency: string
  /** The files written, in order: `_file` 1 is the first. */
  files: { loadId: string; source: string; loadedAt: number }[]
}

export interface Written {
  unknownHeaders: string[]
}

const BATCH_ROWS = 50_000

const columnList = (columns: Column[]) => columns.map((c) => quoteIdent(c.id)).join(', ')

/** Rows from `from` (with `_file`, `_row` and the catalogue columns) into raw.<dataset>, checked. */
async function insertChecked(t: RawWrite, from: string, params: Record<string, unknown>, settings: Record<string, string | number> = {}) {
  const cols = columnList(t.dataset.columns)
  await t.wh.client.command({
    // _sha256 stays empty: the file is hashed while its rows are written, and its hash is the
    // load's (meta.loads), reached from each row by _load_id (load-file.ts).
    query: `INSERT INTO ${rawTable(t.dataset)} (${cols}, _load_id, _agency, _source, _row, _loaded_at, _problems)
      SELECT ${cols}, {loads:Array(String)}[_file], {agency:String}, {sources:Array(String)}[_file], _row,
        fromUnixTimestamp64Milli({ats:Array(Int64)}[_file]), ${t.problemsSql}
      FROM ${from}`,
    query_params: { ...params, loads: t.files.map((f) => f.loadId), agency: t.agency, sources: t.files.map((f) => f.source), ats: t.files.map((f) => f.loadedAt) },
    clickhouse_settings: settings,
  })
}

/**
 * Removes the rows of loads that did not commit. A load refused for too many rejected rows keeps
 * those (never read; the agency downloads them to fix, rejects-workbook.ts); otherwise none stay.
 */
export async function deleteLoadRows(wh: Warehouse, dataset: Pick<CatalogDataset, 'id'>, loadIds: string | string[], keepRejected = false) {
  const loads = typeof loadIds === 'string' ? [loadIds] : loadIds
  if (loads.length === 0) return
  await wh.client.command({
    query: `DELETE FROM ${rawTable(dataset)} WHERE _load_id IN {loads:Array(String)}${keepRejected ? ' AND empty(_problems)' : ''}`,
    query_params: { loads },
  })
}

/** A private table for rows read in Node; recover.ts drops any a dead process left behind. */
export function inputTableName(loadId: string): string {
  return `raw.${quoteIdent(`__input_${loadId.replaceAll('-', '')}`)}`
}

export async function dropTable(wh: Warehouse, table: string): Promise<void> {
  await wh.client.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` })
}

/**
 * Records read in Node (any reader; a file's first record is its header) gathered in a private input
 * table, then written to raw checked, in one INSERT for every file added. A file whose reading is
 * refused is left out; the others are written.
 */
export class RecordsInput {
  private readonly table: string
  private batch: Record<string, unknown>[] = []
  private created = false

  constructor(private readonly t: RawWrite) {
    // Named after the first load, which stays 'started' while the input lives (recover.ts keeps it).
    this.table = inputTableName(t.files[0]!.loadId)
  }

  private async flush() {
    if (!this.created) {
      // A plain local table, never ON CLUSTER: it lives only on the node doing the load.
      const ddl = ['`_file` UInt16', '`_row` UInt32', ...this.t.dataset.columns.map((c) => `${quoteIdent(c.id)} String`)].join(', ')
      await this.t.wh.client.command({ query: `CREATE TABLE ${this.table} (${ddl}) ENGINE = MergeTree ORDER BY (_file, _row)` })
      this.created = true
    }
    if (this.batch.length === 0) return
    await this.t.wh.client.insert({ table: this.table, values: this.batch, format: 'JSONEachRow' })
    this.batch = []
  }

  /** Adds the records of file `index` (0-based in t.files); throws the file's refusal. */
  async add(index: number, records: AsyncGenerator<SourceRecord>): Promise<Written> {
    const source = this.t.files[index]!.source
    const first = await records.next()
    if (first.done) throw new LoadRefusal('file.empty', `Tệp ${source} không có dòng tiêu đề`, `${source} has no header row`)
    const columns = this.t.dataset.columns
    const { cellIndex, unknownHeaders } = mapHeaders(columns, first.value.cells, source)
    for await (const record of records) {
      const row: Record<string, unknown> = { _file: index + 1, _row: record.line }
      columns.forEach((c, i) => {
        const cell = cellIndex[i]!
        row[c.id] = cell >= 0 ? (record.cells[cell] ?? '') : ''
      })
      this.batch.push(row)
      if (this.batch.length >= BATCH_ROWS) await this.flush()
    }
    return { unknownHeaders }
  }

  /** Writes the rows of the files given (0-based) into raw, checked; nothing when none is left. */
  async write(files: number[]): Promise<void> {
    if (files.length === 0) return
    await this.flush()
    await insertChecked(this.t, `${this.table} WHERE _file IN {files:Array(UInt16)}`, { files: files.map((i) => i + 1) })
  }

  /** Drops the input table; the caller does, however the write ended. */
  async drop(): Promise<void> {
    this.batch = []
    if (this.created) await dropTable(this.t.wh, this.table)
    this.created = false
  }
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
    // Decoded leniently: only the header is needed here; the whole file's UTF-8 is checked as it is hashed.
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
 * Writes a UTF-8 CSV/TSV by letting the engine read the file itself (file()) and check it on the
 * way into raw: one pass, no copy in between. One file (t.files[0]); only for engines on this
 * machine (Warehouse.readsLocalFiles).
 */
export async function writeDelimitedNatively(t: RawWrite, file: string, sniff: DelimitedSniff): Promise<Written> {
  const source = t.files[0]!.source
  if (sniff.header.length === 0) throw new LoadRefusal('file.empty', `Tệp ${source} không có dòng tiêu đề`, `${source} has no header row`)
  const { cellIndex, unknownHeaders } = mapHeaders(t.dataset.columns, sniff.header, source)
  const width = sniff.header.length
  const structure = Array.from({ length: width }, (_, i) => `c${i} String`).join(', ')
  const select = t.dataset.columns.map((c, i) => `${cellIndex[i]! >= 0 ? `c${cellIndex[i]}` : "''"} AS ${quoteIdent(c.id)}`)
  const blank = Array.from({ length: width }, (_, i) => `c${i} = ''`).join(' AND ')
  // _row_number counts records after the header from 0; line 1 is the header.
  const from = `(SELECT toUInt16(1) AS _file, toUInt32(_row_number + 2) AS _row, ${select.join(', ')}, ${blank} AS _blank
      FROM file({file:String}, 'CSVWithNames', ${sqlString(structure)})) WHERE NOT _blank`
  await insertChecked(t, from, { file }, {
    format_csv_delimiter: sniff.delimiter,
    // One thread parses while others check and write: parsing on every core only made the checks
    // wait for CPU (1M rows: 0.55 s instead of 0.65 s; a 1 GB file: 6.1 s and 0.93 GB instead of
    // 7.2 s and 1.13 GB; bench/load.ts).
    input_format_parallel_parsing: 0,
    input_format_with_names_use_header: 0,
    input_format_csv_allow_variable_number_of_columns: 1,
    // pread instead of mmap, and smaller blocks, keep memory bounded on big files (a 1 GB CSV
    // stays under 1 GB of RSS; see bench/load.ts).
    storage_file_read_method: 'pread',
    max_insert_block_size: '131072',
    min_insert_block_size_rows: '131072',
    min_insert_block_size_bytes: String(64 << 20),
  })
  return { unknownHeaders }
}
