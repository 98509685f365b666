import fs from 'node:fs'
import type { Catalog } from '../../catalog/load-catalog.ts'
import { retentionOf, type Dataset } from '../../catalog/schema.ts'
import * as clock from '../../time/clock.ts'
import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import { rawTable } from '../../warehouse/raw-rows.ts'
import { archivePath } from '../../../loaders/archive.ts'
import type { Project } from '../../../transforms/project/project.ts'
import { tableName } from '../../../transforms/runner/compile.ts'

/**
 * The daily retention job: what a dataset's deliveries leave behind is removed once its keeping
 * period (retentionOf: the catalogue entry's, or the default for its kind) has passed — but never
 * what a current mart still needs. "Current" is what the dataset's std models hold now (FINAL: the
 * winning version of each record), since every mart is built from them; a dataset whose std model
 * is not built yet, or does not carry each row's load and row number, keeps everything.
 *
 * - Delivered files: a file of the archive goes once every load that delivered it is older than
 *   the period and none of them holds a current row.
 * - Personal rows (personal datasets only): raw rows older than the period that no std model
 *   holds — a later delivery replaced them, they were rejected, their load was refused or failed —
 *   are deleted (a mutation, so they leave the disk, not only the answers), with the rejected
 *   values kept for them in meta.rejects. Each load keeps its counts in meta.loads.
 *
 * Each removal is an event of its load (meta.load_events) and the run one entry of the sharing log.
 */
export interface RetentionDeps {
  wh: Warehouse
  catalog: Catalog
  project: Project
  archiveDir: string
}

export interface DatasetRetention {
  dataset: string
  files: number
  bytes: number
  rows: number
  /** Datasets whose std model could not say what is current: nothing of them was removed. */
  skipped?: string
}

export interface RetentionResult {
  datasets: DatasetRetention[]
  files: number
  bytes: number
  rows: number
}

const BY = 'job:retention'

/** The instant `months` calendar months before `at` (a period in months needs no finer rule). */
function monthsBefore(at: Date, months: number): number {
  const d = new Date(at)
  d.setUTCMonth(d.getUTCMonth() - months)
  return d.getTime()
}

interface StdSource {
  tables: string[]
  /** Loads holding at least one current row. */
  current: Set<string>
}

/** The std tables built from a dataset, when each is built and carries _load_id and _row. */
async function stdSource(deps: RetentionDeps, d: Dataset): Promise<StdSource | string> {
  const models = [...deps.project.models.values()].filter((m) => m.database === 'std' && m.sources.includes(d.id))
  if (models.length === 0) return 'no std model'
  const tables: string[] = []
  for (const m of models) {
    const [cols] = await queryRows<{ n: number }>(
      deps.wh.client,
      `SELECT count() AS n FROM system.columns WHERE database = 'std' AND table = {t:String} AND name IN ('_load_id', '_row')`,
      { t: m.name },
    )
    if (Number(cols?.n) !== 2) return `std.${m.name} not built or without _load_id and _row`
    tables.push(tableName(m))
  }
  const current = new Set<string>()
  for (const t of tables) {
    for (const r of await queryRows<{ id: string }>(deps.wh.client, `SELECT DISTINCT _load_id AS id FROM ${t} FINAL`)) current.add(r.id)
  }
  return { tables, current }
}

