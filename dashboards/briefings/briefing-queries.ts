import type { BriefingPeriod } from './briefing-period.ts'

/** The semantic-layer queries a briefing sheet runs; exported so tests can ask the API the same. */
export function kpiQuery(codes: string[], period: BriefingPeriod) {
  return {
    measures: ['kt_xh.value', 'kt_xh.prior_year', 'kt_xh.growth_pct', 'kt_xh.ytd', 'kt_xh.plan', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct'],
    dimensions: ['kt_xh.indicator_code'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', ...(period.granularity ? { granularity: period.granularity } : {}), dateRange: [period.start, period.end] }],
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: codes }],
    limit: 10_000,
  }
}

/** Each KPI indicator's reports in the period by the delivery that brought them (the sources sheet). */
export function sourcesQuery(codes: string[], period: BriefingPeriod) {
  return {
    measures: ['kt_xh.reports'],
    dimensions: ['kt_xh.indicator_code', 'kt_xh.load_id'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: [period.start, period.end] }],
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: codes }],
    limit: 100_000,
  }
}

export function communeQuery(codes: string[], period: BriefingPeriod) {
  return {
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.indicator_code'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', ...(period.granularity ? { granularity: period.granularity } : {}), dateRange: [period.start, period.end] }],
    filters: [
      { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
      { member: 'kt_xh.indicator_code', operator: 'equals', values: codes },
    ],
    limit: 100_000,
  }
}

/** `member = agency` when the report is one agency's, nothing otherwise. */
const onlyAgency = (member: string, agency?: string) => (agency ? [{ member, operator: 'equals', values: [agency] }] : [])

export function submissionQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['submissions.obligations', 'submissions.on_time', 'submissions.late', 'submissions.missing', 'submissions.rejected', 'submissions.days_late'],
    dimensions: ['submissions.agency'],
    timeDimensions: [{ dimension: 'submissions.period_end', dateRange: [period.start, period.end] }],
    filters: onlyAgency('submissions.agency', agency),
    limit: 10_000,
  }
}

/** Deliveries received in the period, by agency, dataset, who sent them and their outcome (issue 41). */
export function deliveriesQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['data_quality.deliveries', 'data_quality.rows_read', 'data_quality.rows_rejected', 'data_quality.last_delivered_at'],
    dimensions: ['data_quality.agency', 'data_quality.dataset', 'data_quality.delivered_by', 'data_quality.status'],
    timeDimensions: [{ dimension: 'data_quality.delivered_at', dateRange: [period.start, period.end] }],
    filters: onlyAgency('data_quality.agency', agency),
    order: [['data_quality.agency', 'asc'], ['data_quality.dataset', 'asc'], ['data_quality.deliveries', 'desc']],
    limit: 10_000,
  }
}

/** How others used each agency's datasets in the period: by owner, dataset and consumer. */
export function usageQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['usage.queries', 'usage.rows', 'usage.users', 'usage.last_access'],
    dimensions: ['usage.owner', 'usage.dataset', 'usage.consumer'],
    timeDimensions: [{ dimension: 'usage.accessed_at', dateRange: [period.start, period.end] }],
    filters: [...onlyAgency('usage.owner', agency), ...(agency ? [{ member: 'usage.consumer', operator: 'notEquals', values: [agency] }] : [])],
    order: [['usage.owner', 'asc'], ['usage.dataset', 'asc'], ['usage.queries', 'desc']],
    limit: 10_000,
  }
}

/** Sharing requests made in the period: by owner, dataset, requesting agency and method (an agency's: those it owns or made). */
export function sharingQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['sharing_stats.requests', 'sharing_stats.granted', 'sharing_stats.refused', 'sharing_stats.pending', 'sharing_stats.days_to_decide'],
    dimensions: ['sharing_stats.owner', 'sharing_stats.dataset', 'sharing_stats.requester', 'sharing_stats.method'],
    timeDimensions: [{ dimension: 'sharing_stats.requested_at', dateRange: [period.start, period.end] }],
    filters: agency ? [{ or: [{ member: 'sharing_stats.owner', operator: 'equals', values: [agency] }, { member: 'sharing_stats.requester', operator: 'equals', values: [agency] }] }] : [],
    order: [['sharing_stats.owner', 'asc'], ['sharing_stats.dataset', 'asc'], ['sharing_stats.requester', 'asc']],
    limit: 10_000,
  }
}

/** Quality is scored by quarter: the quarter the period ends in. */
export function qualityQuery(period: BriefingPeriod, agency?: string) {
  const end = new Date(`${period.end}T00:00:00Z`)
  const quarterStart = new Date(Date.UTC(end.getUTCFullYear(), Math.floor(end.getUTCMonth() / 3) * 3, 1)).toISOString().slice(0, 10)
  return {
    measures: ['quality_scores.composite', 'quality_scores.completeness', 'quality_scores.validity', 'quality_scores.timeliness', 'quality_scores.consistency', 'quality_scores.accuracy'],
    dimensions: ['quality_scores.agency', 'quality_scores.rank'],
    timeDimensions: [{ dimension: 'quality_scores.quarter_start', dateRange: [quarterStart, period.end] }],
    filters: onlyAgency('quality_scores.agency', agency),
    order: [['quality_scores.rank', 'asc']],
    limit: 10_000,
  }
}
