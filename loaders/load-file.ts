import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Catalog, CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { mapHeaders } from './header-map.ts'
import { LoadRefusal } from './load-refusal.ts'
import { readCsv } from './readers/csv.ts'
import { decodeText } from './readers/decode.ts'
import { readJson } from './readers/json.ts'
import type { SourceRecord } from './readers/source-record.ts'

export type Channel = 'file' | 'upload' | 'push' | 'pull' | 'inbox' | 'demo'

export interface LoadMessage {
  code: string
  vi: string
  en: string
}

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

const BATCH_ROWS = 50_000

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function readerFor(file: string, name: string): (text: AsyncIterable<string>) => AsyncGenerator<SourceRecord> {
  const ext = path.extname(name).toLowerCase()
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return (t) => readCsv(t, name)
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return (t) => readJson(t, name)
  throw new LoadRefusal(
    'format.unsupported',
    `Tệp ${name}: định dạng "${ext || '(không có phần mở rộng)'}" chưa được hỗ trợ; hãy gửi CSV hoặc JSON`,
    `${name}: format "${ext || '(no extension)'}" is not supported; deliver CSV or JSON`,
  )
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
  const writeLoad = (status: string, message = '') =>
    opts.wh.client.insert({ table: 'meta.loads', values: [loadRow(status, message)], format: 'JSONEachRow' })

  try {
    const dataset = opts.catalog.dataset(opts.dataset)
    if (!dataset) {
      throw new LoadRefusal('dataset.unknown', `Không có bộ dữ liệu "${opts.dataset}"`, `No dataset "${opts.dataset}"`)
    }
    checkSender(opts.catalog, dataset, opts.agency)
    const read = readerFor(opts.file, source)
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

    const records = read(decodeText(fs.createReadStream(opts.file, { highWaterMark: 1 << 20 }), source))
    const first = await records.next()
    if (first.done) throw new LoadRefusal('file.empty', `Tệp ${source} không có dòng tiêu đề`, `${source} has no header row`)
    const { cellIndex, unknownHeaders } = mapHeaders(dataset.columns, first.value.cells, source)
    if (unknownHeaders.length > 0) {
      report.warnings.push({
        code: 'header.unknown',
        vi: `Bỏ qua các cột không có trong mẫu: ${unknownHeaders.join(', ')}`,
        en: `Ignored columns not in the template: ${unknownHeaders.join(', ')}`,
      })
    }
    const provenance = { _load_id: report.loadId, _agency: opts.agency, _source: source, _sha256: report.sha256, _loaded_at: started }
    let batch: Record<string, unknown>[] = []
    const flush = async () => {
      if (batch.length === 0) return
      await opts.wh.client.insert({ table: `raw.${dataset.id}`, values: batch, format: 'JSONEachRow' })
      report.rowsLoaded += batch.length
      batch = []
    }
    for await (const record of records) {
      report.rowsRead++
      const row: Record<string, unknown> = { ...provenance, _row: record.line }
      dataset.columns.forEach((c, i) => {
        const cell = cellIndex[i]!
        row[c.id] = cell >= 0 ? (record.cells[cell] ?? '') : ''
      })
      batch.push(row)
      if (batch.length >= BATCH_ROWS) await flush()
    }
    await flush()
    if (report.rowsRead === 0) throw new LoadRefusal('file.no_rows', `Tệp ${source} không có dòng dữ liệu`, `${source} has no data rows`)
    await writeLoad('committed')
    report.status = 'committed'
  } catch (err) {
    report.status = err instanceof LoadRefusal ? 'refused' : 'failed'
    report.refusal =
      err instanceof LoadRefusal
        ? { code: err.code, vi: err.vi, en: err.en }
        : { code: 'internal', vi: `Lỗi khi nạp: ${(err as Error).message}`, en: `Load failed: ${(err as Error).message}` }
    report.rowsLoaded = 0
    await writeLoad(report.status, report.refusal.en).catch(() => undefined)
  }
  report.durationMs = Date.now() - started
  return report
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
