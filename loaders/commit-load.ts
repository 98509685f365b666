import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { LoadRefusal } from './load-refusal.ts'
import type { LoadReport, RejectedRow } from './load-report.ts'
import { reasonSql } from './rules-sql.ts'
import { rawTable } from '../infra/warehouse/raw-rows.ts'

/** How many rejected rows a report lists; all of them are in meta.rejects. */
export const REPORT_REJECTS = 200

export interface CommitInput {
  wh: Warehouse
  dataset: CatalogDataset
  report: LoadReport
}

const pct = (x: number, locale: string) => `${(x * 100).toLocaleString(locale, { maximumFractionDigits: 2 })}%`

/**
 * After write-raw.ts wrote the load's rows into raw.<dataset>: records the rejected rows with their
 * reasons in meta.rejects (they stay in raw, whole and marked, but no reader takes them) and refuses
 * the whole load when more than the dataset's threshold were rejected. Nothing is visible to
 * readers until the caller marks the load committed.
 */
export async function commitLoadedRows({ wh, dataset, report }: CommitInput): Promise<void> {
  const table = rawTable(dataset)
  const params = { load: report.loadId, dataset: dataset.id, agency: report.agency }
  const keys = dataset.natural_key.map((k) => `trimBoth(${quoteIdent(k)})`).join(', ')
  // One scan of the load's rows answers the counts and the repeated keys. Keys are counted by a
  // 64-bit hash, as uniqExact itself counts strings by a hash: twice as fast, and a collision among
  // a million keys has odds of about 1 in 40 million (it would report one repeat too many).
  const [counts] = await queryRows<{ total: number; rejected: number; repeated: number }>(
    wh.client,
    `SELECT count() AS total, countIf(notEmpty(_problems)) AS rejected,
       countIf(empty(_problems)) - uniqExactIf(cityHash64(${keys}), empty(_problems)) AS repeated
     FROM ${table} WHERE _load_id = {load:String}`,
    params,
  )
  const source = report.source
  report.rowsRead = Number(counts!.total)
  report.rowsRejected = Number(counts!.rejected)
  if (report.rowsRead === 0) throw new LoadRefusal('file.no_rows', `Tệp ${source} không có dòng dữ liệu`, `${source} has no data rows`)

  if (report.rowsRejected > 0) {
    await wh.client.command({
      query: `INSERT INTO meta.rejects (load_id, dataset, agency, row, column, value, code, reason_vi, reason_en)
        SELECT {load:String}, {dataset:String}, {agency:String}, _row, p.1, p.3, p.2,
          ${reasonSql(dataset, 'p.1', 'p.2', 'p.3', 'vi')}, ${reasonSql(dataset, 'p.1', 'p.2', 'p.3', 'en')}
        FROM ${table} ARRAY JOIN _problems AS p WHERE _load_id = {load:String}`,
      query_params: params,
    })
    report.rejects = await queryRows<RejectedRow>(
      wh.client,
      `SELECT row, column, value, code, reason_vi AS vi, reason_en AS en FROM meta.rejects
       WHERE load_id = {load:String} ORDER BY row, column LIMIT ${REPORT_REJECTS}`,
      params,
    )
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
  const repeated = Number(counts!.repeated)
  if (repeated > 0) {
    report.warnings.push({
      code: 'rows.duplicate_key',
      vi: `${repeated} dòng trùng khóa (${dataset.natural_key.join(', ')}) với dòng khác trong tệp; tầng chuẩn hóa giữ bản cập nhật mới nhất`,
      en: `${repeated} row(s) repeat the key (${dataset.natural_key.join(', ')}) of another row in the file; the standard layer keeps the latest version`,
    })
  }
  report.rowsLoaded = report.rowsRead - report.rowsRejected
}
