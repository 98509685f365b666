import { api, download } from '../../../api.ts'
import { useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import type { Report } from '../portal-types.ts'

/** The validation report of one upload: counts, warnings, refusal and every rejected row with its reason. */
export function UploadReport({ report }: { report: Report }) {
  const { t, fmt, lang } = useLang()
  const text = (m: { vi: string; en: string }) => (lang === 'vi' ? m.vi : m.en)
  // Each rejected cell's column by the label the template heads it with, not its code.
  const columns = useAsync(() => api<{ columns: { id: string; label: string }[] }>(`/api/catalog/datasets/${encodeURIComponent(report.dataset)}`), [report.dataset])
  const label = (id: string) => (columns.state === 'ready' ? (columns.data.columns.find((c) => c.id === id)?.label ?? id) : id)
  return (
    <div className="panel" data-testid="upload-report" data-status={report.status}>
      <h3>
        {t('report')}: {report.source} — <span className={`badge ${report.status}`}>{fmt.status(report.status)}</span>
      </h3>
      <p>
        {fmt.number(report.rowsRead, 0)} {t('rows')} · {fmt.number(report.rowsLoaded, 0)} ✓ · {fmt.number(report.rowsRejected, 0)} ✗
      </p>
      {report.refusal && <p className="state error">{text(report.refusal)}</p>}
      {report.warnings.map((w) => (
        <p key={w.code} className="muted">
          ⚠ {text(w)}
        </p>
      ))}
      {report.rejects.length > 0 && (
        <>
          <button type="button" onClick={() => void download(`/api/loads/${report.loadId}/rejects.xlsx`, 'dong-bi-tu-choi.xlsx')} data-testid="download-rejects">
            {t('downloadRejects')}
          </button>
          <DataTable
            testId="rejects"
            rows={report.rejects}
            columns={[
              { key: 'row', header: t('row'), numeric: true },
              { key: 'column', header: t('column'), value: (r) => label(r.column) },
              { key: 'value', header: t('value') },
              { key: 'reason', header: t('reason'), value: (r) => text(r) },
            ]}
          />
        </>
      )}
    </div>
  )
}
