import { useState } from 'react'
import { api, download } from '../../../api.ts'
import { ErrorBox, Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { DateInput } from '../../../components/date-input.tsx'
import { useNames } from '../../../catalog-data.ts'
import type { ChainReport } from '../../../../../../infra/contracts/audit.ts'

interface AuditRow {
  at: string
  account: string
  agency: string
  datasets: string[]
  role: string
  endpoint: string
  members: string[]
  row_count: number
  outcome: string
  reason: string
  action_vi: string
  action_en: string
  reason_vi: string
  reason_en: string
}
/** Recomputes the sharing log's hash chain and says whether it is whole, naming the first broken entry. */
function VerifyLog() {
  const { t, lang } = useLang()
  const [report, setReport] = useState<ChainReport | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const verify = async () => {
    try {
      setReport(await api<ChainReport>('/api/audit/verify'))
      setError(null)
    } catch (err) {
      setError(err as Error)
    }
  }
  return (
    <div className="form-row">
      <button type="button" onClick={() => void verify()}>
        {t('verifyLog')}
      </button>
      {report && (
        <p className={`state ${report.ok ? 'ok' : 'error'}`} role="status" data-testid="verify-result" data-ok={report.ok}>
          {report.ok ? t('logWhole') : t('logBroken')}: {report.entries} {t('entries')}
          {report.broken ? ` — #${report.broken.seq}: ${lang === 'vi' ? report.broken.reasonVi : report.broken.reason}` : ''}
        </p>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  )
}

/** The sharing log: who read what, when, with what outcome; filtered, exported, verified. */
export function AuditPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const [filter, setFilter] = useState({ account: '', outcome: '', from: '', to: '' })
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString()
  const rows = useAsync(() => api<AuditRow[]>(`/api/audit?limit=2000&${query}`), [query])
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value })
  return (
    <section className="panel">
      <h2>{t('audit')}</h2>
      <VerifyLog />
      <div className="form-row">
        <label>
          {t('username')}
          <input value={filter.account} onChange={set('account')} />
        </label>
        <label>
          {t('outcome')}
          <select value={filter.outcome} onChange={set('outcome')}>
            <option value="">{t('all')}</option>
            <option value="ok">{fmt.status('outcome.ok')}</option>
            <option value="denied">{fmt.status('outcome.denied')}</option>
            <option value="error">{fmt.status('outcome.error')}</option>
          </select>
        </label>
        <label>
          {t('from')}
          <DateInput aria-label={t('from')} value={filter.from} onChange={(v) => set('from')({ target: { value: v } })} />
        </label>
        <label>
          {t('to')}
          <DateInput aria-label={t('to')} value={filter.to} onChange={(v) => set('to')({ target: { value: v } })} />
        </label>
        <button type="button" onClick={() => void download(`/api/audit?format=csv&limit=100000&${query}`, 'nhat_ky_truy_cap.csv')}>
          {t('exportCsv')}
        </button>
      </div>
      <Show value={rows} empty={(d) => d.length === 0} say={t('emptyAudit')}>
        {(list) => (
          <DataTable<AuditRow>
            testId="audit"
            rows={list}
            columns={[
              { key: 'at', header: t('at'), cell: (r) => fmt.date(r.at) },
              { key: 'account', header: t('username'), as: 'code' },
              { key: 'agency', header: t('agency'), value: (r) => names.agency(r.agency), as: 'name' },
              { key: 'role', header: t('role'), value: (r) => (r.role ? fmt.status(`role.${r.role}`) : '') },
              // What was done in words; the members read as the identifiers the log keeps.
              { key: 'action', header: t('action'), value: (r) => (lang === 'vi' ? r.action_vi : r.action_en) },
              { key: 'datasets', header: t('dataset'), value: (r) => names.datasets(r.datasets) },
              { key: 'members', header: t('measures'), value: (r) => (r.members ?? []).join(', '), as: 'code' },
              { key: 'row_count', header: t('rows'), numeric: true },
              { key: 'outcome', header: t('outcome'), value: (r) => fmt.status(`outcome.${r.outcome}`) },
              { key: 'reason', header: t('reason'), value: (r) => (lang === 'vi' ? r.reason_vi : r.reason_en) },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
