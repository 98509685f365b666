import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** One row per model per transform run. */
export const runsTable: TableSpec = released({
  database: 'meta',
  name: 'runs',
  columns: [
    { name: 'run_id', type: 'String' },
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'materialized', type: 'LowCardinality(String)' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'success | error | skipped' },
    { name: 'rows', type: 'UInt64' },
    { name: 'duration_ms', type: 'UInt32' },
    { name: 'error', type: 'String' },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['model', 'started_at'],
})

/** Which committed loads an incremental model has taken in. */
export const modelLoadsTable: TableSpec = released({
  database: 'meta',
  name: 'model_loads',
  columns: [
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'load_id', type: 'String' },
    { name: 'processed_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['processed_at'] },
  orderBy: ['model', 'load_id'],
})

/** Results of data tests, with sample failing rows. */
export const testResultsTable: TableSpec = released({
  database: 'meta',
  name: 'test_results',
  columns: [
    { name: 'run_id', type: 'String' },
    { name: 'test', type: 'String' },
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'column', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pass | fail | error' },
    { name: 'failures', type: 'UInt64' },
    { name: 'sample', type: 'String', comment: 'JSON of up to 10 failing rows' },
    { name: 'ran_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['model', 'test', 'ran_at'],
})

export const migration: Migration = {
  version: 6,
  name: 'transform_runs',
  statements: [runsTable, modelLoadsTable, testResultsTable].map((spec) => ({ kind: 'table', spec })),
}