export async function applyRetention(deps: RetentionDeps, at = clock.now()): Promise<RetentionResult> {
  const result: RetentionResult = { datasets: [], files: 0, bytes: 0, rows: 0 }
  const sources = new Map<string, StdSource>()
  const byDataset = new Map<string, DatasetRetention>()
  for (const d of deps.catalog.datasets) {
    const entry: DatasetRetention = { dataset: d.id, files: 0, bytes: 0, rows: 0 }
    byDataset.set(d.id, entry)
    const source = await stdSource(deps, d)
    if (typeof source === 'string') entry.skipped = source
    else sources.set(d.id, source)
  }

  const events: Record<string, unknown>[] = []
  const event = (load: { load_id: string; dataset: string; agency: string }, kind: 'file_removed' | 'rows_removed', rows: number, message: string) =>
    events.push({ load_id: load.load_id, dataset: load.dataset, agency: load.agency, event: kind, at: at.getTime(), by: BY, channel: '', rows, message })

  // Files: judged by every load that delivered the same bytes, whatever its dataset.
  const loads = await queryRows<{ load_id: string; dataset: string; agency: string; sha256: string; status: string; delivered: number }>(
    deps.wh.client,
    `SELECT load_id, dataset, agency, sha256, status, toUnixTimestamp64Milli(delivered_at) AS delivered FROM meta.loads FINAL`,
  )
  const bySha = new Map<string, typeof loads>()
  for (const l of loads) if (l.sha256) bySha.set(l.sha256, [...(bySha.get(l.sha256) ?? []), l])
  for (const [sha, group] of bySha) {
    const expired = group.every((l) => {
      const d = deps.catalog.dataset(l.dataset)
      const source = sources.get(l.dataset)
      if (!d || !source || l.status === 'started') return false
      return Number(l.delivered) < monthsBefore(at, retentionOf(d).filesMonths) && !source.current.has(l.load_id)
    })
    if (!expired) continue
    const file = archivePath(deps.archiveDir, sha)
    let size: number
    try {
      size = fs.statSync(file).size
    } catch {
      continue // removed before (or never kept)
    }
    fs.rmSync(file, { force: true })
    const entry = byDataset.get(group[0]!.dataset)!
    entry.files++
    entry.bytes += size
    for (const l of group) event(l, 'file_removed', 0, `sha256 ${sha}, ${size} B`)
  }

  // Personal rows no std model holds, in loads older than the period.
  for (const d of deps.catalog.datasets) {
    const months = retentionOf(d).personalRowsMonths
    const source = sources.get(d.id)
    if (months === null || !source) continue
    const cutoff = monthsBefore(at, months)
    const oldLoads = loads.filter((l) => l.dataset === d.id && l.status !== 'started' && Number(l.delivered) < cutoff)
    if (oldLoads.length === 0) continue
    const ids = oldLoads.map((l) => l.load_id)
    // Only ids (UUIDs, checked by their parameter type) and checked table names go into the SQL.
    const held = source.tables.map((t) => `(_load_id, _row) NOT IN (SELECT _load_id, _row FROM ${t} FINAL WHERE _load_id IN {ids:Array(String)})`)
    const where = `_load_id IN {ids:Array(String)} AND ${held.join(' AND ')}`
    const counts = await queryRows<{ id: string; n: number }>(deps.wh.client, `SELECT _load_id AS id, count() AS n FROM ${rawTable(d)} WHERE ${where} GROUP BY _load_id`, { ids })
    const removed = counts.filter((c) => Number(c.n) > 0)
    if (removed.length === 0) continue
    await deps.wh.client.command({ query: `ALTER TABLE ${rawTable(d)} DELETE WHERE ${where} SETTINGS mutations_sync = 2`, query_params: { ids } })
    const gone = removed.map((c) => c.id)
    await deps.wh.client.command({ query: `ALTER TABLE meta.rejects DELETE WHERE load_id IN {ids:Array(String)} SETTINGS mutations_sync = 2`, query_params: { ids: gone } })
    const entry = byDataset.get(d.id)!
    for (const c of removed) {
      entry.rows += Number(c.n)
      event(oldLoads.find((l) => l.load_id === c.id)!, 'rows_removed', Number(c.n), `${c.n} dòng không còn dùng / rows no longer current`)
    }
  }

  if (events.length > 0) await deps.wh.client.insert({ table: 'meta.load_events', format: 'JSONEachRow', values: events })
  for (const e of byDataset.values()) {
    result.files += e.files
    result.bytes += e.bytes
    result.rows += e.rows
    if (e.files || e.rows || e.skipped) result.datasets.push(e)
  }
  return result
}
