/** Quotes a ClickHouse identifier (database, table or column name). Values go in query_params, never here. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`'
}
