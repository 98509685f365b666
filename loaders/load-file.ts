import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { indicatorCodesOwnedBy, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { archiveFile, type ArchivedFile } from './archive.ts'
import { commitLoadedRows } from './commit-load.ts'
import type { Channel, LoadReport } from './load-report.ts'
import { LoadRefusal } from './load-refusal.ts'
import { readCsv } from './readers/csv.ts'
import { decodeText, notTextRefusal } from './readers/decode.ts'
import { readJson } from './readers/json.ts'
import { readXlsx } from './readers/xlsx.ts'
import { readXml } from './readers/xml.ts'
import { headerMatcher } from './header-map.ts'
import { rowProblemsSql } from './rules-sql.ts'
import { deleteLoadRows, sniffDelimited, writeDelimitedNatively, writeRecords, type RawWrite, type Written } from './write-raw.ts'

export type { Channel, LoadReport } from './load-report.ts'

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
  /** For workbooks: the sheet to read; otherwise the first whose header matches the dataset. */
  sheet?: string
  /** The file is kho's own temporary copy (an upload, pushed records), removed after the load. */
  temporary?: boolean
}

type Format = 'delimited' | 'json' | 'xlsx' | 'xml'

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

function formatOf(name: string): Format {
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

/** Writes the delivery's rows, checked, into raw by the fastest path its format and engine allow. */
async function writeFile(t: RawWrite, format: Format, file: string, sheet: string | undefined): Promise<Written> {
  const text = () => decodeText(fs.createReadStream(file, { highWaterMark: 1 << 20 }), t.source)
  if (format === 'json') return writeRecords(t, readJson(text(), t.source, t.dataset.record_path))
  if (format === 'xml') return writeRecords(t, readXml(text(), t.source, { recordPath: t.dataset.record_path }))
  if (format === 'xlsx') {
    const options = { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES, ...(sheet ? { sheet } : {}) }
    return writeRecords(t, readXlsx(file, t.source, headerMatcher(t.dataset.columns), options))
  }
  const sniff = await sniffDelimited(file, t.source)
  if (sniff.encoding === 'utf-8' && t.wh.readsLocalFiles) return writeDelimitedNatively(t, file, sniff)
  return writeRecords(t, readCsv(text(), t.source))
}

async function committedLoadOf(wh: Warehouse, dataset: string, agency: string, sha256: string): Promise<string | null> {
  const [row] = await queryRows<{ load_id: string }>(
    wh.client,
    `SELECT load_id FROM meta.loads FINAL
     WHERE dataset = {dataset:String} AND agency = {agency:String} AND sha256 = {sha:String} AND status = 'committed' LIMIT 1`,
    { dataset, agency, sha: sha256 },
  )
  return row?.load_id ?? null
}

/**
 * Loads one delivered file into raw.<dataset> with provenance (each row its load, the load its
 * file's sha256), checking every row against the dataset's contract on the way in. Rows become
 * visible to readers only when meta.loads marks the load committed, so a crash half-way leaves
 * nothing visible (and recovery deletes what it wrote); rows that break the contract stay in raw,
 * marked, and are never read. The same file delivered again by the same agency is recognised by
 * its hash and not loaded twice.
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
  const writeLoad = (status: string, message = '') =>
    opts.wh.client.insert({
      table: 'meta.loads',
      format: 'JSONEachRow',
      values: [
        {
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
        },
      ],
    })
  let writing: CatalogDataset | null = null
  let archiving: Promise<ArchivedFile> | null = null
  let archived: ArchivedFile | null = null

  try {
    const dataset = opts.catalog.dataset(opts.dataset)
    if (!dataset) throw new LoadRefusal('dataset.unknown', `Không có bộ dữ liệu "${opts.dataset}"`, `No dataset "${opts.dataset}"`)
    checkSender(opts.catalog, dataset, opts.agency)
    const format = formatOf(source) // refuses an unsupported format before anything is written
    if (fs.statSync(opts.file).size === 0) throw new LoadRefusal('file.empty', `Tệp ${source} rỗng`, `${source} is empty`)

    await writeLoad('started')
    // The file is hashed (and archived) while its rows are written: the rows carry the load id and
    // meta.loads the file's hash, so the hash need not finish first. A duplicate, known once the
    // hash is, has its rows removed before anything commits.
    archiving = archiveFile(opts.archiveDir, opts.file, { text: format !== 'xlsx', link: opts.temporary === true })
    archiving.catch(() => undefined)
    const target: RawWrite = {
      wh: opts.wh,
      dataset,
      source,
      loadId: report.loadId,
      agency: opts.agency,
      loadedAt: started,
      problemsSql: rowProblemsSql(dataset, {
        provinceCode: opts.catalog.province.code,
        indicatorCodes: [...opts.catalog.indicators.map((i) => i.code), ...opts.catalog.components.map((c) => c.code)],
        ownedIndicatorCodes: indicatorCodesOwnedBy(opts.catalog, opts.agency),
      }),
    }
    writing = dataset
    const [write, hashed] = await Promise.allSettled([writeFile(target, format, opts.file, opts.sheet), archiving])
    if (hashed.status === 'rejected') throw hashed.reason
    archived = hashed.value
    report.sha256 = archived.sha256
    // Text that is not UTF-8 (a legacy code page) is refused by the line it breaks on, whatever the write made of it.
    if (archived.notUtf8Line !== null) throw notTextRefusal(source, 'utf-8', { line: archived.notUtf8Line })
    const original = await committedLoadOf(opts.wh, dataset.id, opts.agency, report.sha256)
    if (original) {
      await deleteLoadRows(opts.wh, dataset, report.loadId)
      writing = null
      report.status = 'duplicate'
      report.warnings.push({
        code: 'file.duplicate',
        vi: `Tệp ${source} đã được nạp trước đây (lần nạp ${original}); không nạp lại`,
        en: `${source} was already loaded (load ${original}); not loaded again`,
      })
      await writeLoad('duplicate', `same file as load ${original}`)
      return report
    }
    if (write.status === 'rejected') throw write.reason
    const written = write.value
    if (written.unknownHeaders.length > 0) {
      const headers = written.unknownHeaders.join(', ')
      report.warnings.push({ code: 'header.unknown', vi: `Bỏ qua các cột không có trong mẫu: ${headers}`, en: `Ignored columns not in the template: ${headers}` })
    }
    await archived.stored
    await commitLoadedRows({ wh: opts.wh, dataset, report })
    await writeLoad('committed')
    report.status = 'committed'
  } catch (err) {
    const refusal = err instanceof LoadRefusal ? err : null
    report.status = refusal ? 'refused' : 'failed'
    report.refusal = refusal
      ? { code: refusal.code, vi: refusal.vi, en: refusal.en }
      : { code: 'internal', vi: `Lỗi khi nạp: ${(err as Error).message}`, en: `Load failed: ${(err as Error).message}` }
    report.rowsLoaded = 0
    // Rows rejected stay counted when they are why the whole file was refused.
    if (refusal?.code !== 'threshold') report.rowsRejected = 0
    await writeLoad(report.status, report.refusal.en).catch(() => undefined)
    // Never visible (the load did not commit); removed, but for the rejected rows of a refused file.
    if (writing) await deleteLoadRows(opts.wh, writing, report.loadId, refusal?.code === 'threshold').catch(() => undefined)
  } finally {
    // However the load ended, the archive copy is settled before the caller sees the report.
    await archiving?.then((a) => a.stored).catch(() => undefined)
    report.durationMs = Date.now() - started
  }
  return report
}
