import type { Warehouse } from './client.ts'
import { queryRows } from './client.ts'

export interface WarehouseStatus {
  engine: Warehouse['engine']
  version: string
  cluster: string | null
  schemaVersion: number
  /** Rows per table of the four layers, keyed "database.table". */
  tables: Record<string, number>
  loads: { committed: number; refused: number; failed: number }
}

/** What /healthz and `kho status` report: engine, schema version and how much each table holds. */
export async function warehouseStatus(wh: Warehouse): Promise<WarehouseStatus> {
  const [version] = await queryRows<{ v: string }>(wh.client, 'SELECT version() AS v')
  const tables = await queryRows<{ db: string; name: string; rows: string | null }>(
    wh.client,
    `SELECT database AS db, name, total_rows AS rows FROM system.tables
     WHERE database IN ('raw', 'std', 'marts', 'meta') AND NOT name LIKE '%\\_\\_%' ORDER BY database, name`,
  )
  const names = new Set(tables.map((t) => `${t.db}.${t.name}`))
  const schema = names.has('meta.schema_migrations')
    ? await queryRows<{ v: string }>(wh.client, 'SELECT max(version) AS v FROM meta.schema_migrations')
    : []
  const loads = names.has('meta.loads')
    ? await queryRows<{ status: string; n: string }>(wh.client, 'SELECT status, count() AS n FROM meta.loads FINAL GROUP BY status')
    : []
  const loadCount = (s: string) => Number(loads.find((l) => l.status === s)?.n ?? 0)
  return {
    engine: wh.engine,
    version: version!.v,
    cluster: wh.cluster,
    schemaVersion: Number(schema[0]?.v ?? 0),
    tables: Object.fromEntries(tables.map((t) => [`${t.db}.${t.name}`, Number(t.rows ?? 0)])),
    loads: { committed: loadCount('committed'), refused: loadCount('refused'), failed: loadCount('failed') },
  }
}
