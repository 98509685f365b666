import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Aggregated datasets stewards publish as open data; the latest version of each id wins. */
export const openDatasetsTable: TableSpec = released({
  database: 'meta',
  name: 'open_datasets',
  comment: 'Dữ liệu mở đã công bố (ReplacingMergeTree: the latest state of each dataset wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'title', type: 'String' },
    { name: 'description', type: 'String' },
    { name: 'keywords', type: 'Array(String)' },
    { name: 'license', type: 'String' },
    { name: 'publisher', type: 'String' },
    { name: 'query', type: 'String', comment: 'the Cube query, run as the public' },
    { name: 'rows', type: 'UInt64' },
    { name: 'version', type: 'UInt32' },
    { name: 'published_by', type: 'String' },
    { name: 'withdrawn', type: 'Bool' },
    { name: 'published_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** One row per download of an open dataset file; append-only. */
export const openDataDownloadsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_downloads',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'format', type: 'LowCardinality(String)' },
    { name: 'version', type: 'UInt32' },
    { name: 'at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'at'],
})

export const migration: Migration = {
  version: 13,
  name: 'open_data',
  statements: [openDatasetsTable, openDataDownloadsTable].map((spec) => ({ kind: 'table', spec })),
}
