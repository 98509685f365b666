import { download, loadRows } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import type { Names } from './request-table.tsx'
import { datasetTitle } from '../sharing-types.ts'
import { khoDay } from '../../../kho-clock.ts'

interface UsageRow {
  dataset: string
  consumer: string
  month: string
  queries: number
  rows: number
  users: number
  last: string
}

/** The usage view: who used which dataset, month by month over the last twelve months (an owner sees its own datasets). */
function usageQuery() {
  const now = new Date(`${khoDay()}T00:00:00Z`)
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)).toISOString().slice(0, 10)
  return {
    measures: ['usage.queries', 'usage.rows', 'usage.users', 'usage.last_access'],
    dimensions: ['usage.dataset', 'usage.consumer'],
    timeDimensions: [{ dimension: 'usage.accessed_at', granularity: 'month' as const, dateRange: [from, now.toISOString().slice(0, 10)] as [string, string] }],
    order: { 'usage.accessed_at': 'desc' as const, 'usage.queries': 'desc' as const },
    limit: 5000,
  }
}

export function UsagePanel({ names }: { names: Names }) {
  const { t, fmt, lang } = useLang()
  const consumer = (c: string) => (c === 'CAP_TINH' ? t('provincial') : c === 'CONG_CHUNG' ? t('public') : c.startsWith('sys:') ? `${t('system')} ${c.slice(4)}` : (names.agency.get(c) ?? c))
  const usage = useAsync(
    async () =>
      (await loadRows(usageQuery())).map(
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
        <button type="button" onClick={() => void download('/api/export', 'khai_thac.xlsx', { query: usageQuery(), format: 'xlsx' })}>
          {t('downloadXlsx')}
        </button>
      </div>
      <Show value={usage} empty={(d) => d.length === 0} say={t('noUsage')}>
        {(rows) => (
          <DataTable<UsageRow>
            testId="usage"
            rows={rows}
            columns={[
              { key: 'month', header: t('month'), cell: (r) => fmt.period(r.month) },
              { key: 'dataset', header: t('dataset'), value: (r) => datasetTitle(names.datasets.find((d) => d.id === r.dataset), lang, r.dataset) },
              { key: 'consumer', header: t('consumer'), value: (r) => consumer(r.consumer) },
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
