import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { indicatorCodesOwnedBy, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { archiveFile, archivePath, type ArchivedFile } from './archive.ts'
import { diskFullMessage, isDiskFull } from '../infra/files/disk-full.ts'
import type { KeptFiles } from '../infra/files/sealed-file.ts'
import { countLoads, judgeLoad } from './commit-load.ts'
import type { Channel, LoadReport } from './load-report.ts'
import { LoadRefusal } from './load-refusal.ts'
import { notTextRefusal } from './readers/decode.ts'
import { formatOf, recordsOf, type Format } from './file-records.ts'
import { rowProblemsSql } from './rules-sql.ts'
import { deleteLoadRows, RecordsInput, sniffDelimited, writeDelimitedNatively, type RawWrite } from './write-raw.ts'
import * as clock from '../infra/time/clock.ts'

export type { Channel, LoadReport } from './load-report.ts'

export interface LoadFileOptions {
  wh: Warehouse
  catalog: Catalog
  /** Where delivered files are archived (sealed) by content hash. */
  archive: KeptFiles
  file: string
  dataset: string
  agency: string
  channel: Channel
  /**
   * Who delivered it: account:<username> (an upload), cli:<OS user> (kho load), push-key:<key id>,
   * pull:<source>, inbox, demo; the channel's name when not said (an in-process load).
   */
  deliveredBy?: string
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

/** The shared part of a batch of deliveries: the warehouse, the catalogue and the archive. */
export interface LoadFilesOptions {
  wh: Warehouse
  catalog: Catalog
  archive: KeptFiles
  files: Omit<LoadFileOptions, 'wh' | 'catalog' | 'archive'>[]
  /** Stops between two batches: what was loaded stays; the files not yet begun are not loaded (the signal's reason is thrown). */
  signal?: AbortSignal
  /** Told after each batch how many files have been settled. */
  onSettled?: (done: number, total: number) => void
}

/** A file this size or larger is loaded on its own (natively when it can be); smaller ones share a write. */
const BATCH_FILE_BYTES = 4 * 1024 * 1024
/** A shared write holds at most this many files and bytes. */
const BATCH_MAX_FILES = 200
const BATCH_MAX_BYTES = 64 * 1024 * 1024

/** One file of a batch as it goes: its delivery, its report, and what is known of it so far. */
interface InFlight {
  delivery: LoadFilesOptions['files'][number]
  report: LoadReport
  format: Format
  size: number
  loadedAt: number
  archiving: Promise<ArchivedFile> | null
  /** Why the file is refused or failed; null while it may still commit. */
  error: unknown
  unknownHeaders: string[]
  /** The committed load holding the same file, when this one is a duplicate. */
  duplicateOf: string | null
  /** An earlier file of the same batch with the same content, which this one follows. */
  twinOf: InFlight | null
}

// Each load's time is distinct and follows delivery order, even within one millisecond: a
// standardised model keeps the latest version of a key by it.
let lastLoadedAt = 0
const nextLoadedAt = () => (lastLoadedAt = Math.max(clock.nowMs(), lastLoadedAt + 1))

function meta(f: InFlight, status: string, message = '') {
  const d = f.delivery
  const r = f.report
  return {
    load_id: r.loadId,
    dataset: r.dataset,
    agency: r.agency,
    channel: d.channel,
    delivered_by: d.deliveredBy ?? d.channel,
    source: r.source,
    sha256: r.sha256,
    status,
    rows_read: r.rowsRead,
    rows_loaded: r.rowsLoaded,
    rows_rejected: r.rowsRejected,
    message,
    period: d.period ?? '',
    delivered_at: (d.deliveredAt ?? new Date(f.loadedAt)).getTime(),
    started_at: f.loadedAt,
    finished_at: status === 'started' ? null : clock.nowMs(),
    updated_at: Date.now(),
  }
}

function markDuplicate(f: InFlight, original: string) {
  f.duplicateOf = original
  f.report.status = 'duplicate'
  f.report.warnings.push({
    code: 'file.duplicate',
    vi: `Tệp ${f.report.source} đã được nạp trước đây (lần nạp ${original}); không nạp lại`,
    en: `${f.report.source} was already loaded (load ${original}); not loaded again`,
  })
}

/**
 * A delivery the full disk stopped was not carried out (the sender is asked to send it again): its
 * copy leaves the archive as well, freeing what it took — unless a committed load holds the same file.
 */
async function forgetStoppedByFullDisk(wh: Warehouse, archiveDir: string, batch: InFlight[]): Promise<void> {
  const hashes = batch.filter((f) => f.report.refusal?.code === 'disk_full' && f.report.sha256).map((f) => f.report.sha256)
  if (hashes.length === 0) return
  const kept = await queryRows<{ sha256: string }>(
    wh.client,
    "SELECT DISTINCT sha256 FROM meta.loads FINAL WHERE sha256 IN {hashes:Array(String)} AND status = 'committed'",
    { hashes },
  )
  const keep = new Set(kept.map((k) => k.sha256))
  for (const h of hashes) if (!keep.has(h)) fs.rmSync(archivePath(archiveDir, h), { force: true })
}

/** The load's last meta.loads row: how it ended. */
const finalMeta = (f: InFlight) => (f.duplicateOf ? meta(f, 'duplicate', `same file as load ${f.duplicateOf}`) : meta(f, f.report.status, f.report.refusal?.en ?? ''))

/** Ends a file that did not commit: the report says why (in Vietnamese and English). */
function settleError(f: InFlight, home: string) {
  const refusal = f.error instanceof LoadRefusal ? f.error : null
  const r = f.report
  r.status = refusal ? 'refused' : 'failed'
  r.refusal = refusal
    ? { code: refusal.code, vi: refusal.vi, en: refusal.en }
    : isDiskFull(f.error)
      ? { code: 'disk_full', ...diskFullMessage(home) }
      : { code: 'internal', vi: `Lỗi khi nạp: ${(f.error as Error).message}`, en: `Load failed: ${(f.error as Error).message}` }
  r.rowsLoaded = 0
  // Rows rejected stay counted when they are why the whole file was refused.
  if (refusal?.code !== 'threshold') r.rowsRejected = 0
}

/**
 * Loads delivered files into raw.<dataset> with provenance (each row its load, the load its file's
 * sha256), checking every row against the dataset's contract on the way in. Rows become visible to
 * readers only when meta.loads marks the load committed, so a crash half-way leaves nothing visible
 * (and recovery deletes what it wrote); rows that break the contract stay in raw, marked, and are
 * never read. The same file delivered again by the same agency is recognised by its hash and not
 * loaded twice.
 *
 * Every file is its own load with its own report, refusal, hash, archive copy and commit, judged in
 * delivery order. Small files of one dataset and agency share the write and the bookkeeping (one
 * INSERT, one count, one meta.loads insert for the batch), since each statement costs the engine
 * milliseconds to plan whatever its rows; a big file is written alone, natively when it can be.
 */
export async function loadFiles(opts: LoadFilesOptions): Promise<LoadReport[]> {
  const flights: InFlight[] = opts.files.map((d) => {
    const source = d.sourceName ?? path.basename(d.file)
    const report: LoadReport = {
      loadId: randomUUID(),
      status: 'refused',
      dataset: d.dataset,
      agency: d.agency,
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
    return { delivery: d, report, format: 'delimited', size: 0, loadedAt: 0, archiving: null, error: null, unknownHeaders: [], duplicateOf: null, twinOf: null }
  })
  // What can be refused before anything is written: unknown dataset or agency, format, empty file.
  const groups = new Map<string, { dataset: CatalogDataset; agency: string; files: InFlight[] }>()
  for (const f of flights) {
    const d = f.delivery
    try {
      const dataset = opts.catalog.dataset(d.dataset)
      if (!dataset) throw new LoadRefusal('dataset.unknown', `Không có bộ dữ liệu "${d.dataset}"`, `No dataset "${d.dataset}"`)
      checkSender(opts.catalog, dataset, d.agency)
      f.format = formatOf(f.report.source)
      f.size = fs.statSync(d.file).size
      if (f.size === 0) throw new LoadRefusal('file.empty', `Tệp ${f.report.source} rỗng`, `${f.report.source} is empty`)
      const key = `${dataset.id}\u0000${d.agency}`
      if (!groups.has(key)) groups.set(key, { dataset, agency: d.agency, files: [] })
      groups.get(key)!.files.push(f)
    } catch (err) {
      f.loadedAt = nextLoadedAt()
      f.error = err
      settleError(f, path.dirname(opts.archive.dir))
      await opts.wh.client.insert({ table: 'meta.loads', format: 'JSONEachRow', values: [finalMeta(f)] }).catch(() => undefined)
    }
  }
  let settled = flights.length - [...groups.values()].reduce((n, g) => n + g.files.length, 0)
  const load = async (dataset: CatalogDataset, agency: string, batch: InFlight[]) => {
    opts.signal?.throwIfAborted()
    await loadBatch(opts, dataset, agency, batch)
    opts.onSettled?.((settled += batch.length), flights.length)
  }
  const loadGroup = async ({ dataset, agency, files }: { dataset: CatalogDataset; agency: string; files: InFlight[] }) => {
    let batch: InFlight[] = []
    let bytes = 0
    const flush = async () => {
      if (batch.length > 0) await load(dataset, agency, batch)
      batch = []
      bytes = 0
    }
    for (const f of files) {
      if (f.size >= BATCH_FILE_BYTES) {
        await flush()
        await load(dataset, agency, [f])
        continue
      }
      if (batch.length >= BATCH_MAX_FILES || bytes + f.size > BATCH_MAX_BYTES) await flush()
      batch.push(f)
      bytes += f.size
    }
    await flush()
  }
  // Groups (a dataset and an agency each) share nothing a load decides on, so two go at once: one
  // reads its files in Node while the engine writes and counts the other's. Within a group the
  // files go in delivery order.
  const queue = [...groups.values()]
  const worker = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) await loadGroup(g)
  }
  // Both finish (or stop at the signal) before the caller hears of either's error.
  const ended = await Promise.allSettled([worker(), worker()])
  for (const e of ended) if (e.status === 'rejected') throw e.reason
  return flights.map((f) => f.report)
}

/** Loads one delivered file (see loadFiles). */
export async function loadFile(opts: LoadFileOptions): Promise<LoadReport> {
  const { wh, catalog, archive, ...delivery } = opts
  const [report] = await loadFiles({ wh, catalog, archive, files: [delivery] })
  return report!
}

/** Writes a batch's rows, checked, into raw; a file whose reading is refused gets its error. */
async function writeBatch(t: RawWrite, batch: InFlight[]): Promise<void> {
  if (batch.length === 1 && batch[0]!.format === 'delimited' && t.wh.readsLocalFiles) {
    const f = batch[0]!
    const sniff = await sniffDelimited(f.delivery.file, f.report.source)
    if (sniff.encoding === 'utf-8') {
      try {
        f.unknownHeaders = (await writeDelimitedNatively(t, f.delivery.file, sniff)).unknownHeaders
      } catch (err) {
        f.error = err
      }
      return
    }
  }
  const input = new RecordsInput(t)
  try {
    const written: number[] = []
    for (const [i, f] of batch.entries()) {
      try {
        f.unknownHeaders = (await input.add(i, recordsOf(f.delivery.file, f.report.source, f.format, t.dataset, f.delivery.sheet))).unknownHeaders
        written.push(i)
      } catch (err) {
        if (!(err instanceof LoadRefusal)) throw err
        f.error = err
      }
    }
    await input.write(written)
  } finally {
    await input.drop()
  }
}

async function committedLoadsOf(wh: Warehouse, dataset: string, agency: string, hashes: string[]): Promise<Map<string, string>> {
  const rows = await queryRows<{ load_id: string; sha256: string }>(
    wh.client,
    `SELECT sha256, any(load_id) AS load_id FROM meta.loads FINAL
     WHERE dataset = {dataset:String} AND agency = {agency:String} AND sha256 IN {hashes:Array(String)} AND status = 'committed'
     GROUP BY sha256`,
    { dataset, agency, hashes },
  )
  return new Map(rows.map((r) => [r.sha256, r.load_id]))
}

/** One shared write of files of one dataset and agency, then each file judged and settled in order. */
async function loadBatch(opts: LoadFilesOptions, dataset: CatalogDataset, agency: string, batch: InFlight[]): Promise<void> {
  const { wh } = opts
  const started = Date.now()
  for (const f of batch) f.loadedAt = nextLoadedAt()
  let written = false
  try {
    await wh.client.insert({ table: 'meta.loads', format: 'JSONEachRow', values: batch.map((f) => meta(f, 'started')) })
    // Each file is hashed (and archived) while the rows are written: the rows carry the load id and
    // meta.loads the file's hash, so the hash need not finish first. A duplicate, known once the
    // hash is, has its rows removed before anything commits.
    for (const f of batch) {
      f.archiving = archiveFile(opts.archive, f.delivery.file, { text: f.format !== 'xlsx' })
      f.archiving.catch(() => undefined)
    }
    const target: RawWrite = {
      wh,
      dataset,
      agency,
      files: batch.map((f) => ({ loadId: f.report.loadId, source: f.report.source, loadedAt: f.loadedAt })),
      problemsSql: rowProblemsSql(dataset, {
        provinceCode: opts.catalog.province.code,
        indicatorCodes: [...opts.catalog.indicators.map((i) => i.code), ...opts.catalog.components.map((c) => c.code)],
        ownedIndicatorCodes: indicatorCodesOwnedBy(opts.catalog, agency),
      }),
    }
    written = true
    const [write, ...hashed] = await Promise.allSettled([writeBatch(target, batch), ...batch.map((f) => f.archiving!)])
    batch.forEach((f, i) => {
      const h = hashed[i]!
      if (h.status === 'rejected') {
        f.error = h.reason
        return
      }
      f.report.sha256 = h.value.sha256
    })
    const hashes = batch.filter((f) => f.report.sha256).map((f) => f.report.sha256)
    const loadedBefore = await committedLoadsOf(wh, dataset.id, agency, hashes)
    const firstWithHash = new Map<string, InFlight>()
    const judged: InFlight[] = []
    for (const [i, f] of batch.entries()) {
      const h = hashed[i]!
      if (h.status === 'rejected') continue
      // Text that is not UTF-8 (a legacy code page) is refused by the line it breaks on, whatever
      // the write made of it; otherwise a file already loaded is a duplicate, whatever else it is.
      if (h.value.notUtf8Line !== null) f.error = notTextRefusal(f.report.source, 'utf-8', { line: h.value.notUtf8Line })
      else if (loadedBefore.has(f.report.sha256)) markDuplicate(f, loadedBefore.get(f.report.sha256)!)
      else if (write.status === 'rejected') f.error ??= write.reason
      if (f.error || f.duplicateOf) continue
      // The same content twice in one batch: the second follows the first (duplicate, or the same refusal).
      const twin = firstWithHash.get(f.report.sha256)
      if (twin) f.twinOf = twin
      else {
        firstWithHash.set(f.report.sha256, f)
        judged.push(f)
      }
    }
    const counts = await countLoads(wh, dataset, agency, judged.map((f) => f.report.loadId))
    for (const f of judged) {
      if (f.unknownHeaders.length > 0) {
        const headers = f.unknownHeaders.join(', ')
        f.report.warnings.push({ code: 'header.unknown', vi: `Bỏ qua các cột không có trong mẫu: ${headers}`, en: `Ignored columns not in the template: ${headers}` })
      }
      try {
        judgeLoad(dataset, f.report, counts.get(f.report.loadId)!)
        await (await f.archiving!).stored
        f.report.status = 'committed'
      } catch (err) {
        f.error = err
      }
    }
    for (const f of batch) {
      if (!f.twinOf) continue
      if (f.twinOf.report.status === 'committed') markDuplicate(f, f.twinOf.report.loadId)
      else f.error = f.twinOf.error
    }
    // Never visible (their loads did not commit): removed, but for the rejected rows of a refused file.
    const notCommitted = batch.filter((f) => f.report.status !== 'committed')
    const keepRejected = judged.filter((f) => (f.error as LoadRefusal | null)?.code === 'threshold')
    await deleteLoadRows(wh, dataset, notCommitted.filter((f) => !keepRejected.includes(f)).map((f) => f.report.loadId))
    await deleteLoadRows(wh, dataset, keepRejected.map((f) => f.report.loadId), true)
    for (const f of batch) if (f.error) settleError(f, path.dirname(opts.archive.dir))
    await wh.client.insert({ table: 'meta.loads', format: 'JSONEachRow', values: batch.map(finalMeta) })
  } catch (err) {
    // The write or the bookkeeping itself broke: no file of this batch commits.
    for (const f of batch) {
      f.duplicateOf = null
      if (!(f.error instanceof LoadRefusal)) f.error = err
      settleError(f, path.dirname(opts.archive.dir))
    }
    await wh.client.insert({ table: 'meta.loads', format: 'JSONEachRow', values: batch.map(finalMeta) }).catch(() => undefined)
    if (written) await deleteLoadRows(wh, dataset, batch.map((f) => f.report.loadId)).catch(() => undefined)
  } finally {
    // However the loads ended, the archive copies are settled before the caller sees the reports.
    await Promise.all(batch.map((f) => f.archiving?.then((a) => a.stored).catch(() => undefined)))
    await forgetStoppedByFullDisk(wh, opts.archive.dir, batch).catch(() => undefined)
    for (const f of batch) f.report.durationMs = Date.now() - started
  }
}
