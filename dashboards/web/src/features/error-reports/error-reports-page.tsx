import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { StateFilter } from '../../components/state-filter.tsx'
import { datasetMap, indicatorMap, useNames } from '../../catalog-data.ts'
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
function subject(r: ErrorReport, names: { indicator: (c: string) => string; dataset: (id: string) => string }, period: (p: string) => string): string {
  return r.kind === 'value' ? `${names.indicator(r.indicator_code)} · ${r.unit_code} · ${period(r.period)}` : names.dataset(r.dataset)
}

/** The form anyone signed in uses to report a value or a dataset they think wrong. */
function ReportForm({ onSent }: { onSent: () => void }) {
  const { t, lang } = useLang()
  const [kind, setKind] = useState<'value' | 'dataset'>('value')
  const [sent, setSent] = useState(false)
  const { problem, setProblem, fail } = useProblem()
  const choices = useAsync(() => Promise.all([indicatorMap(), datasetMap()]), [])
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
        {([indicators, datasets]) => (
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
                    <select name="indicator_code" required>
                      {[...indicators.values()].map((i) => (
                        <option key={i.code} value={i.code}>
                          {lang === 'vi' ? i.name_vi : i.name_en}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('unitCode')} <input name="unit_code" required maxLength={5} size={6} placeholder="07210" />
                  </label>
                  <label>
                    {t('period')} <input name="period" required maxLength={10} size={9} placeholder="2026-10" />
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
              <p className="state">{t('reportsNone')}</p>
            ) : (
              <DataTable<ErrorReport>
                testId="error-reports"
                rows={d.reports}
                columns={[
                  { key: 'subject', header: t('reportAbout'), value: (r) => subject(r, { indicator, dataset: names.dataset }, fmt.period) },
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
