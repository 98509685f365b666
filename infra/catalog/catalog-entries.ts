import { queryRows, type Warehouse } from '../warehouse/client.ts'
import { datasetSchema, type Dataset } from './schema.ts'
import { warehouseTime } from '../warehouse/sql.ts'

/**
 * Dataset entries registered in the product (Lào Cai Điều 7.6a: each agency registers its own
 * data; Điều 7.5c: the steward reviews): an officer proposes a new dataset or a change, as the
 * YAML schema's JSON; a steward approves or refuses it. Approved entries add to or replace the
 * shipped YAML catalogue. Versions are kept: each proposal for a dataset is its next version.
 */
export type EntryStatus = 'proposed' | 'approved' | 'refused' | 'withdrawn' | 'superseded'

export interface CatalogEntry {
  dataset: string
  version: number
  entry: Dataset
  status: EntryStatus
  proposed_by: string
  agency: string
  reviewed_by: string
  note: string
  created_at: string
}

interface Row extends Omit<CatalogEntry, 'entry' | 'version'> {
  entry: string
  version: string | number
}

const COLUMNS = 'dataset, version, entry, status, proposed_by, agency, reviewed_by, note, toString(created_at) AS created_at'
const read = (r: Row): CatalogEntry => ({ ...r, version: Number(r.version), entry: datasetSchema.parse(JSON.parse(r.entry)) })

export async function listEntries(wh: Warehouse): Promise<CatalogEntry[]> {
  return (await queryRows<Row>(wh.client, `SELECT ${COLUMNS} FROM meta.catalog_entries FINAL ORDER BY created_at DESC, dataset, version DESC`)).map(read)
}

export async function findEntry(wh: Warehouse, dataset: string, version: number): Promise<CatalogEntry | null> {
  const [row] = await queryRows<Row>(wh.client, `SELECT ${COLUMNS} FROM meta.catalog_entries FINAL WHERE dataset = {d:String} AND version = {v:UInt32}`, { d: dataset, v: version })
  return row ? read(row) : null
}

/** The approved entry of each dataset (its latest approved version). */
export async function approvedEntries(wh: Warehouse): Promise<Dataset[]> {
  const rows = await queryRows<Row>(
    wh.client,
    `SELECT ${COLUMNS} FROM meta.catalog_entries FINAL WHERE status = 'approved' ORDER BY dataset, version DESC LIMIT 1 BY dataset`,
  )
  return rows.map((r) => read(r).entry)
}

export async function nextVersion(wh: Warehouse, dataset: string): Promise<number> {
  const [row] = await queryRows<{ v: string }>(wh.client, 'SELECT max(version) AS v FROM meta.catalog_entries WHERE dataset = {d:String}', { d: dataset })
  return Number(row?.v ?? 0) + 1
}

export async function writeEntry(wh: Warehouse, e: Omit<CatalogEntry, 'created_at'> & { created_at?: string }): Promise<CatalogEntry> {
  const row = { ...e, created_at: e.created_at ?? warehouseTime() }
  await wh.client.insert({ table: 'meta.catalog_entries', values: [{ ...row, entry: JSON.stringify(e.entry), updated_at: Date.now() }], format: 'JSONEachRow' })
  return row
}

/**
 * Each agency's catalogue proposals in a period (Đắk Nông Điều 17.3's quarterly report): made,
 * approved, refused (decided in the period) and still waiting at its end. From `from` up to `to` (warehouse times).
 */
export function proposalCounts(wh: Warehouse, from: string, to: string) {
  return queryRows<{ agency: string; proposed: string; approved: string; refused: string; waiting_at_end: string }>(
    wh.client,
    `SELECT agency,
            toString(countIf(created_at >= toDateTime64({from:String}, 3, 'UTC') AND created_at < toDateTime64({to:String}, 3, 'UTC'))) AS proposed,
            toString(countIf(status IN ('approved', 'superseded') AND reviewed_by != '' AND updated_at >= toDateTime64({from:String}, 3, 'UTC') AND updated_at < toDateTime64({to:String}, 3, 'UTC'))) AS approved,
            toString(countIf(status = 'refused' AND updated_at >= toDateTime64({from:String}, 3, 'UTC') AND updated_at < toDateTime64({to:String}, 3, 'UTC'))) AS refused,
            toString(countIf(created_at < toDateTime64({to:String}, 3, 'UTC') AND (status = 'proposed' OR updated_at >= toDateTime64({to:String}, 3, 'UTC')) AND status != 'withdrawn')) AS waiting_at_end
     FROM meta.catalog_entries FINAL WHERE agency != '' GROUP BY agency ORDER BY agency`,
    { from, to },
  )
}
