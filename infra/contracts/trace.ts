/**
 * "Số liệu này từ đâu?" (POST /api/trace): a number of a /load answer — its Cube query and the row
 * it stands in — traced to the models it passed through and the deliveries and file rows it came
 * from. Types only, shared with the pages.
 */
export interface TraceAsk {
  /** The Cube query as /cubejs-api/v1/load took it. */
  query: Record<string, unknown>
  /** One row of its answer, as /load gave it (members to values); `{}` for a query without dimensions. */
  row: Record<string, unknown>
  /** The measure traced; the query's first measure when not said. */
  member?: string
  /** The language of the rows' names and the sentence's dates (Vietnamese when not said). */
  lang?: 'vi' | 'en'
}

/** A model the number passed through, with its last build. */
export interface TraceModel {
  name: string
  description: string
  /** "mart" (what the semantic layer reads), "std" (standardised rows), "raw" (as delivered). */
  layer: 'mart' | 'std' | 'raw'
  lastBuild: { status: string; at: string; rows: number } | null
}

/** One delivered row: its row in the file, what it gives of the number, and its cells as the agency wrote them (by column id; personal ones only with a grant and a purpose). */
export interface TraceRow {
  row: number
  value: unknown
  cells: Record<string, string>
}

/** A delivery (a load) that contributed to the number. */
export interface TraceDelivery {
  load_id: string
  dataset: string
  dataset_name: string
  dataset_name_en: string
  agency: string
  agency_name: string
  /** The file name, or the channel's source (an endpoint, an inbox file). */
  source: string
  channel: string
  delivered_at: string
  /** Who delivered it (an account, a key, the inbox), where kho recorded it. */
  delivered_by: string | null
  sha256: string
  /** Its place among the committed deliveries of this dataset by this agency (1 = the first), and how many there are. */
  version: number
  versions: number
  /** It is the agency's latest delivery of the dataset (a later one may correct rows of this; the rows' history says). */
  latest: boolean
  /** What this delivery gives of the number (the measure over its rows alone). */
  value: unknown
  /** How many of its rows count in the number, where the view counts rows. */
  row_count: number | null
  /** Its rows in the number, first ones by file row; null when the view keeps no file rows. */
  rows: TraceRow[] | null
}

/** An earlier (or the current) version of a delivered row in the number, oldest first. */
export interface TraceVersion {
  load_id: string
  source: string
  agency: string
  delivered_at: string
  row: number
  /** The number's column as that delivery gave it, where the measure names one. */
  value: number | null
  /** The difference from the version before, when both have a value. */
  change: number | null
  /** The delivered columns (ids) that differ from the version before (all of them for the first). */
  changed: string[]
  current: boolean
}

export interface TraceAnswer {
  member: string
  /** The measure's title in Vietnamese and English. */
  title: { vi: string; en: string }
  value: unknown
  /** One sentence for people: who delivered it, when, which file and row. */
  sentence: { vi: string; en: string }
  models: TraceModel[]
  deliveries: TraceDelivery[]
  /** The delivered columns the rows show (the dataset's, by id), with their names. */
  columns: { id: string; vi: string; en: string }[]
  /** Personal fields the caller may not read, left out of the rows (their titles). */
  withheld: { vi: string; en: string }[]
  /** Every row of the number, as a query the export (POST /api/export) downloads under the same rules; null when the view keeps no file rows. */
  rows_query: Record<string, unknown> | null
  /** For a number the warehouse computes from others (a ratio): how, and each input's trace. */
  formula: { vi: string; en: string; inputs: { code: string; name: string; trace: TraceAnswer }[] } | null
  /** Each delivered version of the row behind the number, when one row (or a few) gives it. */
  history: TraceVersion[]
}
