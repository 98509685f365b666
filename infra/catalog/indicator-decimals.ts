import type { Indicator } from './schema.ts'

/** Units that count whole things: a report never shows "269,0 doanh nghiệp". */
const COUNT_UNITS = new Set(['người', 'doanh nghiệp', 'hộ', 'hồ sơ', 'lượt', 'vụ', 'xã', 'học sinh', 'giường', 'cơ sở', 'trường', 'dự án'])

/** Decimals an indicator's values are shown with: its own setting, else none for counts, two for rates and indices, one for amounts. */
export function indicatorDecimals(ind: Pick<Indicator, 'unit'> & { decimals?: number }): number {
  if (ind.decimals !== undefined) return ind.decimals
  if (COUNT_UNITS.has(ind.unit.trim().toLowerCase())) return 0
  return ind.unit.includes('%') ? 2 : 1
}
