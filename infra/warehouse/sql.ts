import knex from 'knex'

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
