import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const askSynonymsTable: TableSpec = released({
  database: 'meta',
  name: 'ask_synonyms',
  comment: 'Cách gọi khác của chỉ tiêu, khung nhìn cho Hỏi đáp, do cán bộ quản trị dữ liệu bổ sung (ReplacingMergeTree: the latest list wins)',
  columns: [
    { name: 'subject', type: 'String', comment: 'an indicator code or a view name' },
    { name: 'words', type: 'Array(String)', comment: 'the ways to say it added on the page, besides synonyms.yaml' },
    { name: 'updated_by', type: 'String' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['subject'],
})

export const migration: Migration = {
  version: 23,
  name: 'ask_synonyms',
  statements: [{ kind: 'table', spec: askSynonymsTable }],
}
