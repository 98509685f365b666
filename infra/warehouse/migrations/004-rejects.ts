import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Rows a load rejected, with the reason in both languages; append-only. */
export const rejectsTable: TableSpec = released({
  database: 'meta',
  name: 'rejects',
  comment: 'Dòng bị từ chối khi nạp và lý do',
  columns: [
    { name: 'load_id', type: 'String' },
    { name: 'dataset', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'row', type: 'UInt32', comment: 'line or record number in the delivery' },
    { name: 'column', type: 'LowCardinality(String)' },
    { name: 'value', type: 'String' },
    { name: 'code', type: 'LowCardinality(String)' },
    { name: 'reason_vi', type: 'String' },
    { name: 'reason_en', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'agency', 'load_id', 'row'],
})

export const migration: Migration = {
  version: 4,
  name: 'rejects',
  statements: [{ kind: 'table', spec: rejectsTable }],
}
