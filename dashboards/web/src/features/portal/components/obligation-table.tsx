import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import type { Obligation } from '../portal-types.ts'

export function ObligationTable({ rows, testId }: { rows: Obligation[]; testId: string }) {
  const { t, fmt } = useLang()
  return (
    <DataTable<Obligation>
      testId={testId}
      rows={rows}
      pageSize={15}
      columns={[
        { key: 'agency_name', header: t('agency') },
        { key: 'subject', header: `${t('indicators')} / ${t('dataset')}`, value: (r) => (r.indicator_code ? `${r.indicator_code} — ${r.indicator_name}` : r.dataset_name || r.dataset) },
        { key: 'period', header: t('period'), cell: (r) => fmt.period(r.period) },
        { key: 'due_on', header: t('dueOn'), cell: (r) => fmt.date(r.due_on) },
        { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status}`}>{fmt.status(r.status)}</span> },
      ]}
    />
  )
}
