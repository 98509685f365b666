/**
 * The longest value a cell may hold (characters). No column of a province's dataset needs more,
 * and a reader that held whatever it was given ran out of memory on one 150 MB JSON string: a
 * reader keeps at most one character past it, and the row is rejected naming the column.
 */
export const MAX_VALUE_CHARS = 10_000

/** One record as a reader found it: its cells in file order and where it starts (line or record number). */
export interface SourceRecord {
  line: number
  cells: string[]
}
