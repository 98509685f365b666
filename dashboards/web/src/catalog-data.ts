import { api } from './api.ts'

export interface Indicator {
  code: string
  name_vi: string
  name_en: string
  unit: string
  frequency: string
  owner: string
  aggregation: string
  numerator: string | null
  denominator: string | null
  multiplier: number
  offset: number
  level: 'province' | 'commune'
  description?: string
  direction: 'up' | 'down'
  sector: string
  deadline: { after: string; days?: number; working_days?: number }
}

export interface IocConfig {
  headline: string[]
  commune_ranking: string[]
  status: { plan_pct: { good: number; warn: number }; growth_pct: { good: number; warn: number } }
  kiosk_refresh_seconds: number
  province: { code: string; name: string }
}

let indicators: Promise<Map<string, Indicator>> | null = null

/** The indicator dictionary, fetched once per page load. */
export function indicatorMap(): Promise<Map<string, Indicator>> {
  indicators ??= api<Indicator[]>('/api/catalog/indicators').then((list) => new Map(list.map((i) => [i.code, i])))
  return indicators
}

export const indicatorName = (i: Indicator | undefined, lang: 'vi' | 'en', code = '') => (i ? (lang === 'vi' ? i.name_vi : i.name_en) : code)
