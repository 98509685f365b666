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

export interface Agency {
  code: string
  name: string
  kind: string
}

let agencies: Promise<Map<string, Agency>> | null = null

/** The agencies of the catalogue, fetched once per page load: names to show beside codes. */
export function agencyMap(): Promise<Map<string, Agency>> {
  agencies ??= api<Agency[]>('/api/catalog/agencies').then((list) => new Map(list.map((a) => [a.code, a])))
  return agencies
}

/** "Sở Tài chính (SO_TC)": an agency by name, its code beside it; the code alone when unknown. */
export const agencyName = (agencies: Map<string, Agency> | undefined, code: string) => {
  const a = agencies?.get(code)
  return a ? `${a.name} (${code})` : code
}
