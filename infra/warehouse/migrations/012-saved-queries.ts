import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Queries analysts saved by name in the explorer, per account; the latest version of a name wins. */
export const savedQueriesTable: TableSpec = released({
  database: 'meta',
  name: 'saved_queries',
  comment: 'Truy vấn đã lưu của người dùng (ReplacingMergeTree: the latest version of each name wins)',
  columns: [
    { name: 'account', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'query', type: 'String', comment: 'the Cube query as JSON' },
    { name: 'deleted', type: 'Bool', default: 'false' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['account', 'name'],
})

export const migration: Migration = {
  version: 12,
  name: 'saved_queries',
  statements: [{ kind: 'table', spec: savedQueriesTable }],
}
