import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { tableWorkbook, type TableSheet } from '../infra/files/table-workbook.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { rawTable } from '../infra/warehouse/raw-rows.ts'

export type RejectRow = {
  row: number
  column: string
  value: string
  reason_vi: string
  reason_en: string
}

/**
 * The rejected rows of a load as a workbook: each problem with its reason, and a sheet of the
 * rejected rows whole, as delivered, under the template's headers — the agency fixes the cells the
 * reasons name and delivers that sheet again as it is (the reasons column is ignored on the way in).
 */
export async function rejectsWorkbook(
  wh: Warehouse,
  dataset: CatalogDataset | undefined,
  load: { id: string; source: string; agency: string; agencyName: string },
  rejects: RejectRow[],
  /** How each delivered row may be shown (personal values masked for those without the right). */
  showRow: (row: Record<string, string | number>) => Record<string, string | number> = (r) => r,
): Promise<Buffer> {
  const sheets: TableSheet[] = [
    {
      name: 'Dong bi tu choi',
      title: `Các dòng bị từ chối — ${load.source} (${dataset?.name ?? ''}, ${load.agencyName})`,
      columns: [
        { key: 'row', header: 'Dòng', width: 8 },
        { key: 'column', header: 'Cột', width: 24 },
        { key: 'value', header: 'Giá trị', width: 24 },
        { key: 'reason_vi', header: 'Lý do', width: 70 },
        { key: 'reason_en', header: 'Reason', width: 60 },
      ],
      // Each column by the label the agency's template heads it with, not its code.
      rows: rejects.map((r) => ({ ...r, column: dataset?.columns.find((c) => c.id === r.column)?.label ?? r.column })),
    },
  ]
  // Rejected rows are kept in raw whole (write-raw.ts); loads from before that have only meta.rejects.
  const whole = dataset
    ? await queryRows<Record<string, string | number>>(
        wh.client,
        `SELECT _row, ${dataset.columns.map((c) => quoteIdent(c.id)).join(', ')} FROM ${rawTable(dataset)}
         WHERE _load_id = {id:String} AND notEmpty(_problems) ORDER BY _row`,
        { id: load.id },
      )
    : []
  if (dataset && whole.length > 0) {
    const reasons = new Map<number, string[]>()
    for (const r of rejects) reasons.set(Number(r.row), [...(reasons.get(Number(r.row)) ?? []), r.reason_vi])
    // First: a re-delivered workbook is read from its first sheet whose header matches the template.
    sheets.unshift({
      name: 'Sua va gui lai',
      title: `Sửa các ô theo lý do ở cột cuối rồi gửi lại trang này — ${load.source}`,
      columns: [
        ...dataset.columns.map((c) => ({ key: c.id, header: c.label })),
        { key: '_row', header: 'Dòng trong tệp gốc', width: 10 },
        { key: '_reasons', header: 'Lý do bị từ chối', width: 70 },
      ],
      rows: whole.map((r) => ({ ...showRow(r), _reasons: (reasons.get(Number(r._row)) ?? []).join('; ') })),
    })
  }
  return tableWorkbook(sheets)
}
