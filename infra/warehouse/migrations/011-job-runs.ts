import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Scheduled jobs (digests, briefings, backups): one row per scheduled time; the latest state wins. */
export const jobRunsTable: TableSpec = released({
  database: 'meta',
  name: 'job_runs',
  comment: 'Lần chạy tác vụ định kỳ (ReplacingMergeTree: the latest state of each run wins)',
  columns: [
    { name: 'job', type: 'LowCardinality(String)' },
    { name: 'scheduled_for', type: "DateTime64(3, 'UTC')", comment: 'the cron time this run stands for' },
    { name: 'trigger', type: 'LowCardinality(String)', comment: 'schedule | catch_up | manual' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'started | succeeded | failed | skipped' },
    { name: 'output', type: 'String', comment: 'what the run produced, e.g. a file under the data directory' },
    { name: 'message', type: 'String' },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
    { name: 'finished_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['job', 'scheduled_for', 'trigger'],
})

export const migration: Migration = {
  version: 11,
  name: 'job_runs',
  statements: [{ kind: 'table', spec: jobRunsTable }],
}
