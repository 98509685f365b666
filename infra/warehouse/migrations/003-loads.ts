import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** One row per load; rows in raw.* are visible to readers only once their load is committed. */
export const loadsTable: TableSpec = released({
  database: 'meta',
  name: 'loads',
  comment: 'Lần nạp dữ liệu (ReplacingMergeTree: the latest state of each load wins)',
  columns: [
    { name: 'load_id', type: 'String' },
    { name: 'dataset', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'channel', type: 'LowCardinality(String)', comment: 'file | upload | push | pull | inbox | demo' },
    { name: 'source', type: 'String', comment: 'file name or endpoint' },
    { name: 'sha256', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'started | committed | refused | failed' },
    { name: 'rows_read', type: 'UInt64' },
    { name: 'rows_loaded', type: 'UInt64' },
    { name: 'rows_rejected', type: 'UInt64' },
    { name: 'message', type: 'String' },
    { name: 'period', type: 'String', comment: 'reporting period the delivery covers, when known' },
    { name: 'delivered_at', type: "DateTime64(3, 'UTC')" },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
    { name: 'finished_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['dataset', 'agency', 'load_id'],
})

export const migration: Migration = {
  version: 3,
  name: 'loads',
  statements: [{ kind: 'table', spec: loadsTable }],
}
