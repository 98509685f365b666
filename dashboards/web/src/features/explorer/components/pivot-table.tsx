import type { Query } from '@cubejs-client/core'
import { pivotLayout, pivotTotalQueries, type PivotSpec } from '../../../../../../infra/contracts/pivot.ts'
import { loadRows, type Row } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { TraceLink } from '../../../components/trace-panel.tsx'
import { useLang } from '../../../i18n.ts'

/**
 * The result as a pivot — the first dimension down, the time slots (or the second dimension) across,
 * the first measure in the cells — with row, column and grand totals asked of the semantic layer
 * (infra/contracts/pivot.ts), as the export prints it. A row's or a column's heading opens the question
 * narrowed to it.
 */
export function PivotTable({ rows, query, pivot, label, title, onDrill, onTrace }: { rows: Row[]; query: Query; pivot: PivotSpec; label: (member: string, value: unknown) => string; title: (member: string) => string; onDrill: (member: string, value: string) => void; onTrace: (row: Record<string, unknown>) => void }) {
  const { fmt, lang } = useLang()
  const measure = query.measures![0]!
  const totals = useAsync(async () => {
    const q = pivotTotalQueries(query as Parameters<typeof pivotTotalQueries>[0], pivot) as unknown as Record<'byRow' | 'byColumn' | 'grand', Query>
    const [byRow, byColumn, grand] = await Promise.all([loadRows(q.byRow), loadRows(q.byColumn), loadRows(q.grand)])
    return {
      row: new Map(byRow.map((r) => [String(r[pivot.rows] ?? ''), r[measure]])),
      column: new Map(byColumn.map((r) => [String(r[pivot.columns] ?? ''), r[measure]])),
      grand: grand[0]?.[measure] ?? null,
    }
  }, [JSON.stringify(query), pivot.rows, pivot.columns])
  const layout = pivotLayout(rows, pivot, measure)
  const total = lang === 'vi' ? 'Tổng' : 'Total'
  return (
    <Show value={totals}>
      {(t) => (
        <div className="table-scroll">
          <table className="pivot" data-testid="pivot">
            <caption>
              {title(measure)} — {title(pivot.rows)} × {title(pivot.columns)}
            </caption>
            <thead>
              <tr>
                <th scope="col">{title(pivot.rows)}</th>
                {layout.columnValues.map((c) => (
                  <th scope="col" key={c} className="num">
                    <button type="button" className="linkish" onClick={() => onDrill(pivot.columns, c)} title={lang === 'vi' ? 'Xem chi tiết' : 'Open this'}>
                      {label(pivot.columns, c)}
                    </button>
                  </th>
                ))}
                <th scope="col" className="num">
                  {total}
                </th>
              </tr>
            </thead>
            <tbody>
              {layout.rowValues.map((r) => (
                <tr key={r}>
                  <th scope="row">
                    <button type="button" className="linkish" onClick={() => onDrill(pivot.rows, r)} title={lang === 'vi' ? 'Xem chi tiết' : 'Open this'}>
                      {label(pivot.rows, r)}
                    </button>
                  </th>
                  {layout.columnValues.map((c) => (
                    <td key={c} className="num">
                      {fmt.number(layout.cell(r, c))}
                      {layout.cell(r, c) !== null && layout.cell(r, c) !== undefined && <TraceLink onClick={() => onTrace({ [pivot.rows]: r, [pivot.columns]: c })} testId="trace-pivot-cell" />}
                    </td>
                  ))}
                  <td className="num total">{fmt.number(t.row.get(r))}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{total}</th>
                {layout.columnValues.map((c) => (
                  <td key={c} className="num total">
                    {fmt.number(t.column.get(c))}
                  </td>
                ))}
                <td className="num total">{fmt.number(t.grand)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </Show>
  )
}
