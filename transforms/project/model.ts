import { z } from 'zod'

/** A model's config block (the /* config … *\/ at the top of its SQL file). */
export const configSchema = z.strictObject({
  materialized: z.enum(['view', 'table', 'incremental']),
  /** ORDER BY of a table; for incremental models the unique key (rows with the same key replace each other). */
  order_by: z.array(z.string()).min(1).optional(),
  unique_key: z.array(z.string()).min(1).optional(),
  /** Column deciding which of two rows with the same unique key wins (the greater). */
  version: z.string().optional(),
  partition_by: z.string().optional(),
  /**
   * For a table model each of whose rows depends only on the rows of one upstream model (`from`:
   * incremental, or itself by_key) with the same key `column`: after `from` takes new loads or
   * changes keys, only those keys are rebuilt (see run.ts, updateByKey); anything else rebuilds the
   * whole table.
   */
  by_key: z.strictObject({ column: z.string(), from: z.string() }).optional(),
  /**
   * For an aggregate table over a by_key model (`from`) whose columns other than `group_by` are
   * sums over `from`'s rows — count(), sum(), countIf() —, each row counted on its own, every row of
   * the model coming from rows of `from`, and a count() among them (so that a group emptied by an
   * update goes): after `from` is updated by key, the model adds the changed keys' new rows and
   * takes away their old ones instead of reading all of `from` (see run.ts, updateByDifference).
   */
  delta: z.strictObject({ from: z.string(), group_by: z.array(z.string()).min(1) }).optional(),
  engine: z.string().optional(),
  tags: z.array(z.string()).default([]),
})

export const testSchema = z.union([
  z.enum(['not_null', 'unique']),
  z.strictObject({ accepted_values: z.strictObject({ values: z.array(z.union([z.string(), z.number()])).min(1) }) }),
  z.strictObject({ relationships: z.strictObject({ to: z.string(), field: z.string() }) }),
  z.strictObject({ expression: z.string() }),
])
export type ColumnTest = z.infer<typeof testSchema>

export type ModelConfig = z.infer<typeof configSchema>

export interface Model {
  name: string
  /** std for staging models, marts for marts. */
  database: 'std' | 'marts'
  file: string
  sql: string
  config: ModelConfig
  refs: string[]
  sources: string[]
  description: string
  columns: { name: string; description: string; tests: ColumnTest[] }[]
  modelTests: { expression: string }[]
}

