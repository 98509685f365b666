import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const alertsTable: TableSpec = released({
  database: 'meta',
  name: 'alerts',
  comment: 'Cảnh báo vận hành: mở khi một quy tắc phát hiện, đóng khi nguyên nhân hết (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String', comment: 'the key and when it opened' },
    { name: 'key', type: 'String', comment: 'what it is about; at most one open alert per key' },
    { name: 'rule', type: 'LowCardinality(String)' },
    { name: 'severity', type: 'LowCardinality(String)', comment: 'critical | warning' },
    { name: 'agency', type: 'String', comment: 'the owner agency it concerns, or empty' },
    { name: 'title_vi', type: 'String' },
    { name: 'title_en', type: 'String' },
    { name: 'detail', type: 'String', comment: 'JSON: what the rule found (never personal data)' },
    { name: 'opened_at', type: "DateTime64(3, 'UTC')" },
    { name: 'resolved_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'notified', type: 'String', comment: 'JSON: to whom and how the opening and the resolution were sent' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

export const migration: Migration = {
  version: 18,
  name: 'alerts',
  statements: [{ kind: 'table', spec: alertsTable }],
}
