/**
 * A pivot of a query's rows — one member's values down, another's across, the first measure in the
 * cells — as the explorer shows it and its export prints it. The totals are not added up here: they
 * are three more questions to the semantic layer (without the member across, without the member
 * down, without both), so a ratio's or a stock's total is the right one.
 */
export interface PivotableQuery {
  measures?: string[]
  dimensions?: string[]
  timeDimensions?: { dimension: string; granularity?: string; dateRange?: unknown }[]
  limit?: number
}

export interface PivotSpec {
  /** The member whose values run down (a dimension, or a time member `dimension.granularity`). */
  rows: string
  /** The member whose values run across. */
  columns: string
}

/** Why a query cannot be pivoted, in both languages; null when it can. */
export function pivotProblem(query: PivotableQuery, pivot: PivotSpec): { vi: string; en: string } | null {
  const members = pivotMembers(query)
  if (!query.measures?.length || members.length !== 2 || !members.includes(pivot.rows) || !members.includes(pivot.columns) || pivot.rows === pivot.columns) {
    return { vi: 'Bảng chéo cần đúng hai chiều (một theo hàng, một theo cột) và một chỉ số đo', en: 'A pivot needs exactly two dimensions (one down, one across) and a measure' }
  }
  return null
}

/** The members a pivot can put down or across: the dimensions and the time member with its grain. */
export function pivotMembers(query: PivotableQuery): string[] {
  const time = query.timeDimensions?.find((t) => t.granularity)
  return [...(query.dimensions ?? []), ...(time ? [`${time.dimension}.${time.granularity}`] : [])]
}

/** The three questions whose answers are the totals: by the member down, by the member across, and the whole. */
export function pivotTotalQueries<Q extends PivotableQuery>(query: Q, pivot: PivotSpec): { byRow: Q; byColumn: Q; grand: Q } {
  const measures = query.measures!.slice(0, 1)
  const noGrain = (query.timeDimensions ?? []).map((t) => ({ ...t, granularity: undefined }))
  const without = (member: string): Q => {
    const isTime = (query.timeDimensions ?? []).some((t) => t.granularity && `${t.dimension}.${t.granularity}` === member)
    return isTime ? { ...query, measures, timeDimensions: noGrain, limit: 50_000 } : { ...query, measures, dimensions: (query.dimensions ?? []).filter((d) => d !== member), limit: 50_000 }
  }
  return { byRow: without(pivot.columns), byColumn: without(pivot.rows), grand: { ...query, measures, dimensions: [], timeDimensions: noGrain, limit: 1 } }
}

export interface PivotLayout {
  rowValues: string[]
  columnValues: string[]
  /** The measure at a row and column value (null when the data has no such pair). */
  cell(row: string, column: string): unknown
}

/** Rows of an answer laid out: both sorted (names as Vietnamese sorts them; time slots by their start). */
export function pivotLayout(data: readonly Record<string, unknown>[], pivot: PivotSpec, measure: string): PivotLayout {
  const key = (v: unknown) => String(v ?? '')
  const cells = new Map(data.map((r) => [`${key(r[pivot.rows])}\u0000${key(r[pivot.columns])}`, r[measure]]))
  return {
    rowValues: [...new Set(data.map((r) => key(r[pivot.rows])))].sort((a, b) => a.localeCompare(b, 'vi')),
    columnValues: [...new Set(data.map((r) => key(r[pivot.columns])))].sort(),
    cell: (row, column) => cells.get(`${row}\u0000${column}`) ?? null,
  }
}
