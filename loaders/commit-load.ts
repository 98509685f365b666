import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { LoadRefusal } from './load-refusal.ts'
import type { LoadReport, RejectedRow } from './load-report.ts'
import { reasonSql } from './rules-sql.ts'

/** How many rejected rows a report lists; all of them are in meta.rejects. */
export const REPORT_REJECTS = 200

export interface CommitInput {
  wh: Warehouse
  dataset: CatalogDataset
  report: LoadReport
  /** The checked stage table (stage.ts). */
  stage: string
  loadedAt: number
}

const pct = (x: number, locale: string) => `${(x * 100).toLocaleString(locale, { maximumFractionDigits: 2 })}%`

/**
 * From the checked stage: records rejected rows with their reasons in meta.rejects and, unless more
 * than the dataset's threshold were rejected, appends the good rows with provenance to raw.<dataset>.
 * Nothing is visible to readers until the caller marks the load committed.
 */
export async function commitStagedRows({ wh, dataset, report, stage, loadedAt }: CommitInput): Promise<void> {
  const [counts] = await queryRows<{ total: number; rejected: number }>(
    wh.client,
    `SELECT count() AS total, countIf(notEmpty(_problems)) AS rejected FROM ${stage}`,
  )
  report.rowsRead = Number(counts!.total)
  report.rowsRejected = Number(counts!.rejected)
  const source = report.source
  if (report.rowsRead === 0) throw new LoadRefusal('file.no_rows', `Tệp ${source} không có dòng dữ liệu`, `${source} has no data rows`)

  const cols = dataset.columns.map((c) => quoteIdent(c.id))
  const params = { load: report.loadId, dataset: dataset.id, agency: report.agency, source, sha: report.sha256, at: loadedAt }
  if (report.rowsRejected > 0) {
    const names = dataset.columns.map((c) => `'${c.id}'`).join(', ')
    await wh.client.command({
      query: `INSERT INTO meta.rejects (load_id, dataset, agency, row, column, value, code, reason_vi, reason_en)
        SELECT {load:String}, {dataset:String}, {agency:String}, _row, p.1, v, p.2,
          ${reasonSql(dataset, 'p.1', 'p.2', 'v', 'vi')}, ${reasonSql(dataset, 'p.1', 'p.2', 'v', 'en')}
        FROM (SELECT _row, p, trimBoth([${cols.join(', ')}][indexOf([${names}], p.1)]) AS v FROM ${stage} ARRAY JOIN _problems AS p)`,
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
  const keys = dataset.natural_key.map((k) => `trimBoth(${quoteIdent(k)})`).join(', ')
  const [dup] = await queryRows<{ n: number }>(wh.client, `SELECT count() - uniqExact(${keys}) AS n FROM ${stage} WHERE empty(_problems)`)
  if (Number(dup!.n) > 0) {
    report.warnings.push({
      code: 'rows.duplicate_key',
      vi: `${dup!.n} dòng trùng khóa (${dataset.natural_key.join(', ')}) với dòng khác trong tệp; tầng chuẩn hóa giữ bản cập nhật mới nhất`,
      en: `${dup!.n} row(s) repeat the key (${dataset.natural_key.join(', ')}) of another row in the file; the standard layer keeps the latest version`,
    })
  }
  await wh.client.command({
    query: `INSERT INTO raw.${quoteIdent(dataset.id)} (${cols.join(', ')}, _load_id, _agency, _source, _sha256, _row, _loaded_at)
      SELECT ${cols.join(', ')}, {load:String}, {agency:String}, {source:String}, {sha:String}, _row, fromUnixTimestamp64Milli({at:Int64})
      FROM ${stage} WHERE empty(_problems)`,
    query_params: params,
  })
  report.rowsLoaded = report.rowsRead - report.rowsRejected
}
