import type { Filter, Query, TimeDimensionGranularity } from '@cubejs-client/core'

export interface Member {
  name: string
  title: string
  shortTitle: string
  type: string
}
export interface View {
  name: string
  title: string
  measures: Member[]
  dimensions: Member[]
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
}

export const EMPTY: Question = { view: '', measures: [], dimensions: [], time: null, filters: [], limit: 10_000 }
export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year']

export function fromUrl(): Question {
  const raw = new URLSearchParams(location.search).get('q')
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
    limit: q.limit,
  }
}
