/** An owner agency as /api/catalog/agencies lists it (the fields the pages read). */
export interface AgencySummary {
  code: string
  name: string
  kind: string
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
  deadline: { after: string; days?: number | undefined; working_days?: number | undefined }
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
