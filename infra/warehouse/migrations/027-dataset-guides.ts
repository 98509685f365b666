import type { TableSpec } from '../ddl.ts'
import { type Migration, now } from './migration.ts'

/**
 * The owner's own words in a dataset's guide for consumers (Đắk Nông Điều 5.2): the rest of the
 * guide is generated from the entry at each read, so it never falls behind the catalogue.
 */
export const datasetGuidesTable: TableSpec = {
  database: 'meta',
  name: 'dataset_guides',
  comment: 'Hướng dẫn khai thác của cơ quan chủ quản (ReplacingMergeTree: the latest wins)',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'text', type: 'String', comment: 'the owner agency’s notes, plain text' },
    { name: 'edited_by', type: 'String' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['dataset'],
}

export const migration: Migration = {
  version: 27,
  name: 'dataset_guides',
  statements: [{ kind: 'table', spec: datasetGuidesTable }],
}
