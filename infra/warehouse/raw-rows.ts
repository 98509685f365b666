import { quoteIdent } from './sql.ts'

// raw.<dataset> is written by the loaders (infra/warehouse/raw-table.ts defines it) and read by the
// transforms; both go through these two names so neither reaches into the other.

/** The quoted name of a dataset's raw table. */
export const rawTable = (dataset: { id: string }) => `raw.${quoteIdent(dataset.id)}`

/**
 * The accepted rows of raw.<dataset> in committed loads (or in the given loads, which the caller
 * knows are committed): the one way anything reads raw. Rows with `_problems` were rejected; rows
 * of loads not committed were never delivered as far as readers know.
 */
export function acceptedRowsSql(dataset: string, loads: string[] | null = null): string {
  const filter = loads
    ? `_load_id IN (${loads.length ? loads.map((l) => `'${l.replace(/[^0-9a-f-]/g, '')}'`).join(', ') : "''"})`
    : `_load_id IN (SELECT load_id FROM meta.loads FINAL WHERE dataset = '${dataset.replace(/[^a-z0-9_]/g, '')}' AND status = 'committed')`
  return `(SELECT * EXCEPT _problems FROM ${rawTable({ id: dataset })} WHERE ${filter} AND empty(_problems))`
}
