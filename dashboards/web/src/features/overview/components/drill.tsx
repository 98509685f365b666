import { loadRows, type Row } from '../../../api.ts'
import { indicatorName, useNames } from '../../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { communeValues } from '../ioc-queries.ts'
import { Link } from '../../../router.tsx'

/** Drill-down: one indicator by commune and the submissions its number was built from. */
export function Drill({ code, period, ind, commune, onClose }: { code: string; period: string; ind: IndicatorAnswer | undefined; commune: { code: string; name: string } | null; onClose: () => void }) {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const byCommune = useAsync(() => (ind?.level === 'commune' ? communeValues(code, period, true, commune?.code) : Promise.resolve([])), [code, period, commune?.code],
  )
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
        {commune ? ` — ${commune.name}` : ''}
        {commune && (
          <Link href={`/commune?code=${commune.code}`} className="button" data-testid="open-profile">
            {t('openProfile')}
          </Link>
        )}
        <button type="button" onClick={onClose} className="close">
          {t('close')}
        </button>
      </h2>
      {ind?.level === 'commune' && (
        <Show value={byCommune} empty={(d) => d.length === 0}>
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
      <Show value={submissions} empty={(d) => d.length === 0}>
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
