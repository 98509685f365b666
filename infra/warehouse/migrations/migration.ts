import type { Statement } from '../ddl.ts'

/** One version of the warehouse schema (see ../migrations.ts). */
export interface Migration {
  version: number
  name: string
  statements: Statement[]
}

/** The default of a time column: when the row was written (the engine's clock; a version, not a date kho decides). */
export const now = 'now64(3)'

/** Deep-frozen: released migration text cannot be changed at run time either. */
export function released<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) released(v)
    Object.freeze(value)
  }
  return value
}
