import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent, sqlString } from '../infra/warehouse/sql.ts'
import { LoadRefusal } from './load-refusal.ts'
import type { LoadReport, RejectedRow } from './load-report.ts'
import { reasonSql } from './rules-sql.ts'
import { rawTable } from '../infra/warehouse/raw-rows.ts'

/** How many rejected rows a report lists; all of them are in meta.rejects. */
export const REPORT_REJECTS = 200

const pct = (x: number, locale: string) => `${(x * 100).toLocaleString(locale, { maximumFractionDigits: 2 })}%`

/** What one scan of a load's rows in raw says. */
export interface LoadCounts {
  total: number
  rejected: number
  /** Accepted rows repeating the natural key of another accepted row of the same load. */
  repeated: number
}

/**
 * After write-raw.ts wrote the loads' rows into raw.<dataset> (one agency's): counts each load's
 * rows, records the rejected rows with their reasons in meta.rejects (they stay in raw, whole and
 * marked, but no reader takes them) and returns each load's counts and first rejected rows. One
 * scan and one insert for any number of loads. Nothing is visible to readers until the caller marks
 * a load committed (after judgeLoad).
 */
export async function countLoads(wh: Warehouse, dataset: CatalogDataset, agency: string, loadIds: string[]): Promise<Map<string, LoadCounts & { rejects: RejectedRow[] }>> {
  const out = new Map<string, LoadCounts & { rejects: RejectedRow[] }>()
  if (loadIds.length === 0) return out
  const table = rawTable(dataset)
  const keys = dataset.natural_key.map((k) => `trimBoth(${quoteIdent(k)})`).join(', ')
  // Keys are counted by a 64-bit hash, as uniqExact itself counts strings by a hash: twice as fast,
  // and a collision among a million keys has odds of about 1 in 40 million (one repeat too many).
  // The count and the rejected rows' reasons are two scans of the same rows, run side by side (one
  // after the other they cost the load ~60 ms more, issue 43); a load without problems inserts
  // nothing. The values are written into the statements, quoted, because chDB runs statements with
  // bound parameters one at a time, process-wide.
  const loads = `(${loadIds.map(sqlString).join(', ')})`
  const [counts] = await Promise.all([
    queryRows<{ load: string; total: string; rejected: string; repeated: string }>(
      wh.client,
      `SELECT _load_id AS load, count() AS total, countIf(notEmpty(_problems)) AS rejected,
         countIf(empty(_problems)) - uniqExactIf(cityHash64(${keys}), empty(_problems)) AS repeated
       FROM ${table} WHERE _load_id IN ${loads} GROUP BY _load_id`,
    ),
    wh.client.command({
      query: `INSERT INTO meta.rejects (load_id, dataset, agency, row, column, value, code, reason_vi, reason_en)
        SELECT _load_id, ${sqlString(dataset.id)}, ${sqlString(agency)}, _row, p.1, p.3, p.2,
          ${reasonSql(dataset, 'p.1', 'p.2', 'p.3', 'vi')}, ${reasonSql(dataset, 'p.1', 'p.2', 'p.3', 'en')}
        FROM ${table} ARRAY JOIN _problems AS p WHERE _load_id IN ${loads} AND notEmpty(_problems)`,
    }),
  ])
  for (const id of loadIds) out.set(id, { total: 0, rejected: 0, repeated: 0, rejects: [] })
  for (const c of counts) out.set(c.load, { total: Number(c.total), rejected: Number(c.rejected), repeated: Number(c.repeated), rejects: [] })
  const withRejects = [...out].filter(([, c]) => c.rejected > 0).map(([id]) => id)
  if (withRejects.length > 0) {
    const rejects = await queryRows<RejectedRow & { load_id: string }>(
      wh.client,
      `SELECT load_id, row, column, value, code, reason_vi AS vi, reason_en AS en FROM meta.rejects
       WHERE load_id IN {loads:Array(String)} ORDER BY load_id, row, column LIMIT ${REPORT_REJECTS} BY load_id`,
      { loads: withRejects },
    )
    for (const { load_id, ...r } of rejects) out.get(load_id)!.rejects.push(r)
  }
  return out
}

/**
 * Whether a load whose rows are written may commit: fills the report's counts, rejected rows and
 * warnings, and throws the refusal when the file has no rows or more rejected rows than the
 * dataset's threshold allows.
 */
export function judgeLoad(dataset: CatalogDataset, report: LoadReport, counts: LoadCounts & { rejects: RejectedRow[] }): void {
  const source = report.source
  report.rowsRead = counts.total
  report.rowsRejected = counts.rejected
  if (report.rowsRead === 0) throw new LoadRefusal('file.no_rows', `Tệp ${source} không có dòng dữ liệu`, `${source} has no data rows`)
  if (report.rowsRejected > 0) {
    report.rejects = counts.rejects
    report.warnings.push({
      code: 'rows.rejected',
      vi: `${report.rowsRejected} dòng bị từ chối (xem lý do từng dòng)`,
      en: `${report.rowsRejected} row(s) rejected (see each row's reason)`,
    })
  }
  const share = report.rowsRejected / report.rowsRead
  if (share > dataset.reject_threshold) {
    throw new LoadRefusal(
      'threshold',
      `Từ chối cả tệp ${source}: ${report.rowsRejected}/${report.rowsRead} dòng (${pct(share, 'vi-VN')}) sai quy định, vượt ngưỡng ${pct(dataset.reject_threshold, 'vi-VN')} của bộ dữ liệu. Sửa các dòng bị từ chối rồi gửi lại`,
      `Refused all of ${source}: ${report.rowsRejected}/${report.rowsRead} rows (${pct(share, 'en')}) break the contract, above the dataset's ${pct(dataset.reject_threshold, 'en')} threshold. Fix the rejected rows and deliver again`,
    )
  }
  if (counts.repeated > 0) {
    report.warnings.push({
      code: 'rows.duplicate_key',
      vi: `${counts.repeated} dòng trùng khóa (${dataset.natural_key.join(', ')}) với dòng khác trong tệp; tầng chuẩn hóa giữ bản cập nhật mới nhất`,
      en: `${counts.repeated} row(s) repeat the key (${dataset.natural_key.join(', ')}) of another row in the file; the standard layer keeps the latest version`,
    })
  }
  report.rowsLoaded = report.rowsRead - report.rowsRejected
}
