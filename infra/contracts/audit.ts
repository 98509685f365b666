/** Whether the sharing log is whole, as /api/audit/verify and `kho audit verify` answer. */
export interface ChainReport {
  /** Entries read. */
  entries: number
  /** Entries written before the chain began (no sequence number), not covered. */
  unchained: number
  /** The first sequence number the log holds (above 1 when retention dropped older entries). */
  firstSeq: number | null
  lastSeq: number | null
  ok: boolean
  /** The first entry that does not hold, and why. */
  broken: { seq: number; at: string; reason: string; reasonVi: string } | null
}
