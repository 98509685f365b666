/**
 * A user's report of a suspected error, as /api/error-reports gives it and the dashboards show it.
 * Types only, so the browser code can share it.
 */
export interface ErrorReport {
  id: string
  kind: 'value' | 'dataset'
  dataset: string
  indicator_code: string
  unit_code: string
  period: string
  note: string
  agency: string
  reported_by: string
  status: 'open' | 'answered' | 'closed'
  answer: string
  answered_by: string
  closed_by: '' | 'delivery' | 'explanation'
  load_id: string
  created_at: string
  updated_at: string
  age_days: number
}
