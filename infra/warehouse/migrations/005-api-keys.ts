import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

/** Keys agencies' systems use for the push API; only a hash of each secret is kept. */
export const apiKeysTable: TableSpec = released({
  database: 'meta',
  name: 'api_keys',
  columns: [
    { name: 'key_id', type: 'String' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'secret_sha256', type: 'String' },
    { name: 'label', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", default: now },
    { name: 'revoked_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['key_id'],
})

export const migration: Migration = {
  version: 5,
  name: 'api_keys',
  statements: [{ kind: 'table', spec: apiKeysTable }],
}
