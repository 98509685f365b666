import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { Empty, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { StateFilter } from '../../components/state-filter.tsx'
import { communeList, datasetMap, indicatorMap, useNames } from '../../catalog-data.ts'
import { khoDay } from '../../kho-clock.ts'
import { useLang } from '../../i18n.ts'
import type { ErrorReport } from '../../../../../infra/contracts/error-report.ts'


type State = 'open' | 'closed' | 'all'

/** Says how a request failed, in the reader's language. */
function useProblem() {
  const { lang } = useLang()
  const [problem, setProblem] = useState<string | null>(null)
  const fail = (err: unknown) => setProblem(err instanceof ApiError ? (lang === 'vi' ? err.vi : err.en) : String(err))
  return { problem, setProblem, fail }
}

/** A report: what it is about (the value or the dataset), for the table. */
function subject(r: ErrorReport, names: { indicator: (c: string) => string; dataset: (id: string) => string; unit: (c: string) => string }, period: (p: string) => string): string {
  return r.kind === 'value' ? `${names.indicator(r.indicator_code)} · ${names.unit(r.unit_code)} · ${period(r.period)}` : names.dataset(r.dataset)
}

/** The periods a report may name, newest first: 24 months, 8 quarters or 5 years before today, by the indicator's frequency. */
export function recentPeriods(frequency: string, today: string): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number]
  if (frequency === 'quarterly') {
    const q = Math.ceil(m / 3)
    return Array.from({ length: 8 }, (_, i) => {
      const n = y * 4 + (q - 1) - i
      return `${Math.floor(n / 4)}-Q${(n % 4) + 1}`
    })
  }
  if (frequency === 'yearly') return Array.from({ length: 5 }, (_, i) => String(y - i))
  return Array.from({ length: 24 }, (_, i) => {
    const n = y * 12 + (m - 1) - i
    return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`
  })
}

/** The form anyone signed in uses to report a value or a dataset they think wrong. */
function ReportForm({ onSent }: { onSent: () => void }) {
  const { t, fmt, lang } = useLang()
  const [kind, setKind] = useState<'value' | 'dataset'>('value')
  const [sent, setSent] = useState(false)
  const { problem, setProblem, fail } = useProblem()
  // Pickers, not codes to type: indicators and datasets by name, communes by name, periods by label.
  const choices = useAsync(() => Promise.all([indicatorMap(), datasetMap(), communeList(), api<{ province: { code: string } }>('/api/catalog').then((c) => c.province.code)]), [])
  const [indicator, setIndicator] = useState('')
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    // Kept: React's event has no currentTarget once the request has been awaited.
    const form = e.currentTarget
    const f = new FormData(form)
    const body =
      kind === 'value'
        ? { kind, indicator_code: f.get('indicator_code'), unit_code: f.get('unit_code'), period: f.get('period'), note: f.get('note') }
        : { kind, dataset: f.get('dataset'), note: f.get('note') }
    try {
      await api('/api/error-reports', { body })
      setProblem(null)
      setSent(true)
      form.reset()
      onSent()
    } catch (err) {
      setSent(false)
      fail(err)
    }
  }
  return (
    <section className="panel">
      <h2>{t('reportError')}</h2>
      <Show value={choices}>
        {([indicators, datasets, communes, province]) => (
          <form onSubmit={(e) => void submit(e)} aria-label={t('reportError')}>
            <div className="form-row">
              <label>
                {t('reportAbout')}{' '}
                <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'value' | 'dataset')}>
                  <option value="value">{t('reportValue')}</option>
                  <option value="dataset">{t('reportDataset')}</option>
                </select>
              </label>
              {kind === 'value' ? (
                <>
                  <label>
                    {t('indicator')}{' '}
                    <select name="indicator_code" required value={indicator || [...indicators.keys()][0]} onChange={(e) => setIndicator(e.target.value)}>
                      {[...indicators.values()].map((i) => (
                        <option key={i.code} value={i.code}>
                          {lang === 'vi' ? i.name_vi : i.name_en}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('unitCode')}{' '}
                    <select name="unit_code" required>
                      <option value={province}>{t('wholeProvince')}</option>
                      {communes.map((c) => (
                        <option key={c.code} value={c.code} lang="vi">
                          {c.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('period')}{' '}
                    <select name="period" required>
                      {recentPeriods(indicators.get(indicator || [...indicators.keys()][0]!)?.frequency ?? 'monthly', khoDay(0)).map((p) => (
                        <option key={p} value={p}>
                          {fmt.period(p)}
                        </option>
                      ))}
                    </select>
                  </label>
                </>
              ) : (
                <label>
                  {t('dataset')}{' '}
                  <select name="dataset" required>
                    {[...datasets.values()].map((d) => (
                      <option key={d.id} value={d.id}>
                        {lang === 'vi' ? d.name : (d.name_en ?? d.name)}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
            <label className="block">
              {t('reportNote')} <textarea name="note" required minLength={5} maxLength={2000} rows={3} />
            </label>
            <button type="submit">{t('send')}</button>
            {sent && <p className="state" role="status">{t('reportSent')}</p>}
            {problem && <p className="state error" role="alert">{problem}</p>}
          </form>
        )}
      </Show>
    </section>
  )
}

/** The owner agency's (or a steward's) answer: say something, or close by an explanation or a corrected delivery. */
function AnswerForm({ report, onDone }: { report: ErrorReport; onDone: () => void }) {
  const { t } = useLang()
  const { problem, fail } = useProblem()
  const send = async (e: FormEvent<HTMLFormElement>, close?: 'explanation' | 'delivery') => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    try {
      await api(`/api/error-reports/${encodeURIComponent(report.id)}/answer`, { body: { answer: f.get('answer'), ...(close ? { close } : {}), ...(close === 'delivery' ? { load_id: f.get('load_id') } : {}) } })
      onDone()
    } catch (err) {
      fail(err)
    }
  }
  const [close, setClose] = useState<'' | 'explanation' | 'delivery'>('')
  return (
    <form onSubmit={(e) => void send(e, close || undefined)} aria-label={t('reportAnswer')}>
      <textarea name="answer" required minLength={5} maxLength={4000} rows={2} aria-label={t('reportAnswer')} />
      <div className="form-row">
        <select value={close} onChange={(e) => setClose(e.target.value as typeof close)} aria-label={t('status')}>
          <option value="">{t('reportKeepOpen')}</option>
          <option value="explanation">{t('reportCloseExplanation')}</option>
          <option value="delivery">{t('reportCloseDelivery')}</option>
        </select>
        {close === 'delivery' && <input name="load_id" required placeholder={t('loadId')} aria-label={t('loadId')} />}
        <button type="submit">{t('reportAnswer')}</button>
      </div>
      {problem && <p className="state error" role="alert">{problem}</p>}
    </form>
  )
}

/**
 * Error reports: report a suspected error on a value or a dataset; the owner agency's officers see
 * their agency's reports, answer and close them; stewards see every report with its age.
 */
export default function ErrorReports() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const names = useNames(lang)
  const indicators = useAsync(indicatorMap, [])
  const communes = useAsync(communeList, [])
  // A commune by its name; the province's own code (a value for the whole province) in words.
  const unit = (c: string) => (c.length === 2 ? t('wholeProvince') : communes.state === 'ready' ? (communes.data.find((x) => x.code === c)?.name ?? c) : c)
  const [state, setState] = useState<State>('open')
  const [version, setVersion] = useState(0)
  const reports = useAsync(() => api<{ reports: ErrorReport[] }>(`/api/error-reports?state=${state}`), [state, version])
  const reload = () => setVersion((v) => v + 1)
  const mayAnswer = (r: ErrorReport) => r.status !== 'closed' && (account?.role === 'steward' || account?.role === 'admin' || (account?.role === 'agency_officer' && account.agency === r.agency))
  const indicator = (c: string) => (indicators.state === 'ready' ? ((lang === 'vi' ? indicators.data.get(c)?.name_vi : indicators.data.get(c)?.name_en) ?? c) : c)
  return (
    <div>
      <div className="toolbar">
        <h1>{t('errorReports')}</h1>
        <StateFilter<State> label={t('status')} value={state} onChange={setState} states={[['open', t('alertsOpen')], ['closed', t('reportClosed')], ['all', t('alertsAll')]]} />
      </div>
      <ReportForm onSent={reload} />
      <section className="panel">
        <Show value={reports}>
          {(d) =>
            d.reports.length === 0 ? (
              <Empty>{t('reportsNone')}</Empty>
            ) : (
              <DataTable<ErrorReport>
                testId="error-reports"
                rows={d.reports}
                columns={[
                  { key: 'subject', header: t('reportAbout'), value: (r) => subject(r, { indicator, dataset: names.dataset, unit }, fmt.period) },
                  { key: 'note', header: t('reportNote'), as: 'name' },
                  { key: 'agency', header: t('agency'), value: (r) => names.agency(r.agency), as: 'name' },
                  { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status === 'closed' ? 'succeeded' : r.status === 'answered' ? 'warn' : 'missing'}`}>{fmt.status(`report.${r.status}`)}</span> },
                  { key: 'age_days', header: t('reportAge'), numeric: true },
                  { key: 'answer', header: t('reportAnswer'), cell: (r) => (mayAnswer(r) ? <AnswerForm report={r} onDone={reload} /> : <span translate="no">{r.answer}</span>) },
                ]}
              />
            )
          }
        </Show>
      </section>
    </div>
  )
}
