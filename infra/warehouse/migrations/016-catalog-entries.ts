import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Dataset entries registered in the product: proposals and their review; the latest state of each version wins. */
export const catalogEntriesTable: TableSpec = released({
  database: 'meta',
  name: 'catalog_entries',
  comment: 'Danh mục dữ liệu đăng ký trên hệ thống: đề xuất, phê duyệt (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'version', type: 'UInt32', comment: '1 for a new dataset; each change proposed is the next' },
    { name: 'entry', type: 'String', comment: 'the dataset entry as JSON (the YAML schema)' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'proposed | approved | refused | withdrawn | superseded' },
    { name: 'proposed_by', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the proposing officer’s agency' },
    { name: 'reviewed_by', type: 'String' },
    { name: 'note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['dataset', 'version'],
})

export const migration: Migration = {
  version: 16,
  name: 'catalog_entries',
  statements: [{ kind: 'table', spec: catalogEntriesTable }],
}
