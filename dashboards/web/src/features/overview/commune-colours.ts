/** Up to five classes from light to dark: the ranking's bars and the map's communes share them. */
export const PALETTE = ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'] as const
export const NO_DATA = '#e2e8f0'

export interface ColourScale {
  colourOf: (v: number | null) => string
  /** Each class's lower and upper bound, for the legend. */
  classes: { from: number; to: number; colour: string }[]
}

/**
 * Quintiles of the communes' values: each class holds about a fifth of the communes, so the map
 * shows where a commune stands among the others whatever the indicator's spread. Darker is more.
 */
export function colourScale(values: (number | null)[]): ColourScale {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return { colourOf: () => NO_DATA, classes: [] }
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  // Ties (small counts) can make quintile breaks equal: equal breaks are one break, and the classes
  // left spread over the palette from lightest to darkest.
  const breaks = [...new Set([1, 2, 3, 4].map((k) => at(k / 5)))].filter((b) => b > sorted[0]!)
  const colours = breaks.map((_, k) => PALETTE[Math.round((k * (PALETTE.length - 1)) / Math.max(1, breaks.length))]!).concat(PALETTE[PALETTE.length - 1]!)
  const classOf = (v: number) => breaks.filter((b) => v >= b).length
  const bounds = [sorted[0]!, ...breaks, sorted[sorted.length - 1]!]
  const classes = colours.map((colour, k) => ({ from: bounds[k]!, to: bounds[k + 1]!, colour }))
  return { colourOf: (v) => (v === null || !Number.isFinite(v) ? NO_DATA : colours[classOf(v)]!), classes }
}
