import { createHmac } from 'node:crypto'

/**
 * Disclosure control for counts of people the public sees: cell-key perturbation in the manner of
 * the Australian Bureau of Statistics' TableBuilder, with random rounding to base 5.
 *
 * Every resident carries a fixed record key; a cell's key is the sum of its residents' keys, so
 * the same people make the same key however the query that groups them is written. From the cell
 * key and a server secret comes a number u in [0, 1): a count whose remainder by 5 is r rounds up
 * to the next multiple of 5 when u < r/5, else down — unbiased, and the same cell always gets the
 * same answer, so repeating a query gains nothing and differencing two cells mixes two
 * independent roundings. Counts of 1–4 are not shown at all (null); 0 stays 0.
 */
export const BASE = 5

export function cellUniform(cellKey: string, secret: string): number {
  const h = createHmac('sha256', secret).update(`kho-cell-key:${cellKey}`).digest()
  return h.readUInt32BE(0) / 2 ** 32
}

export function perturbCount(value: number, cellKey: string, secret: string): number | null {
  if (!Number.isFinite(value)) return null
  if (value <= 0) return 0
  if (value < BASE) return null
  const r = value % BASE
  if (r === 0) return value
  return cellUniform(cellKey, secret) < r / BASE ? value - r + BASE : value - r
}
