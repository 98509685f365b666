import type { TableSpec } from '../ddl.ts'
import { type Migration, released } from './migration.ts'

/**
 * A load's whole life, appended and never replaced: meta.loads keeps each load's latest state
 * (started, then committed, refused or failed), this table every state it went through, and what
 * the retention job later removed of it (its file, its personal rows).
 */
export const loadEventsTable: TableSpec = released({
  database: 'meta',
  name: 'load_events',
  comment: 'Diễn biến của từng lần nạp: mỗi trạng thái và mỗi lần xóa theo thời hạn lưu (append-only)',
  columns: [
    { name: 'load_id', type: 'String' },
    { name: 'dataset', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'event', type: 'LowCardinality(String)', comment: 'started | committed | refused | failed | file_removed | rows_removed' },
    { name: 'at', type: "DateTime64(3, 'UTC')", comment: "kho's clock" },
    { name: 'by', type: 'String', comment: 'who delivered (delivered_by), or job:retention' },
    { name: 'channel', type: 'LowCardinality(String)' },
    { name: 'rows', type: 'UInt64', comment: 'rows loaded, or rows removed' },
    { name: 'message', type: 'String' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'load_id', 'at'],
})

export const migration: Migration = {
  version: 25,
  name: 'load_events',
  statements: [
    { kind: 'table', spec: loadEventsTable },
    // Every state written to meta.loads, by any writer (a load, recovery after a crash), is copied
    // here by the engine as it is inserted: nothing has to remember to log it.
    {
      kind: 'sql',
      sql: `CREATE MATERIALIZED VIEW IF NOT EXISTS meta.load_events_from_loads{on_cluster} TO meta.load_events AS
SELECT load_id, dataset, agency, status AS event,
       if(status = 'started', started_at, ifNull(finished_at, started_at)) AS at,
       delivered_by AS by, channel, rows_loaded AS rows, message
FROM meta.loads`,
    },
    // The states meta.loads still holds from before (its older ones may already be merged away).
    {
      kind: 'backfill',
      sql: `INSERT INTO meta.load_events
SELECT load_id, dataset, agency, status, if(status = 'started', started_at, ifNull(finished_at, started_at)), delivered_by, channel, rows_loaded, message
FROM meta.loads`,
    },
  ],
}
