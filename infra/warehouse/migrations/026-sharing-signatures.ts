import type { TableSpec } from '../ddl.ts'
import { type Migration, now } from './migration.ts'
import { sharingRequestsTable, systemsTable } from './015-sharing.ts'
import { attachmentsTable } from './017-attachments.ts'

/**
 * Sharing to the letter (Bắc Ninh Điều 7.2–7.3; Lào Cai Điều 12.2, 17.5, 20.4a, 21.3): a request is
 * for an agency or for one of its systems, at a level (view or use), by a method and at a frequency,
 * with its written request attached; it becomes a grant only when the data owner and the warehouse's
 * operator have both approved, each decision kept with its letter; a system run by a third party needs
 * its commitment attached first. A grant by feed pushes changed rows to its system's feed address;
 * each grant's place in its feed is kept (meta.feed_cursors).
 */
export const feedCursorsTable: TableSpec = {
  database: 'meta',
  name: 'feed_cursors',
  comment: 'Vị trí đã gửi của từng luồng dữ liệu (ReplacingMergeTree: the latest wins)',
  columns: [
    { name: 'request_id', type: 'String' },
    { name: 'view', type: 'String' },
    { name: 'cursor', type: 'String', comment: 'the next page to push starts after this' },
    { name: 'attempts', type: 'UInt32', comment: 'failed pushes since the last success' },
    { name: 'last_error', type: 'String' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['request_id', 'view'],
}

export const migration: Migration = {
  version: 26,
  name: 'sharing_signatures',
  statements: [
    ...(
      [
        { name: 'recipient', type: 'LowCardinality(String)', default: "'agency'", comment: 'agency (its officers) | system (system_id)' },
        { name: 'system_id', type: 'String', default: "''", comment: 'the consuming system the grant is for, when recipient = system' },
        { name: 'level', type: 'LowCardinality(String)', default: "'use'", comment: 'view (read on kho only) | use (also export, SQL, feeds)' },
        { name: 'method', type: 'LowCardinality(String)', default: "'query'", comment: 'query | export | feed' },
        { name: 'frequency', type: 'LowCardinality(String)', default: "'as_needed'", comment: 'as_needed | once | daily | weekly | monthly | quarterly | on_change' },
        { name: 'request_letter', type: 'String', default: "''", comment: 'attachment id of the written request' },
        { name: 'commitment_letter', type: 'String', default: "''", comment: "attachment id of the commitment of a third party" },
        { name: 'decisions', type: 'String', default: "'[]'", comment: 'JSON: the decision of each side {side: owner|operator, approve, by, at, note, letter}' },
      ] as const
    ).map((column) => ({ kind: 'add_column' as const, table: sharingRequestsTable, column })),
    { kind: 'add_column', table: systemsTable, column: { name: 'third_party', type: 'Bool', default: 'false', comment: 'run by an organisation outside the agencies of the province (Bắc Ninh Điều 7.3)' } },
    { kind: 'add_column', table: systemsTable, column: { name: 'operator_name', type: 'String', default: "''", comment: 'the organisation that runs it, when a third party' } },
    { kind: 'add_column', table: systemsTable, column: { name: 'feed_url', type: 'String', default: "''", comment: 'where kho posts the pages of its feeds (a grant by feed); empty = it pulls' } },
    { kind: 'table', spec: feedCursorsTable },
    { kind: 'add_column', table: attachmentsTable, column: { name: 'request_id', type: 'String', default: "''", comment: 'the sharing request a letter belongs to (kind = sharing)' } },
  ],
}
