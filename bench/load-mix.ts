/**
 * What bench:load-test's simulated users ask, as the dashboards ask it: the overview's tiles for a
 * month, an indicator's trend over two years, a month's commune ranking, and the overdue
 * submissions. Periods and indicators vary by user and turn, so the result cache does not answer
 * everything; `renew` asks every query with Cube's `renewQuery: true` (a dashboard's refresh), so
 * every answer is computed afresh.
 */
export const HEADLINE = ['RETAIL_SALES', 'IIP', 'CPI', 'EXPORT_VAL', 'BUDGET_REV', 'ENT_NEW', 'TOURIST_TOTAL', 'TTHC_ONTIME']
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']

export interface MixRequest {
  path: string
  body?: { query: Record<string, unknown> }
}

/** The i-th request of a user. */
export function request(user: number, i: number, renew = false): MixRequest {
  const month = MONTHS[(user + i) % MONTHS.length]!
  const code = HEADLINE[(user * 7 + i) % HEADLINE.length]!
  const query = (q: Record<string, unknown>): MixRequest => ({ path: '/cubejs-api/v1/load', body: { query: renew ? { ...q, renewQuery: true } : q } })
  switch (i % 4) {
    case 0:
      return query({ measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.growth_pct'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: HEADLINE }, { member: 'kt_xh.period', operator: 'equals', values: [month] }] })
    case 1:
      return query({ measures: ['kt_xh.value'], dimensions: ['kt_xh.period', 'kt_xh.year'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.year', operator: 'equals', values: ['2025', '2026'] }] })
    case 2:
      return query({ measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }], order: { 'kt_xh.value': 'desc' } })
    default:
      return { path: '/api/submissions/overdue' }
  }
}
