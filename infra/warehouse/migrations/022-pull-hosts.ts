import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const pullHostsTable: TableSpec = released({
  database: 'meta',
  name: 'pull_hosts',
  comment: 'Máy chủ mà kết nối kéo dữ liệu được phép gọi, do cán bộ quản trị dữ liệu lập (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'host', type: 'String', comment: 'a name or address, with :port when only that port' },
    { name: 'note', type: 'String', comment: 'why it is allowed (whose system it is)' },
    { name: 'listed_by', type: 'String' },
    { name: 'removed', type: 'Bool', default: 'false' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['host'],
})

export const migration: Migration = {
  version: 22,
  name: 'pull_hosts',
  statements: [{ kind: 'table', spec: pullHostsTable }],
}
