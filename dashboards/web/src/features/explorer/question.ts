import type { Filter, Query, TimeDimensionGranularity } from '@cubejs-client/core'

export interface Member {
  name: string
  title: string
  shortTitle: string
  type: string
  /** English title; a coded column's values with their names (catalogue datasets). */
  meta?: { title_en?: string; values?: { value: string; label: string; label_en?: string }[] }
}
export interface View {
  name: string
  title: string
  measures: Member[]
  dimensions: Member[]
  meta?: { title_en?: string }
}

/** The model's titles in the reader's language: English ones live in each member's `meta.title_en`. */
export function inLanguage(views: View[], lang: 'vi' | 'en'): View[] {
  if (lang === 'vi') return views
  return views.map((v) => {
    const title = v.meta?.title_en ?? v.title
    const member = (m: Member): Member => (m.meta?.title_en ? { ...m, shortTitle: m.meta.title_en, title: `${title} ${m.meta.title_en}` } : m)
    return { ...v, title, measures: v.measures.map(member), dimensions: v.dimensions.map(member) }
  })
}

export const OPERATORS = ['equals', 'notEquals', 'contains', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet'] as const
export type Operator = (typeof OPERATORS)[number]

/** Everything a question is made of; it lives in the URL (?q=…) so a link shares it. */
export interface Question {
  view: string
  measures: string[]
  dimensions: string[]
  time: { dimension: string; granularity: string; from: string; to: string; compare: boolean } | null
  filters: { member: string; operator: Operator; values: string[] }[]
  limit: number
  /** How the result is shown (and exported): rows, a pivot of its two dimensions, or a chart. */
  display?: Display
  /** The rows' order: by one of the question's measures or dimensions. */
  order?: { member: string; desc: boolean }
}

export type Display = 'table' | 'pivot' | 'chart'

export const EMPTY: Question = { view: '', measures: [], dimensions: [], time: null, filters: [], limit: 10_000, display: 'table' }

/** The pivot of a question: its first dimension down, its time slots (or second dimension) across; null when it has not two. */
export function pivotOf(q: Question): { rows: string; columns: string } | null {
  const time = q.time?.dimension && q.time.granularity ? `${q.time.dimension}.${q.time.granularity}` : null
  const members = [...q.dimensions, ...(time ? [time] : [])]
  if (members.length !== 2 || q.measures.length === 0) return null
  return time ? { rows: q.dimensions[0]!, columns: time } : { rows: members[0]!, columns: members[1]! }
}

/** Date ranges in words, from kho's day (yyyy-mm-dd): what the range picker offers. */
export function rangePresets(today: string): { key: string; from: string; to: string }[] {
  const y = Number(today.slice(0, 4))
  const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10)
  const m = Number(today.slice(5, 7)) - 1
  return [
    { key: 'last12', from: monthStart(y, m - 11), to: today },
    { key: 'thisYear', from: `${y}-01-01`, to: `${y}-12-31` },
    { key: 'lastYear', from: `${y - 1}-01-01`, to: `${y - 1}-12-31` },
    { key: 'twoYears', from: `${y - 1}-01-01`, to: `${y}-12-31` },
    { key: 'fiveYears', from: `${y - 4}-01-01`, to: `${y}-12-31` },
  ]
}

/** The Cube query a question asked in words ran (POST /api/ask), as a question to change here. */
export function fromCubeQuery(query: {
  measures?: string[]
  dimensions?: string[]
  timeDimensions?: { dimension: string; granularity?: string }[]
  filters?: { member: string; operator: string; values?: string[] }[]
  order?: Record<string, string>
  limit?: number
}): Question {
  const members = [...(query.measures ?? []), ...(query.dimensions ?? [])]
  const time = query.timeDimensions?.[0]
  const [orderMember, direction] = Object.entries(query.order ?? {})[0] ?? []
  return {
    ...EMPTY,
    view: members[0]?.split('.')[0] ?? '',
    measures: query.measures ?? [],
    dimensions: query.dimensions ?? [],
    time: time ? { dimension: time.dimension, granularity: time.granularity ?? '', from: '', to: '', compare: false } : null,
    filters: (query.filters ?? []).map((f) => ({ member: f.member, operator: (OPERATORS as readonly string[]).includes(f.operator) ? (f.operator as Operator) : 'equals', values: f.values ?? [] })),
    limit: query.limit ?? EMPTY.limit,
    ...(orderMember ? { order: { member: orderMember, desc: direction === 'desc' } } : {}),
    display: (query.dimensions?.length ?? 0) > 0 || time ? 'chart' : 'table',
  }
}

export function fromUrl(): Question {
  const params = new URLSearchParams(location.search)
  const asked = params.get('ask')
  if (asked) {
    try {
      return fromCubeQuery(JSON.parse(asked) as Parameters<typeof fromCubeQuery>[0])
    } catch {
      return EMPTY
    }
  }
  const raw = params.get('q')
  if (!raw) return EMPTY
  try {
    return { ...EMPTY, ...(JSON.parse(raw) as Partial<Question>) }
  } catch {
    return EMPTY
  }
}

