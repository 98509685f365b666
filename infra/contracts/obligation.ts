/**
 * One reporting obligation as the API lists it (/api/submissions/*, the digest) and the dashboards
 * show it. Types only, so the browser code can share it.
 */
export interface ObligationItem {
  agency: string
  agency_name: string
  dataset: string
  dataset_name: string
  indicator_code: string
  indicator_name: string
  period: string
  period_label: string
  due_on: string
  status: string
  days_left: number
  days_late: number
}
