import type { Warehouse } from './client.ts'
import { placementOf, renderStatement, type TableSpec } from './ddl.ts'
import { quoteIdent } from './sql.ts'

/**
 * Replaces a whole table's rows at once: the new rows are written to a table beside it, which is
 * then exchanged with the live one, so a reader sees either the old rows or the new, never a mix.
 */
export async function replaceRows(wh: Warehouse, spec: TableSpec, rows: Record<string, unknown>[]): Promise<void> {
  if (wh.cluster && placementOf(spec) === 'sharded') {
    throw new Error(`replaceRows handles replicated tables only, not sharded ${spec.database}.${spec.name}`)
  }
  const target = { cluster: wh.cluster }
  const staging: TableSpec = { ...spec, name: `${spec.name}__replace` }
  const name = (t: TableSpec) => `${quoteIdent(t.database)}.${quoteIdent(t.name)}`
  const run = async (statements: string[]) => {
    for (const query of statements) await wh.client.command({ query })
  }
  await run(renderStatement({ kind: 'sql', sql: `DROP TABLE IF EXISTS ${name(staging)}{on_cluster} SYNC` }, target))
  await run(renderStatement({ kind: 'table', spec: staging }, target))
  if (rows.length > 0) {
    await wh.client.insert({ table: `${spec.database}.${staging.name}`, values: rows, format: 'JSONEachRow' })
  }
  await run(renderStatement({ kind: 'sql', sql: `EXCHANGE TABLES ${name(staging)} AND ${name(spec)}{on_cluster}` }, target))
  await run(renderStatement({ kind: 'sql', sql: `DROP TABLE IF EXISTS ${name(staging)}{on_cluster} SYNC` }, target))
}