export const shiftYear = (d: string, by: number) => (d ? `${Number(d.slice(0, 4)) + by}${d.slice(4)}` : d)

/** The Cube query for a question (compare = the same range a year earlier, side by side). */
export function toQuery(q: Question): Query {
  const timeDimensions = q.time?.dimension
    ? [
        {
          dimension: q.time.dimension,
          ...(q.time.granularity ? { granularity: q.time.granularity as TimeDimensionGranularity } : {}),
          ...(q.time.from && q.time.to
            ? q.time.compare
              ? { compareDateRange: [[q.time.from, q.time.to], [shiftYear(q.time.from, -1), shiftYear(q.time.to, -1)]] as [string, string][] }
              : { dateRange: [q.time.from, q.time.to] as [string, string] }
            : {}),
        },
      ]
    : []
  return {
    measures: q.measures,
    dimensions: q.dimensions,
    timeDimensions,
    filters: q.filters
      .filter((f) => f.member && (f.operator === 'set' || f.operator === 'notSet' || f.values.some((v) => v !== '')))
      .map((f): Filter => (f.operator === 'set' || f.operator === 'notSet' ? { member: f.member, operator: f.operator } : { member: f.member, operator: f.operator, values: f.values })),
    ...(q.order && [...q.measures, ...q.dimensions].includes(q.order.member) ? { order: [[q.order.member, q.order.desc ? 'desc' : 'asc']] as [string, 'asc' | 'desc'][] } : {}),
    limit: q.limit,
  }
}

/** A question that starts from an indicator: its value by month over the last 12 months. */
export function indicatorQuestion(code: string, today: string): Question {
  const last12 = rangePresets(today)[0]!
  return {
    ...EMPTY,
    view: 'kt_xh',
    measures: ['kt_xh.value'],
    time: { dimension: 'kt_xh.period_start', granularity: 'month', from: last12.from, to: last12.to, compare: false },
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }],
    display: 'chart',
  }
}

/** The finer grain a time slot opens into. */
const FINER: Record<string, string> = { year: 'quarter', quarter: 'month', month: 'day', week: 'day', day: 'day' }

/** A slot's last day, from its first ('2025-04-01T00:00:00.000') and its grain. */
function slotEnd(start: string, granularity: string): string {
  const [y, m, d] = start.slice(0, 10).split('-').map(Number) as [number, number, number]
  const months = granularity === 'year' ? 12 : granularity === 'quarter' ? 3 : granularity === 'month' ? 1 : 0
  const end = months ? new Date(Date.UTC(y, m - 1 + months, 0)) : new Date(Date.UTC(y, m - 1, d + (granularity === 'week' ? 6 : 0)))
  return end.toISOString().slice(0, 10)
}

/**
 * The question narrowed to one value (drill-through): a time slot becomes the range, seen a grain
 * finer; a dimension's value becomes a filter, and the dimension leaves the grouping.
 */
export function drilled(q: Question, member: string, value: string): Question {
  if (q.time?.granularity && member === `${q.time.dimension}.${q.time.granularity}`) {
    return { ...q, time: { ...q.time, from: value.slice(0, 10), to: slotEnd(value, q.time.granularity), granularity: FINER[q.time.granularity] ?? q.time.granularity, compare: false } }
  }
  const dimensions = q.dimensions.filter((d) => d !== member)
  const filters = [...q.filters.filter((f) => f.member !== member), { member, operator: 'equals' as const, values: [value] }]
  return { ...q, dimensions, filters, display: pivotOf({ ...q, dimensions }) ? q.display : 'chart' }
}

/** The kinds the builder groups its dimensions under, in the order it shows them. */
export const DIMENSION_GROUPS = ['indicator', 'time', 'place', 'agency', 'other'] as const
export type DimensionGroup = (typeof DIMENSION_GROUPS)[number]

/**
 * Which kind a dimension is, by its name (joined cubes' members carry their cube's name: an
 * indicator's, a unit's, an agency's), so the builder lists them grouped rather than as one column.
 */
export function dimensionGroup(member: string): DimensionGroup {
  const field = member.slice(member.indexOf('.') + 1)
  if (/^(indicator|indicators_|sector|aggregation|unit_of_measure)/.test(field)) return 'indicator'
  if (/^(period|year|quarter|month|day|date|week)|(_on|_at|_date|_period)$/.test(field)) return 'time'
  if (/^(unit_code|unit_level|admin_units_|commune|ma_xa|province)/.test(field)) return 'place'
  if (/^(agency|agencies_|owner|reporting_agency)/.test(field)) return 'agency'
  return 'other'
}
