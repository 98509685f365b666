import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { indicatorCodesOwnedBy, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { LoadRefusal } from './load-refusal.ts'
import { readCsv } from './readers/csv.ts'
import { decodeText } from './readers/decode.ts'
import { readJson } from './readers/json.ts'
import type { SourceRecord } from './readers/source-record.ts'
import { reasonSql, rowProblemsSql } from './rules-sql.ts'
import { createStage, dropStage, firstNonUtf8Row, sniffDelimited, stageDelimitedNatively, stageName, stageRecords, type Stage } from './stage.ts'

export type Channel = 'file' | 'upload' | 'push' | 'pull' | 'inbox' | 'demo'

export interface LoadMessage {
  code: string
  vi: string
  en: string
}

export interface RejectedRow {
  row: number
  column: string
  value: string
  code: string
  vi: string
  en: string
}

/** How many rejected rows a report lists; all of them are in meta.rejects. */
export const REPORT_REJECTS = 200

export interface LoadReport {
  loadId: string
  status: 'committed' | 'duplicate' | 'refused' | 'failed'
  dataset: string
  agency: string
  source: string
  sha256: string
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  warnings: LoadMessage[]
  refusal: LoadMessage | null
  /** The first rejected rows with their reasons (see REPORT_REJECTS). */
  rejects: RejectedRow[]
  durationMs: number
}

export interface LoadFileOptions {
  wh: Warehouse
  catalog: Catalog
  /** Where delivered files are archived by content hash. */
  archiveDir: string
  file: string
  dataset: string
  agency: string
  channel: Channel
  /** The name the agency gave the file, when `file` is a temporary path. */
  sourceName?: string
  /** When the agency delivered it (defaults to now); deadlines are judged on this. */
  deliveredAt?: Date
  /** The reporting period the delivery covers, when the channel knows it. */
  period?: string
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

type Format = 'delimited' | 'json'

function formatOf(name: string): Format {
  const ext = path.extname(name).toLowerCase()
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'delimited'
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return 'json'
  throw new LoadRefusal(
    'format.unsupported',
    `Tệp ${name}: định dạng "${ext || '(không có phần mở rộng)'}" chưa được hỗ trợ; hãy gửi CSV hoặc JSON`,
    `${name}: format "${ext || '(no extension)'}" is not supported; deliver CSV or JSON`,
  )
}

function textOf(file: string, source: string) {
  return decodeText(fs.createReadStream(file, { highWaterMark: 1 << 20 }), source)
}

/** Puts the delivery's rows into the stage table, by the fastest path its format and engine allow. */
async function stageFile(wh: Warehouse, table: string, dataset: CatalogDataset, file: string, source: string): Promise<Stage> {
  const read = (records: AsyncGenerator<SourceRecord>) => stageRecords(wh, table, dataset.columns, records, source)
  if (formatOf(source) === 'json') return read(readJson(textOf(file, source), source))
  const sniff = await sniffDelimited(file, source)
  if (sniff.encoding === 'utf-8' && wh.readsLocalFiles) {
    const stage = await stageDelimitedNatively(wh, table, dataset.columns, file, sniff, source)
    const badLine = await firstNonUtf8Row(wh, table, dataset.columns)
    if (badLine !== null) {
      throw new LoadRefusal(
        'encoding',
        `Tệp ${source} không phải văn bản UTF-8 hợp lệ (dòng ${badLine}); có thể đang dùng bảng mã cũ như Windows-1258 hoặc TCVN3. Hãy lưu lại dưới dạng CSV UTF-8`,
        `${source} is not valid UTF-8 text (line ${badLine}); it may use a legacy code page such as Windows-1258 or TCVN3. Save it as CSV UTF-8`,
      )
    }
    return stage
  }
  return read(readCsv(textOf(file, source), source))
}

function checkSender(catalog: Catalog, dataset: CatalogDataset, agency: string) {
  const known = catalog.agency(agency)
  if (!known) {
    throw new LoadRefusal('agency.unknown', `Không có cơ quan mã "${agency}" trong danh mục`, `No agency "${agency}" in the catalogue`)
  }
  const allowed =
    dataset.delivered_by === 'owner'
      ? agency === dataset.owner
      : catalog.indicators.some((i) => i.owner === agency) || agency === dataset.owner
  if (!allowed) {
    throw new LoadRefusal(
      'agency.not_owner',
      `${known.name} không phải cơ quan chủ quản của bộ dữ liệu "${dataset.name}"`,
      `${agency} does not own dataset "${dataset.id}"`,
    )
  }
}

/**
 * Loads one delivered file into raw.<dataset> with provenance. Rows become visible to readers only
 * when the load is marked committed in meta.loads; a crash before that leaves them invisible.
 * The same file delivered again by the same agency is recognised by its hash and not loaded twice.
 */
export async function loadFile(opts: LoadFileOptions): Promise<LoadReport> {
  const started = Date.now()
  const source = opts.sourceName ?? path.basename(opts.file)
  const report: LoadReport = {
    loadId: randomUUID(),
    status: 'refused',
    dataset: opts.dataset,
    agency: opts.agency,
    source,
    sha256: '',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    warnings: [],
    refusal: null,
    rejects: [],
    durationMs: 0,
  }
  const loadRow = (status: string, message = '') => ({
    load_id: report.loadId,
    dataset: opts.dataset,
    agency: opts.agency,
    channel: opts.channel,
    source,
    sha256: report.sha256,
    status,
    rows_read: report.rowsRead,
    rows_loaded: report.rowsLoaded,
    rows_rejected: report.rowsRejected,
    message,
    period: opts.period ?? '',
    delivered_at: (opts.deliveredAt ?? new Date(started)).getTime(),
    started_at: started,
    finished_at: status === 'started' ? null : Date.now(),
    updated_at: Date.now(),
  })
  const stageTable = stageName(report.loadId)
  const writeLoad = (status: string, message = '') =>
    opts.wh.client.insert({ table: 'meta.loads', values: [loadRow(status, message)], format: 'JSONEachRow' })

  try {
    const dataset = opts.catalog.dataset(opts.dataset)
    if (!dataset) {
      throw new LoadRefusal('dataset.unknown', `Không có bộ dữ liệu "${opts.dataset}"`, `No dataset "${opts.dataset}"`)
    }
    checkSender(opts.catalog, dataset, opts.agency)
    formatOf(source)
    if (fs.statSync(opts.file).size === 0) {
      throw new LoadRefusal('file.empty', `Tệp ${source} rỗng`, `${source} is empty`)
    }
    report.sha256 = await sha256File(opts.file)
    const previous = await queryRows<{ load_id: string }>(
      opts.wh.client,
      `SELECT load_id FROM meta.loads FINAL
       WHERE dataset = {dataset:String} AND agency = {agency:String} AND sha256 = {sha:String} AND status = 'committed'
       LIMIT 1`,
      { dataset: dataset.id, agency: opts.agency, sha: report.sha256 },
    )
    if (previous[0]) {
      return {
        ...report,
        loadId: previous[0].load_id,
        status: 'duplicate',
        warnings: [
          {
            code: 'file.duplicate',
            vi: `Tệp ${source} đã được nạp trước đây (lần nạp ${previous[0].load_id}); không nạp lại`,
            en: `${source} was already loaded (load ${previous[0].load_id}); not loaded again`,
          },
        ],
        durationMs: Date.now() - started,
      }
    }
    archive(opts.archiveDir, opts.file, report.sha256)
    await writeLoad('started')
    await createStage(opts.wh, stageTable, dataset.columns)

    const stage = await stageFile(opts.wh, stageTable, dataset, opts.file, source)
    if (stage.unknownHeaders.length > 0) {
      report.warnings.push({
        code: 'header.unknown',
        vi: `Bỏ qua các cột không có trong mẫu: ${stage.unknownHeaders.join(', ')}`,
        en: `Ignored columns not in the template: ${stage.unknownHeaders.join(', ')}`,
      })
    }
    await checkAndCommit(opts, dataset, report, stageTable, started)
    await writeLoad('committed')
    report.status = 'committed'
  } catch (err) {
    report.status = err instanceof LoadRefusal ? 'refused' : 'failed'
    report.refusal =
      err instanceof LoadRefusal
        ? { code: err.code, vi: err.vi, en: err.en }
        : { code: 'internal', vi: `Lỗi khi nạp: ${(err as Error).message}`, en: `Load failed: ${(err as Error).message}` }
    report.rowsLoaded = 0
    if (report.status === 'refused' && err instanceof LoadRefusal && err.code !== 'threshold') report.rowsRejected = 0
    await writeLoad(report.status, report.refusal.en).catch(() => undefined)
  } finally {
    await dropStage(opts.wh, stageTable).catch(() => undefined)
    await dropStage(opts.wh, stageName(report.loadId, '_checked')).catch(() => undefined)
  }
  report.durationMs = Date.now() - started
  return report
}

/**
 * Checks every staged row against the dataset's contract in one pass inside the engine, records
 * rejected rows with their reasons, and, unless more than the dataset's threshold were rejected,
 * appends the good rows to raw.<dataset>. Nothing is visible until the caller marks the load committed.
 */
async function checkAndCommit(opts: LoadFileOptions, dataset: CatalogDataset, report: LoadReport, stageTable: string, started: number) {
  const { wh, catalog } = opts
  const checked = stageName(report.loadId, '_checked')
  const cols = dataset.columns.map((c) => quoteIdent(c.id))
  await wh.client.command({
    query: `CREATE TABLE ${checked} ENGINE = MergeTree ORDER BY _row AS
      SELECT *, ${rowProblemsSql(dataset, {
        provinceCode: catalog.province.code,
        indicatorCodes: [...catalog.indicators.map((i) => i.code), ...catalog.components.map((c) => c.code)],
        ownedIndicatorCodes: indicatorCodesOwnedBy(catalog, opts.agency),
      })} AS _problems FROM ${stageTable}`,
  })
  const [counts] = await queryRows<{ total: number; rejected: number }>(
    wh.client,
    `SELECT count() AS total, countIf(notEmpty(_problems)) AS rejected FROM ${checked}`,
  )
  report.rowsRead = Number(counts!.total)
  report.rowsRejected = Number(counts!.rejected)
  const source = report.source
  if (report.rowsRead === 0) throw new LoadRefusal('file.no_rows', `Tệp ${source} không có dòng dữ liệu`, `${source} has no data rows`)

  const params = { load: report.loadId, dataset: dataset.id, agency: opts.agency, source, sha: report.sha256, at: started }
  if (report.rowsRejected > 0) {
    const names = dataset.columns.map((c) => `'${c.id}'`).join(', ')
    await wh.client.command({
      query: `INSERT INTO meta.rejects (load_id, dataset, agency, row, column, value, code, reason_vi, reason_en)
        SELECT {load:String}, {dataset:String}, {agency:String}, _row, p.1, v, p.2,
          ${reasonSql(dataset, 'p.1', 'p.2', 'v', 'vi')}, ${reasonSql(dataset, 'p.1', 'p.2', 'v', 'en')}
        FROM (SELECT _row, p, trimBoth([${cols.join(', ')}][indexOf([${names}], p.1)]) AS v FROM ${checked} ARRAY JOIN _problems AS p)`,
      query_params: params,
    })
    report.rejects = await queryRows<RejectedRow>(
      wh.client,
      `SELECT row, column, value, code, reason_vi AS vi, reason_en AS en FROM meta.rejects
       WHERE load_id = {load:String} ORDER BY row, column LIMIT ${REPORT_REJECTS}`,
      params,
    )
    report.warnings.push({
      code: 'rows.rejected',
      vi: `${report.rowsRejected} dòng bị từ chối (xem lý do từng dòng)`,
      en: `${report.rowsRejected} rows rejected (see each row's reason)`,
    })
  }
  const share = report.rowsRejected / report.rowsRead
  if (share > dataset.reject_threshold) {
    const pct = (x: number) => `${(x * 100).toLocaleString('vi-VN', { maximumFractionDigits: 2 })}%`
    throw new LoadRefusal(
      'threshold',
      `Từ chối cả tệp ${source}: ${report.rowsRejected}/${report.rowsRead} dòng (${pct(share)}) sai quy định, vượt ngưỡng ${pct(dataset.reject_threshold)} của bộ dữ liệu. Sửa các dòng bị từ chối rồi gửi lại`,
      `Refused all of ${source}: ${report.rowsRejected}/${report.rowsRead} rows (${(share * 100).toFixed(2)}%) break the contract, above the dataset's ${(dataset.reject_threshold * 100).toFixed(2)}% threshold. Fix the rejected rows and deliver again`,
    )
  }
  const keys = dataset.natural_key.map((k) => `trimBoth(${quoteIdent(k)})`).join(', ')
  const [dup] = await queryRows<{ n: number }>(wh.client, `SELECT count() - uniqExact(${keys}) AS n FROM ${checked} WHERE empty(_problems)`)
  if (Number(dup!.n) > 0) {
    report.warnings.push({
      code: 'rows.duplicate_key',
      vi: `${dup!.n} dòng trùng khóa (${dataset.natural_key.join(', ')}) với dòng khác trong tệp; tầng chuẩn hóa giữ bản cập nhật mới nhất`,
      en: `${dup!.n} rows repeat the key (${dataset.natural_key.join(', ')}) of another row in the file; the standard layer keeps the latest version`,
    })
  }
  await wh.client.command({
    query: `INSERT INTO raw.${quoteIdent(dataset.id)} (${cols.join(', ')}, _load_id, _agency, _source, _sha256, _row, _loaded_at)
      SELECT ${cols.join(', ')}, {load:String}, {agency:String}, {source:String}, {sha:String}, _row, fromUnixTimestamp64Milli({at:Int64})
      FROM ${checked} WHERE empty(_problems)`,
    query_params: params,
  })
  report.rowsLoaded = report.rowsRead - report.rowsRejected
}

/** Keeps the delivered bytes under archive/<first two hex>/<sha256>, so every value traces back to its file. */
function archive(archiveDir: string, file: string, sha256: string) {
  const target = path.join(archiveDir, sha256.slice(0, 2), sha256)
  if (fs.existsSync(target)) return
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.tmp`
  fs.copyFileSync(file, tmp)
  fs.renameSync(tmp, target)
}
