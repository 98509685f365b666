import { api, loadRows, n, type Row } from '../../api.ts'
import { indicatorMap } from '../../catalog-data.ts'
import type { IocAnswer } from '../../../../../infra/contracts/catalog.ts'

/** The IOC overview's data: the queries behind its tiles and drill-downs. */

export interface Tile {
  code: string
  period: string
  value: number | null
  planPct: number | null
  ytdPlanPct: number | null
  growthPct: number | null
}

/** The end of a month code as YYYY-MM-DD. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10)
}
export function monthsBack(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1 - k, 1)).toISOString().slice(0, 10)
}

/**
 * The latest reported value of each headline indicator up to the chosen month (its own month,
 * quarter or year); one commune's own values when `unit` is given (the overview's commune filter).
 */
export async function loadTiles(codes: string[], month: string, unit?: string): Promise<Tile[]> {
  const rows = await loadRows({
    measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct', 'kt_xh.growth_pct'],
    dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
    // By month of the period's start (one month per period): the grain of the `tiles` rollup, so
    // the server answers from it instead of the marts.
    timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: [monthsBack(month, 11), monthEnd(month)] }],
    filters: [
      { member: 'kt_xh.indicator_code', operator: 'equals', values: codes },
      ...(unit ? [{ member: 'kt_xh.unit_code', operator: 'equals' as const, values: [unit] }] : []),
    ],
    order: [['kt_xh.period', 'desc']],
  })
  return codes.map((code) => {
    const r = rows.find((x) => x['kt_xh.indicator_code'] === code && n(x['kt_xh.value']) !== null)
    return {
      code,
      period: String(r?.['kt_xh.period'] ?? ''),
      value: n(r?.['kt_xh.value']),
      planPct: n(r?.['kt_xh.plan_pct']),
      ytdPlanPct: n(r?.['kt_xh.ytd_plan_pct']),
      growthPct: n(r?.['kt_xh.growth_pct']),
    }
  })
}

/** One indicator's values by commune for a period (one commune when `unit` is given), best first. */
export function communeValues(code: string, period: string, descending: boolean, unit?: string): Promise<Row[]> {
  return loadRows({
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
    filters: [
      { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
      { member: 'kt_xh.period', operator: 'equals', values: [period] },
      { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
      ...(unit ? [{ member: 'kt_xh.unit_code', operator: 'equals' as const, values: [unit] }] : []),
    ],
    order: [['kt_xh.value', descending ? 'desc' : 'asc']],
  })
}

/** What the overview and the wall start from: the IOC's configuration, the indicators, the latest reported months (newest first). */
export async function loadIocSetup(months: number) {
  const [cfg, indicators, rows] = await Promise.all([
    api<IocAnswer>('/api/dashboards/ioc'),
    indicatorMap(),
    loadRows({
      measures: ['kt_xh.reports'],
      dimensions: ['kt_xh.period'],
      filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }],
      order: [['kt_xh.period', 'desc']],
      limit: months,
    }),
  ])
  return { cfg, indicators, months: rows.map((m) => String(m['kt_xh.period'])) }
}
