import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'
import { openDatasetsTable } from './013-open-data.ts'

/** Every version of every open dataset ever published, with its date: the public can cite one. */
export const openDataVersionsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_versions',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'version', type: 'UInt32' },
    { name: 'rows', type: 'UInt64' },
    { name: 'published_by', type: 'String', comment: 'an account, or kho for a scheduled refresh' },
    { name: 'published_at', type: "DateTime64(3, 'UTC')" },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['id', 'version'],
})

/** Publications an owner agency proposes; a steward approves (and it is published) or refuses. */
export const openDataProposalsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_proposals',
  comment: 'Đề xuất công bố dữ liệu mở của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'dataset_id', type: 'String', comment: 'the open dataset it would publish' },
    { name: 'title', type: 'String' },
    { name: 'description', type: 'String' },
    { name: 'keywords', type: 'Array(String)' },
    { name: 'license', type: 'String' },
    { name: 'query', type: 'String' },
    { name: 'refresh', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'String' },
    { name: 'proposed_by', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pending | approved | refused' },
    { name: 'decided_by', type: 'String' },
    { name: 'note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

export const migration: Migration = {
  version: 20,
  name: 'open_data_living',
  statements: [
    ...(
      [
        { name: 'refresh', type: 'LowCardinality(String)', default: "'quarterly'", comment: 'monthly | quarterly | yearly | never: when it is published again' },
        { name: 'owner', type: 'String', default: "''", comment: 'the agency whose data it is, when an agency proposed it' },
      ] as const
    ).map((column) => ({ kind: 'add_column' as const, table: openDatasetsTable, column })),
    ...[openDataVersionsTable, openDataProposalsTable].map((spec) => ({ kind: 'table' as const, spec })),
  ],
}
