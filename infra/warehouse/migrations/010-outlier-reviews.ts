import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** A steward's decision on a value flagged as outside its history band; the latest decision wins. */
export const outlierReviewsTable: TableSpec = released({
  database: 'meta',
  name: 'outlier_reviews',
  columns: [
    { name: 'indicator_code', type: 'String' },
    { name: 'period', type: 'String' },
    { name: 'unit_code', type: 'String' },
    { name: 'decision', type: 'LowCardinality(String)', comment: 'confirmed (the value is right) | rejected (the value is wrong)' },
    { name: 'note', type: 'String' },
    { name: 'reviewer', type: 'String' },
    { name: 'reviewed_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['reviewed_at'] },
  orderBy: ['indicator_code', 'period', 'unit_code'],
})

export const migration: Migration = {
  version: 10,
  name: 'outlier_reviews',
  statements: [{ kind: 'table', spec: outlierReviewsTable }],
}
