/**
 * A monthly indicator's year-end figure projected from the year so far, by the shape of the past
 * years (Lào Cai Điều 13.2d asks for forecasts). Deliberately simple, so a leader can check it by
 * hand and the note beside it can say exactly what was done:
 *
 * - a flow that adds up over the year (`sum`: retail sales, revenue): each complete past year says
 *   what share of its total the same months held; the year so far divided by that share is that
 *   year's projection;
 * - anything else (a stock, a rate, an index: `last`, `ratio`, `index`): each past year says how
 *   December compared with the same month; the latest value times that ratio is its projection.
 *
 * The forecast is the mean of the past years' projections; their lowest and highest are its range.
 * Computed where it is shown (the overview, the wall), so it lives with the shared contracts.
 */

export type ForecastMethod = 'share_of_year' | 'ratio_to_december'

export interface YearEndForecast {
  value: number
  low: number
  high: number
  method: ForecastMethod
  /** The last month of this year with a value (1–12): the projection starts from it. */
  throughMonth: number
  /** The complete past years whose shape it follows, oldest first. */
  basisYears: number[]
}

/** Twelve monthly values (January first; null where none was reported). */
export type YearOfMonths = readonly (number | null)[]

const complete = (months: YearOfMonths | undefined): months is readonly number[] => !!months && months.length === 12 && months.every((v) => v !== null && Number.isFinite(v))

/**
 * The projection for `year`, or null when there is nothing to project (no month yet, December
 * already reported, or no complete past year to take a shape from).
 */
export function forecastYearEnd(byYear: ReadonlyMap<number, YearOfMonths>, year: number, aggregation: string, pastYears = 3): YearEndForecast | null {
  const now = byYear.get(year) ?? []
  let through = 0
  for (let m = 12; m >= 1; m--) {
    if (now[m - 1] !== null && now[m - 1] !== undefined) {
      through = m
      break
    }
  }
  if (through === 0 || through === 12) return null
  const basis: number[] = []
  for (let y = year - pastYears; y < year; y++) if (complete(byYear.get(y))) basis.push(y)
  if (basis.length === 0) return null
  const method: ForecastMethod = aggregation === 'sum' ? 'share_of_year' : 'ratio_to_december'
  const projections: number[] = []
  if (method === 'share_of_year') {
    // A month not reported this year is a gap, not a zero: the past years' shares cover the same months.
    const months = Array.from({ length: through }, (_, i) => i).filter((i) => now[i] !== null && now[i] !== undefined)
    const soFar = months.reduce((s, i) => s + (now[i] as number), 0)
    for (const y of basis) {
      const past = byYear.get(y) as readonly number[]
      const total = past.reduce((s, v) => s + v, 0)
      const share = months.reduce((s, i) => s + past[i]!, 0) / total
      if (share > 0 && Number.isFinite(share)) projections.push(soFar / share)
    }
  } else {
    const latest = now[through - 1] as number
    for (const y of basis) {
      const past = byYear.get(y) as readonly number[]
      if (past[through - 1] !== 0) projections.push(latest * (past[11]! / past[through - 1]!))
    }
  }
  if (projections.length === 0) return null
  return {
    value: projections.reduce((s, v) => s + v, 0) / projections.length,
    low: Math.min(...projections),
    high: Math.max(...projections),
    method,
    throughMonth: through,
    basisYears: basis,
  }
}
