/** One record as a reader found it: its cells in file order and where it starts (line or record number). */
export interface SourceRecord {
  line: number
  cells: string[]
}
