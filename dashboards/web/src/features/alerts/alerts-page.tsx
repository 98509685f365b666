import { useState } from 'react'
import { api } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { Empty, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { StateFilter } from '../../components/state-filter.tsx'
import { agencyMap } from '../../catalog-data.ts'
import { useLang } from '../../i18n.ts'
import type { Alert } from '../../../../../infra/contracts/alert.ts'


type State = 'open' | 'resolved' | 'all'

/** Who was told of an alert and how: the e-mailed accounts and the webhook's answer; empty when nobody was. */
function sentTo(a: Alert): string {
  const opened = a.notified.opened ?? {}
  const people = Object.keys(opened.email ?? {})
  return [...people, ...(opened.webhook ? [`webhook: ${opened.webhook}`] : [])].join(', ')
}

/** Since when the condition holds: an overdue report's due day, not the minute kho first noticed it. */
const since = (a: Alert) => (typeof a.detail.due_on === 'string' ? a.detail.due_on : a.opened_at)

/**
 * Operations alerts, open and past: stewards see all, an agency's officers their agency's. The
 * rules are checked every minute and after every run; a steward may have them checked now.
 */
export default function Alerts() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const [state, setState] = useState<State>('open')
  const [version, setVersion] = useState(0)
  const alerts = useAsync(() => api<{ alerts: Alert[] }>(`/api/alerts?state=${state}`), [state, version])
  const agencies = useAsync(agencyMap, [])
  const canCheck = account?.role === 'steward' || account?.role === 'admin'
  const check = async () => {
    await api('/api/alerts/check', { method: 'POST' })
    setVersion((v) => v + 1)
  }
  return (
    <div>
      <div className="toolbar">
        <h1>{t('alerts')}</h1>
        <StateFilter<State> label={t('status')} value={state} onChange={setState} states={[['open', t('alertsOpen')], ['resolved', t('alertsResolved')], ['all', t('alertsAll')]]}>
          {canCheck && (
            <button type="button" onClick={() => void check()}>
              {t('alertCheckNow')}
            </button>
          )}
        </StateFilter>
      </div>
      <section className="panel">
        <Show value={alerts}>
          {(d) =>
            d.alerts.length === 0 ? (
              <Empty>{t('alertsNone')}</Empty>
            ) : (
              <DataTable<Alert>
                testId="alerts"
                rows={d.alerts}
                columns={[
                  { key: 'severity', header: t('alertSeverity'), cell: (a) => <span className={`badge ${a.resolved_at ? 'succeeded' : a.severity === 'critical' ? 'failed' : 'warn'}`}>{fmt.status(`severity.${a.severity}`)}</span> },
                  { key: 'title', header: t('alertWhat'), value: (a) => (lang === 'vi' ? a.title_vi : a.title_en) },
                  { key: 'rule', header: t('alertRule'), value: (a) => fmt.status(`alertRule.${a.rule}`) },
                  { key: 'agency', header: t('agency'), value: (a) => (a.agency ? (agencies.state === 'ready' ? (agencies.data.get(a.agency)?.name ?? a.agency) : a.agency) : '—'), as: 'name' },
                  { key: 'since', header: t('alertSince'), value: since, cell: (a) => fmt.day(since(a)) },
                  { key: 'opened_at', header: t('alertOpened'), cell: (a) => fmt.date(a.opened_at) },
                  { key: 'resolved_at', header: t('alertResolvedAt'), cell: (a) => (a.resolved_at ? fmt.date(a.resolved_at) : '—') },
                  // Nobody told is said in words: no mail server or webhook is set up, or nobody is concerned.
                  { key: 'sent', header: t('alertSent'), value: sentTo, cell: (a) => (sentTo(a) ? <code>{sentTo(a)}</code> : <span className="muted">{t('alertNotSent')}</span>) },
                ]}
              />
            )
          }
        </Show>
      </section>
    </div>
  )
}
