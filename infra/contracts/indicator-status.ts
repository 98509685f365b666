/** The indicator fields the rule reads. */
export interface StatusIndicator {
  direction: 'up' | 'down'
}

/** Thresholds from dashboards/ioc.yaml. */
export interface StatusThresholds {
  plan_pct: { good: number; warn: number }
  growth_pct: { good: number; warn: number }
}

export type Status = 'good' | 'warn' | 'bad' | 'none'

/**
 * A tile's colour: the share of plan reached (year to date where there is one), else the change
 * against the same period last year, read in the indicator's direction (fewer accidents is good).
 */
export function statusOf(ind: StatusIndicator | undefined, planPct: number | null, growthPct: number | null, cfg: StatusThresholds): Status {
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
