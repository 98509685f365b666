import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const attachmentsTable: TableSpec = released({
  database: 'meta',
  name: 'attachments',
  comment: 'Tài liệu đính kèm một lần gửi dữ liệu hoặc một bộ dữ liệu trong danh mục (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'kind', type: 'LowCardinality(String)', comment: 'delivery | dataset' },
    { name: 'load_id', type: 'String', comment: 'the delivery it documents (kind delivery)' },
    { name: 'dataset', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the agency of the delivery, or the dataset’s owner' },
    { name: 'name', type: 'String', comment: 'the file name as sent' },
    { name: 'media_type', type: 'LowCardinality(String)', comment: 'decided from the content (magic bytes)' },
    { name: 'size', type: 'UInt64' },
    { name: 'sha256', type: 'String', comment: 'the stored copy, by content' },
    { name: 'uploaded_by', type: 'String' },
    { name: 'uploaded_at', type: "DateTime64(3, 'UTC')" },
    { name: 'deleted', type: 'UInt8', default: '0' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

export const migration: Migration = {
  version: 17,
  name: 'attachments',
  statements: [{ kind: 'table', spec: attachmentsTable }],
}
