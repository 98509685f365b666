import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Local accounts; passwords kept as scrypt hashes. The latest row of an account wins. */
export const accountsTable: TableSpec = released({
  database: 'meta',
  name: 'accounts',
  columns: [
    { name: 'username', type: 'String' },
    { name: 'display_name', type: 'String' },
    { name: 'password_hash', type: 'String' },
    { name: 'role', type: 'LowCardinality(String)', comment: 'leader | analyst | agency_officer | steward | admin' },
    { name: 'agency', type: 'String' },
    { name: 'commune_code', type: 'String' },
    { name: 'personal_data', type: 'Bool' },
    { name: 'disabled', type: 'Bool' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['username'],
})

/** Every query and every denial: who, with what role and purpose, what, how many rows, outcome. Append-only. */
export const auditTable: TableSpec = released({
  database: 'meta',
  name: 'audit',
  columns: [
    { name: 'at', type: "DateTime64(3, 'UTC')", default: now },
    { name: 'account', type: 'String' },
    { name: 'role', type: 'LowCardinality(String)' },
    { name: 'purpose', type: 'String' },
    { name: 'client', type: 'String' },
    { name: 'endpoint', type: 'LowCardinality(String)' },
    { name: 'members', type: 'Array(String)' },
    { name: 'filters', type: 'String', comment: 'JSON, including filters the access policy added' },
    { name: 'query', type: 'String', comment: 'JSON as sent' },
    { name: 'row_count', type: 'UInt64' },
    { name: 'duration_ms', type: 'UInt32' },
    { name: 'outcome', type: 'LowCardinality(String)', comment: 'ok | denied | error' },
    { name: 'reason', type: 'String' },
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toYYYYMM(at)',
  orderBy: ['at', 'account'],
})

export const migration: Migration = {
  version: 8,
  name: 'accounts_and_audit',
  statements: [accountsTable, auditTable].map((spec) => ({ kind: 'table', spec })),
}
