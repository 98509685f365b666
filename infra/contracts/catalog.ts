/** An owner agency as /api/catalog/agencies lists it (the fields the pages read). */
export interface AgencySummary {
  code: string
  name: string
  kind: string
}

/** One agency as /api/catalog/agencies/:code answers it: what it delivers, and whom to ask (the warehouse's operator). */
export interface AgencyDetail extends AgencySummary {
  parent: string | null
  commune_code: string | null
  contact: { person?: string | undefined; email?: string | undefined; phone?: string | undefined }
  datasets: string[]
  indicators: string[]
  operator: { code: string; name: string; contact: AgencyDetail['contact'] } | null
}

/** When a delivery is due, as the catalogue answers it for datasets and indicators. */
export interface DeadlineAnswer {
  after: string
  days?: number | undefined
  working_days?: number | undefined
}

/** An indicator of the KT-XH set as /api/catalog/indicators answers it. */
export interface IndicatorAnswer {
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
  description?: string | undefined
  /** How it is computed, in words (a ratio's operands by name). */
  formula: { vi: string; en: string }
  direction: 'up' | 'down'
  sector: string
  deadline: DeadlineAnswer
}

/** What the IOC shows and how it colours it, as /api/dashboards/ioc answers (dashboards/ioc.yaml). */
export interface IocAnswer {
  headline: string[]
  commune_ranking: string[]
  status: { plan_pct: { good: number; warn: number }; growth_pct: { good: number; warn: number } }
  kiosk_refresh_seconds: number
  /** How long the wall shows each of its screens. */
  kiosk_rotate_seconds: number
  province: { code: string; name: string }
}
