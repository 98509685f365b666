import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { useAsync } from '../../../components/async.tsx'
import { indicatorMap, indicatorName, useNames } from '../../../catalog-data.ts'
import type { Obligation } from '../portal-types.ts'

export function ObligationTable({ rows, testId }: { rows: Obligation[]; testId: string }) {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const indicators = useAsync(() => indicatorMap(), [])
  const subject = (r: Obligation) => {
    if (!r.indicator_code) return names.dataset(r.dataset)
    const ind = indicators.state === 'ready' ? indicators.data.get(r.indicator_code) : undefined
    return `${ind ? indicatorName(ind, lang) : r.indicator_name} (${r.indicator_code})`
  }
  return (
    <DataTable<Obligation>
      testId={testId}
      rows={rows}
      pageSize={15}
      columns={[
        { key: 'agency_name', header: t('agency'), as: 'name' },
        { key: 'subject', header: `${t('indicators')} / ${t('dataset')}`, value: subject },
        { key: 'period', header: t('period'), cell: (r) => fmt.period(r.period) },
        { key: 'due_on', header: t('dueOn'), cell: (r) => fmt.day(r.due_on) },
        { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status}`}>{fmt.status(r.status)}</span> },
      ]}
    />
  )
}
