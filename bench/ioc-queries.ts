/**
 * The Cube queries the IOC overview sends (dashboards/web/src/features/overview), for the benches
 * that replay it: the months with reports, a year of the headline tiles, an indicator's communes
 * in a month, and an indicator's monthly series.
 */
export const latestMonths = { measures: ['kt_xh.reports'], dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }], order: [['kt_xh.period', 'desc']], limit: 36 }

export function tiles(headline: string[], month: string) {
  const [y, m] = month.split('-').map(Number)
  const from = new Date(Date.UTC(y!, m! - 12, 1)).toISOString().slice(0, 10)
  const to = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10)
  return {
    measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct', 'kt_xh.growth_pct'],
    dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: [from, to] }],
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: headline }],
    order: [['kt_xh.period', 'desc']],
  }
}

export const communeRanking = (code: string, month: string) => ({
  measures: ['kt_xh.value'],
  dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
  filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }],
  order: [['kt_xh.value', 'desc']],
})

export const monthlySeries = (code: string) => ({
  measures: ['kt_xh.value'],
  dimensions: ['kt_xh.period'],
  filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }],
})
