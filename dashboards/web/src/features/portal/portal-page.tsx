import { useState, type FormEvent } from 'react'
import { api, ApiError, download, loadRows, type Row } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { ErrorBox, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { indicatorMap, indicatorName, useNames } from '../../catalog-data.ts'
import type { AgencyInfo, Load, Obligation, Report } from './portal-types.ts'
import { ObligationTable } from './components/obligation-table.tsx'
import { openDigest } from './open-digest.ts'
import { UploadReport } from './components/upload-report.tsx'
import { Attachments } from '../../components/attachments.tsx'
import { Link } from '../../router.tsx'
import { khoDay } from '../../kho-clock.ts'
import { explainObligation } from './obligation-explain.ts'
import { AgencyRankingPanel } from '../quality/components/agency-ranking.tsx'
import { NoObligations } from './components/no-obligations.tsx'

export default function Portal() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const officer = account?.role === 'agency_officer'
  const [agency, setAgency] = useState(officer ? account.agency : '')
  const [report, setReport] = useState<Report | null>(null)
  const [uploadError, setUploadError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  // The delivery whose attached documents are shown below the history.
  const [docsOf, setDocsOf] = useState<string | null>(null)
  const agencies = useAsync(() => api<AgencyInfo[]>('/api/catalog/agencies'), [])
  const scope = officer ? account.agency : agency
  const q = scope ? `?agency=${encodeURIComponent(scope)}` : ''
  // One delivery, when a trace links to it (/portal?load=…); "all" clears it.
  const [onlyLoad, setOnlyLoad] = useState(() => new URLSearchParams(location.search).get('load'))
  const overdue = useAsync(() => api<Obligation[]>(`/api/submissions/overdue${q}`), [q, report])
  const upcoming = useAsync(() => api<Obligation[]>(`/api/submissions/upcoming${q}`), [q, report])
  const history = useAsync(() => api<Load[]>(`/api/loads${q}${onlyLoad ? `${q ? '&' : '?'}load=${encodeURIComponent(onlyLoad)}` : ''}`), [q, report, onlyLoad])
  // Error reports users made on the agency's data that still wait for its answer.
  const errorReports = useAsync(() => api<{ reports: { agency: string; status: string }[] }>('/api/error-reports?state=open'), [])
  const recent = useAsync(
    () =>
      loadRows({
        dimensions: ['submissions.agency', 'submissions.dataset', 'submissions.indicator_code', 'submissions.period', 'submissions.status', 'submissions.due_on', 'submissions.received_at'],
        measures: ['submissions.days_late', 'submissions.changes', 'submissions.changes_late'],
        filters: [
          { member: 'submissions.period_end', operator: 'afterDate', values: [khoDay(-200)] },
          ...(scope ? [{ member: 'submissions.agency', operator: 'equals' as const, values: [scope] }] : []),
        ],
        order: [['submissions.due_on', 'desc']],
        limit: 5000,
      }),
    [scope, report],
  )
  // Names beside codes: indicators by the dictionary, agencies by the catalogue.
  const indicators = useAsync(() => indicatorMap(), [])
  const indicatorsByCode = indicators.state === 'ready' ? indicators.data : undefined
  const names = useNames(lang)
  const agencyInfo = useAsync(() => (scope ? api<AgencyInfo>(`/api/catalog/agencies/${encodeURIComponent(scope)}`) : Promise.resolve(null)), [scope])
  const info = agencyInfo.state === 'ready' ? agencyInfo.data : null
  // An agency the catalogue gives nothing to deliver: say so, and whom to ask, instead of empty panels.
  const nothingOwed = info !== null && info.datasets.length === 0 && info.indicators.length === 0
  const ruleOf = (r: Row) => {
    const code = String(r['submissions.indicator_code'] ?? '')
    return code ? indicatorsByCode?.get(code)?.deadline : names.deadline(String(r['submissions.dataset'] ?? ''))
  }

  const upload = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    form.set('agency', scope)
    // kho reads the fields before the file: put the file last.
    const file = form.get('file')
    form.delete('file')
    if (file) form.append('file', file)
    setBusy(true)
    setUploadError(null)
    try {
      setReport(await api<Report>('/api/loads', { form }))
    } catch (err) {
      setUploadError(err instanceof Error ? err : new ApiError(0, String(err), String(err)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="portal">
      <div className="toolbar">
        <h1>
          {t('portal')}
          {info ? ` — ${info.name}` : ''}
        </h1>
        <button type="button" onClick={() => void openDigest(scope, lang)} data-testid="open-digest">
          {t('digest')}
        </button>
        {!officer && (
          <label>
            {t('agency')}{' '}
            <select value={agency} onChange={(e) => setAgency(e.target.value)} data-testid="agency-picker">
              <option value="">{t('all')}</option>
              {agencies.state === 'ready' &&
                agencies.data.map((a) => (
                  <option key={a.code} value={a.code}>
                    {a.name}
                  </option>
                ))}
            </select>
          </label>
        )}
      </div>
      {errorReports.state === 'ready' && errorReports.data.reports.some((r) => r.agency === scope && r.status === 'open') && (
        <p className="state warn" data-testid="portal-error-reports">
          {t('reportsWaiting')}: {fmt.number(errorReports.data.reports.filter((r) => r.agency === scope && r.status === 'open').length, 0)} ·{' '}
          <Link href="/reports">{t('errorReports')}</Link>
        </p>
      )}
      {nothingOwed && info && <NoObligations agency={info} />}
      {!nothingOwed && (
      <div className="grid-2">
        <section className="panel">
          <h2>{t('overdue')}</h2>
          <Show value={overdue} empty={(d) => d.length === 0} say={t('noOverdue')}>
            {(rows) => <ObligationTable rows={rows} testId="overdue" />}
          </Show>
        </section>
        <section className="panel">
          <h2>{t('upcoming')}</h2>
          <Show value={upcoming} empty={(d) => d.length === 0} say={t('noUpcoming')}>
            {(rows) => <ObligationTable rows={rows} testId="upcoming" />}
          </Show>
        </section>
      </div>
      )}
      {scope && info && !nothingOwed && (
        <section className="panel">
          <h2>{t('upload')}</h2>
          <form onSubmit={upload} className="form-row" data-testid="upload-form">
            <label>
              {t('dataset')}
              <select name="dataset" required>
                {info.datasets.map((d) => (
                  <option key={d} value={d}>
                    {names.dataset(d)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('file')}
              <input type="file" name="file" required accept=".csv,.tsv,.txt,.xlsx,.xml,.json" />
            </label>
            <button type="submit" disabled={busy}>
              {busy ? t('loading') : t('send')}
            </button>
          </form>
          <p>
            {t('templates')}:{' '}
            {info.datasets.map((d) => (
              <a key={d} href={`/api/datasets/${d}/template.xlsx`} download={`mau_${d}.xlsx`} style={{ marginRight: 12 }}>
                {names.dataset(d)} (.xlsx)
              </a>
            ))}
          </p>
          {uploadError && <ErrorBox error={uploadError} />}
          {report && <UploadReport report={report} />}
        </section>
      )}
      {!nothingOwed && (
      <section className="panel">
        <h2>{t('obligations')}</h2>
        <Show value={recent} empty={(d) => d.length === 0} say={t('noObligationRows')}>
          {(rows) => (
            <DataTable<Row>
              testId="obligations"
              rows={rows}
              pageSize={20}
              columns={[
                { key: 'submissions.agency', header: t('agency'), value: (r) => names.agency(String(r['submissions.agency'] ?? '')), as: 'name' },
                {
                  key: 'subject',
                  header: `${t('indicators')} / ${t('dataset')}`,
                  value: (r) => {
                    const code = String(r['submissions.indicator_code'] ?? '')
                    return code ? `${indicatorName(indicatorsByCode?.get(code), lang, code)} (${code})` : names.dataset(String(r['submissions.dataset'] ?? ''))
                  },
                },
                { key: 'submissions.period', header: t('period'), cell: (r) => fmt.period(r['submissions.period']) },
                {
                  key: 'submissions.due_on',
                  header: t('dueOn'),
                  // A register kept on the change rule has no one due day a month: each change has its own.
                  cell: (r) => {
                    const rule = ruleOf(r)
                    return rule?.after === 'change' ? `${t('eachChange')} + ${fmt.number(rule.working_days ?? 0, 0)} ${t('workingDays')}` : fmt.day(r['submissions.due_on'])
                  },
                },
                { key: 'submissions.received_at', header: t('receivedAt'), cell: (r) => fmt.date(r['submissions.received_at']) },
                { key: 'submissions.status', header: t('status'), cell: (r) => <span className={`badge ${r['submissions.status']}`}>{fmt.status(r['submissions.status'])}</span> },
                { key: 'submissions.days_late', header: t('daysLate'), numeric: true },
                {
                  key: 'why',
                  header: t('statusWhy'),
                  value: (r) =>
                    explainObligation(
                      {
                        status: String(r['submissions.status'] ?? ''),
                        due: fmt.day(r['submissions.due_on']),
                        received: r['submissions.received_at'] ? fmt.day(r['submissions.received_at']) : '',
                        daysLate: Number(r['submissions.days_late'] ?? 0),
                        changes: Number(r['submissions.changes'] ?? 0),
                        changesLate: Number(r['submissions.changes_late'] ?? 0),
                        rule: ruleOf(r),
                      },
                      lang,
                    ),
                },
              ]}
            />
          )}
        </Show>
      </section>
      )}
      {!nothingOwed && (
      <section className="panel">
        <h2>
          {t('history')}
          {onlyLoad && (
            <button type="button" onClick={() => setOnlyLoad(null)} data-testid="all-loads">
              {t('allDeliveries')}
            </button>
          )}
        </h2>
        <Show value={history} empty={(d) => d.length === 0} say={t('noHistory')}>
          {(rows) => (
            <DataTable<Load>
              testId="history"
              rows={rows}
              pageSize={15}
              columns={[
                { key: 'delivered_at', header: t('receivedAt'), cell: (r) => fmt.date(r.delivered_at) },
                { key: 'agency', header: t('agency'), value: (r) => names.agency(r.agency), as: 'name' },
                { key: 'dataset', header: t('dataset'), value: (r) => names.dataset(r.dataset) },
                { key: 'source', header: t('file'), as: 'code' },
                { key: 'delivered_by', header: t('deliveredBy'), value: (r) => fmt.deliveredBy(r.delivered_by), as: 'name' },
                { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status}`}>{fmt.status(r.status)}</span> },
                { key: 'rows_loaded', header: '✓', numeric: true },
                { key: 'rows_rejected', header: '✗', numeric: true },
                {
                  key: 'documents',
                  header: t('documents'),
                  value: () => '',
                  cell: (r) => (
                    <button type="button" className="linkish" data-load={r.load_id} onClick={() => setDocsOf(docsOf === r.load_id ? null : r.load_id)}>
                      {t('attachments')}
                    </button>
                  ),
                },
                {
                  key: 'rejects',
                  header: t('rejectedRows'),
                  cell: (r) =>
                    r.rows_rejected > 0 ? (
                      <button type="button" className="linkish" onClick={() => void download(`/api/loads/${r.load_id}/rejects.xlsx`, 'dong-bi-tu-choi.xlsx')}>
                        {lang === 'vi' ? 'Tải Excel' : 'Excel'}
                      </button>
                    ) : (
                      ''
                    ),
                },
              ]}
            />
          )}
        </Show>
        {docsOf && <Attachments path={`/api/loads/${docsOf}/attachments`} canUpload={account?.role !== 'leader' && account?.role !== 'analyst'} testId="load-attachments" />}
      </section>
      )}
      {/* An officer sees its agency's place in the quarter's ranking and assesses itself here (its page; stewards use Chất lượng). */}
      {account?.role === 'agency_officer' && <AgencyRankingPanel />}
    </div>
  )
}
