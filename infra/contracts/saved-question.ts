/** A question an account saved in the explorer (`/api/saved-queries`): only the question, never its answer. */
export interface SavedQuestion {
  /** Its title, unique per account. */
  name: string
  /** What it answers, in the account's words. */
  description: string
  /** Shown on the account's own board, at the top of the explorer. */
  pinned: boolean
  /** The Cube query, as /load takes it. */
  query: Record<string, unknown>
  /** How the explorer showed it (view, grain, comparison, table, pivot or chart). */
  ui: Record<string, unknown>
  updated_at: string
}
