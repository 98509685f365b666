import { loadRows, n, type Row } from '../../../api.ts'
import { indicatorName, useNames } from '../../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { communeValues } from '../ioc-queries.ts'
import { Link } from '../../../router.tsx'
import { TracePanel } from '../../../components/trace-panel.tsx'
import { useState } from 'react'

/** The indicator's latest periods of the tile's kind: value, plan, the same period last year. */
function loadRecent(code: string, period: string): Promise<Row[]> {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period)
  const kind = quarter ? 'quarter' : /^\d{4}$/.test(period) ? 'year' : 'month'
  // The period's first day: the periods up to it (a period code does not compare as a date).
  const start = quarter ? `${quarter[1]}-${String(Number(quarter[2]) * 3 - 2).padStart(2, '0')}-01` : kind === 'year' ? `${period}-01-01` : `${period}-01`
  return loadRows({
    measures: ['kt_xh.value', 'kt_xh.plan', 'kt_xh.plan_pct', 'kt_xh.prior_year'],
    dimensions: ['kt_xh.period'],
    filters: [
      { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
      { member: 'kt_xh.period_kind', operator: 'equals', values: [kind] },
      { member: 'kt_xh.period_start', operator: 'beforeOrOnDate', values: [start] },
    ],
    order: [['kt_xh.period', 'desc']],
    limit: 6,
  })
}

/**
 * Drill-down, where the click was (under the tile's row, or under the map): the indicator's recent
 * periods with plan and the same period last year (a tile's), its communes, and the submissions its
 * number was built from — who reported it and when.
 */
export function Drill({ code, period, ind, commune, onClose }: { code: string; period: string; ind: IndicatorAnswer | undefined; commune: { code: string; name: string } | null; onClose: () => void }) {
  const { t, fmt, lang } = useLang()
  const [tracing, setTracing] = useState(false)
  // The tile's (or the commune's) number, as the overview asks it, traced to its deliveries.
  const traced = {
    query: {
      measures: ['kt_xh.value'],
      dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
      filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, ...(commune ? [{ member: 'kt_xh.unit_code', operator: 'equals', values: [commune.code] }] : [])],
    },
    row: { 'kt_xh.indicator_code': code, 'kt_xh.period': period },
  }
  const names = useNames(lang)
  const byCommune = useAsync(() => (ind?.level === 'commune' ? communeValues(code, period, true, commune?.code) : Promise.resolve([])), [code, period, commune?.code],
  )
  const recent = useAsync(() => (commune ? Promise.resolve([]) : loadRecent(code, period)), [code, period, commune?.code])
  const submissions = useAsync(
    () =>
      loadRows({
        dimensions: ['submissions.agency', 'submissions.indicator_code', 'submissions.period', 'submissions.status', 'submissions.due_on', 'submissions.received_at'],
        filters: [
          { member: 'submissions.indicator_code', operator: 'equals', values: [code] },
          { member: 'submissions.period', operator: 'equals', values: [period] },
        ],
      }),
    [code, period],
  )
  return (
    <section className="panel drill" aria-label={t('drill')} data-testid="drill">
      <h2>
        {t('drill')}: {indicatorName(ind, lang, code)} — {fmt.period(period)}
        {commune && (
          <>
            {' — '}
            <span lang="vi">{commune.name}</span>
          </>
        )}
        {commune && (
          <Link href={`/commune?code=${commune.code}`} className="button" data-testid="open-profile">
            {t('openProfile')}
          </Link>
        )}
        <button type="button" onClick={() => setTracing(!tracing)} aria-pressed={tracing} data-testid="trace-tile">
          {t('traceOpen')}
        </button>
        <button type="button" onClick={onClose} className="close">
          {t('close')}
        </button>
      </h2>
      {tracing && <TracePanel ask={traced} onClose={() => setTracing(false)} />}
      {!commune && (
        <Show value={recent} empty={(d) => d.length === 0} say={t('emptyDrillRecent')}>
          {(rows) => (
            <DataTable<Row>
              testId="drill-recent"
              caption={t('recentPeriods')}
              rows={rows}
              columns={[
                { key: 'kt_xh.period', header: t('period'), cell: (r) => fmt.period(String(r['kt_xh.period'])) },
                { key: 'kt_xh.value', header: `${t('value')} (${fmt.unit(ind?.unit)})`, numeric: true },
                { key: 'kt_xh.plan', header: t('plan'), numeric: true },
                { key: 'kt_xh.plan_pct', header: t('planPct'), numeric: true, cell: (r) => fmt.pct(n(r['kt_xh.plan_pct'])) },
                { key: 'kt_xh.prior_year', header: t('priorYear'), numeric: true },
              ]}
            />
          )}
        </Show>
      )}
      {ind?.level === 'commune' && (
        <Show value={byCommune} empty={(d) => d.length === 0} say={t('emptyDrillCommunes')}>
          {(rows) => (
            <DataTable<Row>
              caption={t('byCommune')}
              rows={rows}
              pageSize={10}
              columns={[
                { key: 'kt_xh.admin_units_name', header: t('byCommune') },
                { key: 'kt_xh.value', header: `${t('value')} (${fmt.unit(ind.unit)})`, numeric: true },
              ]}
            />
          )}
        </Show>
      )}
      <h3>{t('submissionsBehind')}</h3>
      <Show value={submissions} empty={(d) => d.length === 0} say={t('emptyDrillSubmissions')}>
        {(rows) => (
          <DataTable<Row>
            testId="drill-submissions"
            rows={rows}
            columns={[
              { key: 'submissions.agency', header: t('agency'), value: (r) => names.agency(String(r['submissions.agency'] ?? '')), as: 'name' },
              { key: 'submissions.status', header: t('status'), cell: (r) => <span className={`badge ${r['submissions.status']}`}>{fmt.status(r['submissions.status'])}</span> },
              { key: 'submissions.due_on', header: t('dueOn'), cell: (r) => fmt.day(r['submissions.due_on']) },
              { key: 'submissions.received_at', header: t('receivedAt'), cell: (r) => fmt.date(r['submissions.received_at']) },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
