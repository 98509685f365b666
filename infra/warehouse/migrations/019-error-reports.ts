import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const errorReportsTable: TableSpec = released({
  database: 'meta',
  name: 'error_reports',
  comment: 'Báo lỗi dữ liệu của người dùng và trả lời của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'kind', type: 'LowCardinality(String)', comment: 'value | dataset' },
    { name: 'dataset', type: 'String' },
    { name: 'indicator_code', type: 'String', comment: 'kind value: the indicator, unit and period reported' },
    { name: 'unit_code', type: 'String' },
    { name: 'period', type: 'String' },
    { name: 'note', type: 'String', comment: 'what the reporter saw' },
    { name: 'agency', type: 'String', comment: 'the owner agency that answers' },
    { name: 'reported_by', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'open | answered | closed' },
    { name: 'answer', type: 'String' },
    { name: 'answered_by', type: 'String' },
    { name: 'closed_by', type: 'LowCardinality(String)', comment: "'' | delivery | explanation" },
    { name: 'load_id', type: 'String', comment: 'closed by delivery: the corrected delivery' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

export const migration: Migration = {
  version: 19,
  name: 'error_reports',
  statements: [{ kind: 'table', spec: errorReportsTable }],
}
