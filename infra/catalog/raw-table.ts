import type { Dataset } from './schema.ts'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import { DATA_TABLE_SETTINGS, renderStatement, settingsSql, type ColumnSpec, type TableSpec } from '../warehouse/ddl.ts'

/**
 * Provenance carried by every raw row, so any warehouse value traces back to its delivery and line.
 * One value per load: LowCardinality stores it once per block instead of once per row, which makes
 * writing a million rows' provenance nearly free (bench/load.ts).
 */
export const PROVENANCE_COLUMNS: ColumnSpec[] = [
  { name: '_load_id', type: 'LowCardinality(String)' },
  { name: '_agency', type: 'LowCardinality(String)' },
  { name: '_source', type: 'LowCardinality(String)', comment: 'file name or endpoint' },
  // Left empty since loads hash the file beside the write: the hash is the load's, in meta.loads.
  // The column stays (raw tables in the field have it; its comment is part of their DDL).
  { name: '_sha256', type: 'LowCardinality(String)', comment: 'of the delivered file' },
  { name: '_row', type: 'UInt32', comment: 'line or record number in the delivery' },
  { name: '_loaded_at', type: "DateTime64(3, 'UTC')" },
]

/**
 * The (column, problem code, value) of each rule a row breaks, written with the row in the same
 * pass. A rejected row stays in raw whole, as delivered, but no reader takes it (acceptedRowsSql in
 * infra/warehouse/raw-rows.ts); meta.rejects is filled from this column alone.
 */
export const PROBLEMS_COLUMN: ColumnSpec = {
  name: '_problems',
  type: 'Array(Tuple(String, String, String))',
  comment: 'rules the row breaks (column, code, value); rejected when not empty',
}

/**
 * raw.<dataset>: every column as delivered (String), plus provenance and problems. Loads append to
 * it; only the rows of a load that did not commit are ever deleted.
 */
export function rawTableSpec(dataset: Pick<Dataset, 'id' | 'name' | 'columns'>): TableSpec {
  return {
    database: 'raw',
    name: dataset.id,
    comment: `${dataset.name} (as delivered)`,
    columns: [...dataset.columns.map((c) => ({ name: c.id, type: 'String' })), ...PROVENANCE_COLUMNS, PROBLEMS_COLUMN],
    engine: { kind: 'MergeTree' },
    orderBy: ['_load_id', '_row'],
    settings: DATA_TABLE_SETTINGS,
  }
}

/**
 * Creates raw.<dataset>, adds the columns the catalogue gained since and brings older column types
 * up to date; never drops any.
 */
export async function ensureRawTable(wh: Warehouse, dataset: Pick<Dataset, 'id' | 'name' | 'columns'>): Promise<void> {
  const spec = rawTableSpec(dataset)
  const target = { cluster: wh.cluster }
  for (const query of renderStatement({ kind: 'table', spec }, target)) await wh.client.command({ query })
  // A table created before the disk reserve (or with another one) takes today's.
  const [table] = await queryRows<{ engine_full: string }>(
    wh.client,
    'SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    { db: spec.database, table: spec.name },
  )
  if (table && !table.engine_full.includes(settingsSql(spec.settings!))) {
    for (const query of renderStatement({ kind: 'modify_settings', table: spec }, target)) await wh.client.command({ query })
  }
  const existing = await queryRows<{ name: string; type: string }>(
    wh.client,
    'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String}',
    { db: spec.database, table: spec.name },
  )
  const have = new Map(existing.map((c) => [c.name, c.type]))
  for (const column of spec.columns) {
    const type = have.get(column.name)
    if (type === column.type) continue
    const kind = type === undefined ? 'add_column' : 'modify_column'
    for (const query of renderStatement({ kind, table: spec, column }, target)) await wh.client.command({ query })
  }
}
