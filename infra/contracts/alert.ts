/**
 * An operations alert as /api/alerts gives it and the Alerts page shows it. Types only, so the
 * browser code can share it.
 */
export interface Alert {
  id: string
  key: string
  rule: string
  severity: 'critical' | 'warning'
  agency: string
  title_vi: string
  title_en: string
  detail: Record<string, unknown>
  opened_at: string
  resolved_at: string | null
  /** How the opening and the resolution were sent: e-mail per account, the webhook's answer. */
  notified: Record<string, { email?: Record<string, string>; webhook?: string }>
}
