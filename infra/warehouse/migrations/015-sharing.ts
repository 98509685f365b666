import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'
import { accountsTable, auditTable } from './008-accounts-and-audit.ts'

/** Requests to use a dataset outside one's scope and the owner's decisions; the latest state of each wins. */
export const sharingRequestsTable: TableSpec = released({
  database: 'meta',
  name: 'sharing_requests',
  comment: 'Yêu cầu chia sẻ dữ liệu và quyết định của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'dataset', type: 'String' },
    { name: 'requester', type: 'String', comment: 'the account that asked' },
    { name: 'agency', type: 'String', comment: 'the agency the grant is for' },
    { name: 'views', type: 'Array(String)', comment: 'asked for: empty = every view of the dataset' },
    { name: 'members', type: 'Array(String)', comment: 'asked for: empty = every member of those views' },
    { name: 'purpose', type: 'String' },
    { name: 'legal_basis', type: 'String' },
    { name: 'starts_on', type: 'Date32' },
    { name: 'ends_on', type: 'Date32' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pending | approved | refused | suspended | ended | withdrawn' },
    { name: 'granted_views', type: 'Array(String)', comment: 'what the decision granted (may be narrower than asked)' },
    { name: 'granted_members', type: 'Array(String)' },
    { name: 'decided_by', type: 'String' },
    { name: 'decision_note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** Information systems that read through the integration platform (LGSP); the latest state wins. */
export const systemsTable: TableSpec = released({
  database: 'meta',
  name: 'systems',
  comment: 'Hệ thống thông tin khai thác dữ liệu qua LGSP (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the agency that owns the system' },
    { name: 'contact', type: 'String' },
    { name: 'views', type: 'Array(String)', comment: 'the views it may read' },
    { name: 'addresses', type: 'Array(String)', comment: 'client addresses it may call from; empty = any' },
    { name: 'expires_on', type: 'Nullable(Date32)' },
    { name: 'disabled', type: 'Bool' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** A system's keys (kho_sys_…), stored as SHA-256 of the secret; the latest state of each key wins. */
export const systemKeysTable: TableSpec = released({
  database: 'meta',
  name: 'system_keys',
  columns: [
    { name: 'key_id', type: 'String' },
    { name: 'system_id', type: 'String' },
    { name: 'secret_sha256', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'revoked_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['key_id'],
})

export const migration: Migration = {
  version: 15,
  name: 'sharing',
  statements: [
    ...(
      [
        { name: 'seq', type: 'UInt64', default: '0', comment: 'position in the hash chain (0: written before the chain began)' },
        { name: 'prev_hash', type: 'String', default: "''" },
        { name: 'hash', type: 'String', default: "''", comment: 'SHA-256 of this entry and prev_hash' },
        { name: 'agency', type: 'String', default: "''" },
        { name: 'via', type: 'LowCardinality(String)', default: "''", comment: 'session | jwt | system-key | service-token | push-key | anonymous' },
        { name: 'datasets', type: 'Array(String)', default: '[]', comment: 'the catalogue datasets the entry touched' },
      ] as const
    ).map((column) => ({ kind: 'add_column' as const, table: auditTable, column })),
    ...(
      [
        { name: 'email', type: 'String', default: "''" },
        { name: 'must_change_password', type: 'Bool', default: 'false', comment: 'set by a reset: the next sign-in must choose a new password' },
        // Not now(): ClickHouse computes an added column's default when old rows are read.
        { name: 'created_at', type: "DateTime64(3, 'UTC')", default: "toDateTime64(0, 3, 'UTC')", comment: 'when the account was made (epoch: before this column)' },
      ] as const
    ).map((column) => ({ kind: 'add_column' as const, table: accountsTable, column })),
    ...[sharingRequestsTable, systemsTable, systemKeysTable].map((spec) => ({ kind: 'table' as const, spec })),
  ],
}
