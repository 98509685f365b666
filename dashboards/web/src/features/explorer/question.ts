import type { Filter, Query, TimeDimensionGranularity } from '@cubejs-client/core'

export interface Member {
  name: string
  title: string
  shortTitle: string
  type: string
  meta?: { title_en?: string }
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
}

export const EMPTY: Question = { view: '', measures: [], dimensions: [], time: null, filters: [], limit: 10_000 }

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
