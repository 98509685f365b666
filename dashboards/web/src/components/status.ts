import type { IocConfig, Indicator } from '../catalog-data.ts'

export type Status = 'good' | 'warn' | 'bad' | 'none'

/**
 * A tile's colour: the share of plan reached (year to date where there is one), else the change
 * against the same period last year, read in the indicator's direction (fewer accidents is good).
 */
export function statusOf(ind: Indicator | undefined, planPct: number | null, growthPct: number | null, cfg: IocConfig['status']): Status {
  const down = ind?.direction === 'down'
  if (planPct !== null && Number.isFinite(planPct)) {
    const x = down ? 200 - planPct : planPct
    return x >= cfg.plan_pct.good ? 'good' : x >= cfg.plan_pct.warn ? 'warn' : 'bad'
  }
  if (growthPct !== null && Number.isFinite(growthPct)) {
    const x = down ? -growthPct : growthPct
    return x >= cfg.growth_pct.good ? 'good' : x >= cfg.growth_pct.warn ? 'warn' : 'bad'
  }
  return 'none'
}
