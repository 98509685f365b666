import { download, loadRows } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'

interface UsageRow {
  dataset: string
  consumer: string
  month: string
  queries: number
  rows: number
  users: number
  last: string
}

/** The usage view: who used which dataset, month by month (an owner sees its own datasets). */
export const usageQuery = {
  measures: ['usage.queries', 'usage.rows', 'usage.users', 'usage.last_access'],
  dimensions: ['usage.dataset', 'usage.consumer'],
  timeDimensions: [{ dimension: 'usage.accessed_at', granularity: 'month' as const, dateRange: 'last 12 months' }],
  order: { 'usage.accessed_at': 'desc' as const, 'usage.queries': 'desc' as const },
  limit: 5000,
}

export function UsagePanel() {
  const { t, fmt } = useLang()
  const usage = useAsync(
    async () =>
      (await loadRows(usageQuery)).map(
        (r): UsageRow => ({
          dataset: String(r['usage.dataset']),
          consumer: String(r['usage.consumer']),
          month: String(r['usage.accessed_at.month'] ?? '').slice(0, 7),
          queries: Number(r['usage.queries']),
          rows: Number(r['usage.rows']),
          users: Number(r['usage.users']),
          last: String(r['usage.last_access'] ?? ''),
        }),
      ),
    [],
  )
  return (
    <section className="panel" aria-labelledby="usage-title">
      <div className="toolbar">
        <h2 id="usage-title">{t('usage')}</h2>
        <button type="button" onClick={() => void download('/api/export', 'khai_thac.xlsx', { query: usageQuery, format: 'xlsx' })}>
          {t('downloadXlsx')}
        </button>
      </div>
      <Show value={usage} empty={(d) => d.length === 0}>
        {(rows) => (
          <DataTable<UsageRow>
            testId="usage"
            rows={rows}
            columns={[
              { key: 'month', header: t('month'), cell: (r) => fmt.period(r.month) },
              { key: 'dataset', header: t('dataset') },
              { key: 'consumer', header: t('consumer') },
              { key: 'queries', header: t('queries'), numeric: true },
              { key: 'rows', header: t('rows'), numeric: true },
              { key: 'users', header: t('users'), numeric: true },
              { key: 'last', header: t('lastAccess'), cell: (r) => fmt.date(r.last) },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
