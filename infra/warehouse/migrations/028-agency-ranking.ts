import type { TableSpec } from '../ddl.ts'
import { type Migration, now } from './migration.ts'

/** Each agency's own scores on the ranking's criteria (Lào Cai Điều 25), per quarter. */
export const selfAssessmentsTable: TableSpec = {
  database: 'meta',
  name: 'agency_self_assessments',
  comment: 'Tự đánh giá của cơ quan theo tiêu chí xếp hạng (ReplacingMergeTree: the latest wins)',
  columns: [
    { name: 'quarter_start', type: 'Date' },
    { name: 'agency', type: 'String' },
    { name: 'criterion', type: 'LowCardinality(String)' },
    { name: 'score', type: 'Nullable(Float64)', comment: '0–100; null: withdrawn' },
    { name: 'note', type: 'String' },
    { name: 'assessed_by', type: 'String' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['quarter_start', 'agency', 'criterion'],
}

/**
 * A quarter's ranking as published: frozen, one row per agency and criterion, with the agency's
 * composite and rank repeated on each (what the open view and the open data read).
 */
export const rankingsTable: TableSpec = {
  database: 'meta',
  name: 'agency_rankings',
  comment: 'Kết quả đánh giá, xếp hạng cơ quan theo quý đã công bố (Lào Cai Điều 25)',
  columns: [
    { name: 'quarter_start', type: 'Date' },
    { name: 'agency', type: 'String' },
    { name: 'agency_name', type: 'String' },
    { name: 'criterion', type: 'LowCardinality(String)' },
    { name: 'criterion_title', type: 'String', comment: 'its letter and words, as published' },
    { name: 'source', type: 'String', comment: 'where the score comes from, as published' },
    { name: 'score', type: 'Nullable(Float64)' },
    { name: 'done', type: 'Nullable(UInt32)' },
    { name: 'of', type: 'Nullable(UInt32)' },
    { name: 'self_score', type: 'Nullable(Float64)' },
    { name: 'self_note', type: 'String' },
    { name: 'composite', type: 'Nullable(Float64)' },
    { name: 'self_composite', type: 'Nullable(Float64)' },
    { name: 'rank', type: 'Nullable(UInt32)' },
    { name: 'published_by', type: 'String' },
    { name: 'published_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['quarter_start', 'agency', 'criterion'],
}

export const migration: Migration = {
  version: 28,
  name: 'agency_ranking',
  statements: [
    { kind: 'table', spec: selfAssessmentsTable },
    { kind: 'table', spec: rankingsTable },
  ],
}
