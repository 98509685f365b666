import knex from 'knex'
import * as clock from '../time/clock.ts'

/** Quotes a ClickHouse identifier (database, table or column name). Values go in query_params, never here. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`'
}

/**
 * Builds SQL text where code composes queries (knex has no ClickHouse dialect; its MySQL one writes
 * backtick identifiers and backslash-escaped literals that ClickHouse reads the same way). Only the
 * text is used: queries run through the warehouse client. No database driver is loaded.
 */
export const sqlBuilder = knex({ client: 'mysql2' })

/** A moment as DateTime64(3, 'UTC') reads back as text ("2026-11-28 08:40:00.123"), for rows written and read back whole. */
export const warehouseTime = (at: Date = clock.now()): string => at.toISOString().replace('T', ' ').replace('Z', '')

/** The moment a warehouse time names: "2026-11-28 08:40:00.123" as the engine writes it, or the API's "2026-11-28T08:40:00.000"; both are UTC. */
export const fromWarehouseTime = (text: string): Date => new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`)

/** A SQL string literal. Only catalogue text (labels, enum values, patterns) goes through here. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
