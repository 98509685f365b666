import ExcelJS from 'exceljs'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { indicatorDecimals } from '../../infra/catalog/indicator-decimals.ts'
import { decimalFormat } from '../../infra/files/print-layout.ts'
import { communesOf } from '../../infra/identifiers/admin-units.ts'
import { fromWarehouseTime, warehouseTime } from '../../infra/warehouse/sql.ts'
import type { SecurityContext } from '../../infra/access/caller.ts'
import { runQuery, type QueryContext } from '../../semantic/api/cube-api.ts'
import { validateQuery } from '../../semantic/cube/cube-query.ts'
import { errorReportCounts } from '../../semantic/quality/error-reports.ts'
import type { IocConfig } from '../ioc-config.ts'
import { statusOf, type Status } from '../../infra/contracts/indicator-status.ts'
import type { Briefing, BriefingSheet } from './briefing-definition.ts'
import type { BriefingPeriod } from './briefing-period.ts'
import { communeQuery, deliveriesQuery, kpiQuery, qualityQuery, sharingQuery, sourcesQuery, submissionQuery, usageQuery } from './briefing-queries.ts'
import { proposalCounts } from '../../infra/catalog/catalog-entries.ts'
import { METHOD_WORDS, type SharingMethod } from '../../infra/contracts/sharing.ts'
import { listAccounts } from '../../infra/access/accounts.ts'
import { deliveredByText } from '../../infra/contracts/delivered-by.ts'
import { LOAD_STATUS_WORDS } from '../../infra/contracts/delivery.ts'
import { deliveryRecords } from '../../semantic/trace/trace.ts'
import { writeSheet, type Column, type Row, type SheetSpec } from './briefing-sheet.ts'
import * as clock from '../../infra/time/clock.ts'
import { vietnamDayAndTime } from '../../infra/time/periods.ts'
import { sourceFreshness } from '../../transforms/runner/freshness.ts'

/** The dataset the KT-XH indicator reports arrive in. */
const INDICATOR_DATASET = 'chi_tieu_kt_xh'

export interface BriefingDeps {
  /** The semantic layer as /load runs it: a workbook's numbers are the API's numbers. */
  cube: QueryContext
  catalog: Catalog
  ioc: IocConfig
}

const STATUS_TEXT: Record<Status, string> = { good: 'Đạt', warn: 'Gần đạt', bad: 'Chưa đạt', none: '—' }
const PCT = '0.0'
/** Indicators on one commune sheet: more would shrink the printed page below a readable size. */
const COMMUNE_COLUMNS = 7
const INT = '#,##0'

const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))

/** An indicator's own decimals: counts print whole, rates and amounts with theirs. */
const indicatorFormat = (r: Row) => decimalFormat(Number(r.decimals ?? 1))

const kpiColumns: Column[] = [
  { key: 'name', header: 'Chỉ tiêu', width: 46 },
  { key: 'unit', header: 'Đơn vị tính', width: 15 },
  { key: 'value', header: 'Kỳ báo cáo', group: 'Thực hiện', numFmt: indicatorFormat, width: 14 },
  { key: 'prior_year', header: 'Cùng kỳ năm trước', group: 'Thực hiện', numFmt: indicatorFormat, width: 14 },
  { key: 'growth_pct', header: 'So cùng kỳ (%)', group: 'Thực hiện', numFmt: PCT, width: 11 },
  { key: 'ytd', header: 'Lũy kế từ đầu năm', numFmt: indicatorFormat, width: 15 },
  { key: 'plan', header: 'Kế hoạch', group: 'Kế hoạch', numFmt: indicatorFormat, width: 14 },
  { key: 'plan_pct', header: '% kế hoạch', group: 'Kế hoạch', numFmt: PCT, width: 11 },
  { key: 'status', header: 'Đánh giá', width: 12 },
]

export interface BuiltBriefing {
  buffer: Buffer
  sheets: string[]
}

/**
 * Builds one briefing for one period as an .xlsx, every number through the semantic layer as the
 * audience. With `agency`, the agency sheets (submissions, quality, usage) are that agency's alone.
 */

/** A period's days in Vietnam as warehouse times: from its first midnight up to the midnight after its last day. */
function warehouseBounds(period: { start: string; end: string }): { from: string; to: string } {
  return {
    from: warehouseTime(new Date(`${period.start}T00:00:00+07:00`)),
    to: warehouseTime(new Date(Date.parse(`${period.end}T00:00:00+07:00`) + 86_400_000)),
  }
}
export async function buildBriefing(deps: BriefingDeps, briefing: Briefing, period: BriefingPeriod, now = clock.now(), agency?: string): Promise<BuiltBriefing> {
  const { catalog } = deps
  const sec: SecurityContext = { account: `briefing:${briefing.id}`, role: briefing.audience.role, agency: briefing.audience.agency, communeCode: '', personalData: false, purpose: `briefing ${briefing.id}` }
  const ask = async (query: Record<string, unknown>): Promise<Row[]> => (await runQuery(deps.cube, validateQuery(deps.cube.model, query), sec)).data
  // The indicator reports' freshness as the catalogue's freshness page has it (the last committed delivery).
  const lastReport = (await sourceFreshness(deps.cube.wh, catalog, now)).find((d) => d.dataset === INDICATOR_DATASET)?.lastLoadedAt
  const generated = now.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
  const freshness = `Số liệu tổng hợp từ Kho dữ liệu số tỉnh lúc ${generated}; báo cáo chỉ tiêu nhận gần nhất lúc ${lastReport ? vietnamDayAndTime(new Date(lastReport)) : '—'}.`
  const agencyName = (code: string) => catalog.agency(code)?.name ?? code
  const consumerName = (code: string) =>
    code === 'CAP_TINH' ? 'Lãnh đạo, chuyên viên cấp tỉnh' : code === 'CONG_CHUNG' ? 'Công chúng (dữ liệu mở)' : code.startsWith('sys:') ? `Hệ thống ${code.slice(4)}` : agencyName(code)
  const sources = (codes: string[]) => `Nguồn: ${[...new Set(codes.map((c) => agencyName(catalog.indicator(c)?.owner ?? '')))].join('; ')}.`
  const pick = (list: 'headline' | 'all' | string[]) => (list === 'headline' ? deps.ioc.headline : list === 'all' ? catalog.indicators.map((i) => i.code) : list)

  // One query answers every KPI-style sheet (summary and sectors).
  const kpiCodes = new Set<string>()
  for (const s of briefing.sheets) {
    if (s.kind === 'kpi_summary') pick(s.indicators).forEach((c) => kpiCodes.add(c))
    if (s.kind === 'sectors') catalog.indicators.forEach((i) => kpiCodes.add(i.code))
  }
  const kpi = new Map<string, Row>()
  if (kpiCodes.size > 0) for (const r of await ask(kpiQuery([...kpiCodes], period))) kpi.set(String(r['kt_xh.indicator_code']), r)
  const kpiRows = (codes: string[]) =>
    codes.map((code) => {
      const ind = catalog.indicator(code)!
      const r = kpi.get(code) ?? {}
      const planPct = num(r['kt_xh.plan_pct'])
      const growth = num(r['kt_xh.growth_pct'])
      return {
        code,
        name: ind.name_vi,
        unit: ind.unit,
        decimals: indicatorDecimals(ind),
        value: num(r['kt_xh.value']),
        prior_year: num(r['kt_xh.prior_year']),
        growth_pct: growth,
        ytd: num(r['kt_xh.ytd']),
        plan: num(r['kt_xh.plan']),
        plan_pct: planPct,
        status: STATUS_TEXT[statusOf(ind, num(r['kt_xh.ytd_plan_pct']) ?? planPct, growth, deps.ioc.status)],
      }
    })

  /** Each indicator with a figure in the period: who delivered it, in which file, when (the latest delivery first). */
  const sourcesSheet = async (codes: string[]): Promise<SheetSpec> => {
    const byDelivery = await ask(sourcesQuery(codes, period))
    const loads = new Map((await deliveryRecords(deps.cube.wh, [...new Set(byDelivery.map((r) => String(r['kt_xh.load_id'])))])).map((l) => [l.load_id, l]))
    const rows = codes.flatMap((code) => {
      const delivered = byDelivery
        .filter((r) => r['kt_xh.indicator_code'] === code)
        .map((r) => ({ load: loads.get(String(r['kt_xh.load_id'])), reports: Number(r['kt_xh.reports']) }))
        .filter((d) => d.load)
        .sort((a, b) => b.load!.delivered_at.localeCompare(a.load!.delivered_at))
      if (delivered.length === 0) return []
      const latest = delivered[0]!.load!
      const files = [...new Set(delivered.map((d) => d.load!.source))]
      return [
        {
          name: catalog.indicator(code)!.name_vi,
          agency: [...new Set(delivered.map((d) => agencyName(d.load!.agency)))].join('; '),
          file: files.length <= 2 ? files.join('; ') : `${files.slice(0, 2).join('; ')} và ${files.length - 2} tệp khác`,
          delivered_at: vietnamDayAndTime(fromWarehouseTime(latest.delivered_at)),
          deliveries: delivered.length,
          reports: delivered.reduce((n, d) => n + d.reports, 0),
        },
      ]
    })
    return {
      name: 'Nguon so lieu',
      subtitle: 'Nguồn số liệu: cơ quan gửi, tệp và thời điểm nhận của từng chỉ tiêu trong kỳ',
      columns: [
        { key: 'name', header: 'Chỉ tiêu', width: 46 },
        { key: 'agency', header: 'Cơ quan gửi', width: 30 },
        { key: 'file', header: 'Tệp đã nộp (mới nhất trước)', width: 34 },
        { key: 'delivered_at', header: 'Nhận lần gần nhất', width: 17 },
        { key: 'deliveries', header: 'Số lần nộp', numFmt: INT, width: 10 },
        { key: 'reports', header: 'Số dòng báo cáo', numFmt: INT, width: 11 },
      ],
      rows,
      footnotes: ['Mỗi số liệu trên các trang trước được tính từ các dòng báo cáo của những lần nộp này; trên Kho dữ liệu, "Nguồn số liệu" ở từng ô cho biết tệp và dòng cụ thể.', freshness],
      whyEmpty: 'chưa chỉ tiêu nào có số liệu trong kỳ.',
    }
  }

  /** Who delivered what in the period: each agency's deliveries by dataset, sender and outcome. */
  const deliveriesSheet = async (): Promise<SheetSpec> => {
    const names = new Map((await listAccounts(deps.cube.wh)).map((a) => [a.username, a.display_name]))
    const rows = (await ask(deliveriesQuery(period, agency))).map((r) => ({
      agency: agencyName(String(r['data_quality.agency'])),
      dataset: catalog.dataset(String(r['data_quality.dataset']))?.name ?? String(r['data_quality.dataset']),
      sender: deliveredByText(r['data_quality.delivered_by'], 'vi', (u) => names.get(u)),
      outcome: LOAD_STATUS_WORDS[String(r['data_quality.status'])]?.[0] ?? String(r['data_quality.status']),
      deliveries: num(r['data_quality.deliveries']),
      rows_read: num(r['data_quality.rows_read']),
      rows_rejected: num(r['data_quality.rows_rejected']),
      last: r['data_quality.last_delivered_at'] ? vietnamDayAndTime(fromWarehouseTime(String(r['data_quality.last_delivered_at']))) : null,
    }))
    return {
      name: 'Lan gui du lieu',
      subtitle: 'Các lần gửi dữ liệu trong kỳ: cơ quan, bộ dữ liệu, người gửi và kết quả',
      columns: [
        { key: 'agency', header: 'Cơ quan', width: 30 },
        { key: 'dataset', header: 'Bộ dữ liệu', width: 30 },
        { key: 'sender', header: 'Người gửi', width: 30 },
        { key: 'outcome', header: 'Kết quả', width: 14 },
        { key: 'deliveries', header: 'Số lần gửi', numFmt: INT, width: 10 },
        { key: 'rows_read', header: 'Số dòng đã đọc', numFmt: INT, width: 13 },
        { key: 'rows_rejected', header: 'Số dòng bị từ chối', numFmt: INT, width: 13 },
        { key: 'last', header: 'Lần gửi gần nhất', width: 17 },
      ],
      rows,
      footnotes: ['Người gửi: tài khoản trên Kho dữ liệu, khóa API của hệ thống gửi, nguồn Kho kéo theo lịch, thư mục nhận tệp hoặc người dùng dòng lệnh trên máy chủ; mỗi lần gửi được ghi vào nhật ký chia sẻ.', freshness],
      whyEmpty: 'không có lần gửi dữ liệu nào trong kỳ.',
    }
  }

  const wb = new ExcelJS.Workbook()
  wb.creator = 'kho'
  wb.created = now
  const head = { province: catalog.province.name, heading: agency ? `${briefing.heading} — ${agencyName(agency).toUpperCase()}` : briefing.heading, period }
  const kpiEmpty = 'không có số liệu — chỉ tiêu chưa được báo cáo cho kỳ này (hoặc được báo cáo theo kỳ dài hơn, như chỉ tiêu năm), không có số cùng kỳ năm trước để so sánh, hoặc không được giao kế hoạch.'
  const note = 'Đánh giá: "Đạt" khi lũy kế (hoặc kỳ báo cáo) đạt từ 100% kế hoạch; "Gần đạt" từ 90%; chỉ tiêu không có kế hoạch được đánh giá theo mức tăng so với cùng kỳ, theo chiều tốt của chỉ tiêu.'
  const sheetsOf = async (s: BriefingSheet): Promise<SheetSpec[]> => {
    switch (s.kind) {
      case 'kpi_summary': {
        const codes = pick(s.indicators)
        return [{ name: 'Tong hop', subtitle: s.title, columns: kpiColumns, rows: kpiRows(codes), statusKey: 'status', footnotes: [sources(codes), note, freshness], whyEmpty: kpiEmpty }]
      }
      case 'sectors':
        return catalog.sectors.map((sector) => {
          const codes = catalog.indicators.filter((i) => i.sector === sector.code).map((i) => i.code)
          return { name: sector.name_vi, subtitle: `Lĩnh vực: ${sector.name_vi}`, columns: kpiColumns, rows: kpiRows(codes), statusKey: 'status', footnotes: [sources(codes), note, freshness], whyEmpty: kpiEmpty }
        })
      case 'communes': {
        // Only indicators communes report have commune figures; a province-wide one would be a column of "—".
        const codes = pick(s.indicators).filter((c) => catalog.indicator(c)?.level === 'commune')
        const values = new Map<string, Row>()
        for (const r of codes.length > 0 ? await ask(communeQuery(codes, period)) : []) {
          const unit = String(r['kt_xh.unit_code'])
          const row = values.get(unit) ?? {}
          row[String(r['kt_xh.indicator_code'])] = num(r['kt_xh.value'])
          values.set(unit, row)
        }
        const communes = communesOf(catalog.province.code)
        // A few indicators a sheet, so that a page holds them at a readable size.
        const chunks: string[][] = []
        for (let i = 0; i < codes.length; i += COMMUNE_COLUMNS) chunks.push(codes.slice(i, i + COMMUNE_COLUMNS))
        return chunks.map((chunk, i) => ({
          name: i === 0 ? 'Theo xa phuong' : `Theo xa phuong (${i + 1})`,
          subtitle: chunks.length > 1 ? `${s.title} (${i + 1}/${chunks.length})` : s.title,
          columns: [
            { key: 'code', header: 'Mã xã', width: 9 },
            { key: 'name', header: 'Xã, phường', width: 24 },
            ...chunk.map((c) => {
              const ind = catalog.indicator(c)!
              return { key: c, header: `${ind.name_vi} (${ind.unit})`, numFmt: decimalFormat(indicatorDecimals(ind)), width: 16 }
            }),
          ],
          rows: communes.map((c) => ({ code: c.code, name: c.name, ...values.get(c.code) })),
          footnotes: [sources(chunk), freshness],
          whyEmpty: 'xã, phường chưa báo cáo chỉ tiêu trong kỳ (hoặc chỉ tiêu chưa có số liệu của kỳ).',
        }))
      }
      case 'submissions': {
        const rows = (await ask(submissionQuery(period, agency))).map((r) => ({
          agency: agencyName(String(r['submissions.agency'])),
          obligations: num(r['submissions.obligations']),
          on_time: num(r['submissions.on_time']),
          late: num(r['submissions.late']),
          missing: num(r['submissions.missing']),
          rejected: num(r['submissions.rejected']),
          days_late: num(r['submissions.days_late']),
        }))
        rows.sort((a, b) => (b.late ?? 0) + (b.missing ?? 0) - ((a.late ?? 0) + (a.missing ?? 0)) || a.agency.localeCompare(b.agency, 'vi'))
        return [
          {
            name: 'Nop bao cao',
            subtitle: s.title,
            columns: [
              { key: 'agency', header: 'Cơ quan', width: 40 },
              { key: 'obligations', header: 'Số nghĩa vụ', numFmt: INT, width: 12 },
              { key: 'on_time', header: 'Đúng hạn', group: 'Kết quả', numFmt: INT, width: 11 },
              { key: 'late', header: 'Trễ hạn', group: 'Kết quả', numFmt: INT, width: 11 },
              { key: 'missing', header: 'Chưa nộp', group: 'Kết quả', numFmt: INT, width: 11 },
              { key: 'rejected', header: 'Bị từ chối', group: 'Kết quả', numFmt: INT, width: 11 },
              { key: 'days_late', header: 'Số ngày làm việc trễ (bình quân)', numFmt: PCT, width: 16 },
            ],
            rows,
            footnotes: ['Hạn nộp: cuối kỳ + 15 ngày (tháng), 30 ngày (quý), 90 ngày (năm); dữ liệu thay đổi: 2 ngày làm việc. Ngày nghỉ theo lịch Việt Nam.', freshness],
            whyEmpty: 'không có nghĩa vụ nộp nào đến hạn trong kỳ, nên không tính số ngày trễ.',
          },
          await deliveriesSheet(),
        ]
      }
      case 'quality': {
        const rows = (await ask(qualityQuery(period, agency))).map((r) => ({
          rank: num(r['quality_scores.rank']),
          agency: agencyName(String(r['quality_scores.agency'])),
          composite: num(r['quality_scores.composite']),
          completeness: num(r['quality_scores.completeness']),
          validity: num(r['quality_scores.validity']),
          timeliness: num(r['quality_scores.timeliness']),
          consistency: num(r['quality_scores.consistency']),
          accuracy: num(r['quality_scores.accuracy']),
        }))
        return [
          {
            name: 'Chat luong du lieu',
            subtitle: s.title,
            columns: [
              { key: 'rank', header: 'Hạng', numFmt: INT, width: 7 },
              { key: 'agency', header: 'Cơ quan', width: 40 },
              { key: 'composite', header: 'Điểm tổng hợp', numFmt: PCT, width: 12 },
              { key: 'completeness', header: 'Đầy đủ', group: 'Tiêu chí (0–100)', numFmt: PCT, width: 10 },
              { key: 'validity', header: 'Hợp lệ', group: 'Tiêu chí (0–100)', numFmt: PCT, width: 10 },
              { key: 'timeliness', header: 'Kịp thời', group: 'Tiêu chí (0–100)', numFmt: PCT, width: 10 },
              { key: 'consistency', header: 'Nhất quán', group: 'Tiêu chí (0–100)', numFmt: PCT, width: 10 },
              { key: 'accuracy', header: 'Chính xác', group: 'Tiêu chí (0–100)', numFmt: PCT, width: 10 },
            ],
            rows,
            footnotes: ['Điểm theo quý chứa kỳ báo cáo; cách tính từng tiêu chí: xem trang Danh mục của Kho dữ liệu.', freshness],
            whyEmpty: 'tiêu chí chưa tính được cho cơ quan trong quý (chưa có dữ liệu để chấm).',
          },
        ]
      }
      case 'usage': {
        const rows = (await ask(usageQuery(period, agency))).map((r) => ({
          owner: agencyName(String(r['usage.owner'])),
          dataset: catalog.dataset(String(r['usage.dataset']))?.name ?? String(r['usage.dataset']),
          consumer: consumerName(String(r['usage.consumer'])),
          queries: num(r['usage.queries']),
          rows: num(r['usage.rows']),
          users: num(r['usage.users']),
          last_access: r['usage.last_access'] ? vietnamDayAndTime(fromWarehouseTime(String(r['usage.last_access']))) : null,
        }))
        return [
          {
            name: 'Khai thac du lieu',
            subtitle: s.title,
            columns: [
              { key: 'owner', header: 'Cơ quan chủ quản', width: 32 },
              { key: 'dataset', header: 'Bộ dữ liệu', width: 30 },
              { key: 'consumer', header: 'Bên khai thác', width: 32 },
              { key: 'queries', header: 'Lượt khai thác', numFmt: INT, width: 12 },
              { key: 'rows', header: 'Số dòng trả về', numFmt: INT, width: 14 },
              { key: 'users', header: 'Số người dùng', numFmt: INT, width: 12 },
              { key: 'last_access', header: 'Lần gần nhất', width: 18 },
            ],
            rows,
            footnotes: ['Đếm từ nhật ký chia sẻ: truy vấn, trích xuất, dòng bị từ chối và tải dữ liệu mở trả về dữ liệu của cơ quan.', freshness],
            whyEmpty: 'không có lượt khai thác được ghi trong kỳ.',
          },
        ]
      }
      case 'error_reports': {
        // Counts of reports about the agencies' own data, read from meta.error_reports (no values,
        // no personal data; the semantic layer has no view of it).
        const { from, to } = warehouseBounds(period)
        const counts = (await errorReportCounts(deps.cube.wh, from, to)).filter((r) => !agency || r.agency === agency)
        const rows = counts.map((r) => ({
          owner: agencyName(r.agency),
          reported: num(r.reported),
          closed_delivery: num(r.closed_delivery),
          closed_explanation: num(r.closed_explanation),
          open_at_end: num(r.open_at_end),
          oldest_open_days: Number(r.open_at_end) > 0 ? num(r.oldest_open_days) : null,
        }))
        return [
          {
            name: 'Bao loi du lieu',
            subtitle: s.title,
            columns: [
              { key: 'owner', header: 'Cơ quan chủ quản', width: 32 },
              { key: 'reported', header: 'Báo lỗi mới', numFmt: INT, width: 12 },
              { key: 'closed_delivery', header: 'Đóng bằng lần gửi sửa', numFmt: INT, width: 16 },
              { key: 'closed_explanation', header: 'Đóng bằng giải trình', numFmt: INT, width: 16 },
              { key: 'open_at_end', header: 'Còn mở cuối kỳ', numFmt: INT, width: 14 },
              { key: 'oldest_open_days', header: 'Báo lỗi mở lâu nhất (ngày)', numFmt: INT, width: 18 },
            ],
            rows,
            footnotes: ['Người dùng báo lỗi trên một số liệu (chỉ tiêu, đơn vị, kỳ) hoặc một bộ dữ liệu; cơ quan chủ quản trả lời và đóng bằng lần gửi sửa hoặc giải trình.', freshness],
            whyEmpty: 'không có báo lỗi nào về dữ liệu của cơ quan.',
          },
        ]
      }
      case 'sharing': {
        const rows = (await ask(sharingQuery(period, agency))).map((r) => ({
          owner: agencyName(String(r['sharing_stats.owner'])),
          dataset: catalog.dataset(String(r['sharing_stats.dataset']))?.name ?? String(r['sharing_stats.dataset']),
          requester: agencyName(String(r['sharing_stats.requester'])),
          method: METHOD_WORDS[String(r['sharing_stats.method']) as SharingMethod]?.[0] ?? String(r['sharing_stats.method']),
          requests: num(r['sharing_stats.requests']),
          granted: num(r['sharing_stats.granted']),
          refused: num(r['sharing_stats.refused']),
          pending: num(r['sharing_stats.pending']),
          days: r['sharing_stats.days_to_decide'] === null || r['sharing_stats.days_to_decide'] === undefined ? null : Number(r['sharing_stats.days_to_decide']),
        }))
        return [
          {
            name: 'Yeu cau chia se',
            subtitle: s.title,
            columns: [
              { key: 'owner', header: 'Cơ quan chủ quản', width: 30 },
              { key: 'dataset', header: 'Bộ dữ liệu', width: 28 },
              { key: 'requester', header: 'Cơ quan đề nghị', width: 30 },
              { key: 'method', header: 'Cách thức', width: 22 },
              { key: 'requests', header: 'Số yêu cầu', numFmt: INT, width: 10 },
              { key: 'granted', header: 'Được cấp quyền', numFmt: INT, width: 12 },
              { key: 'refused', header: 'Từ chối', numFmt: INT, width: 10 },
              { key: 'pending', header: 'Chờ duyệt', numFmt: INT, width: 10 },
              { key: 'days', header: 'Số ngày xử lý bình quân', numFmt: '#,##0.0', width: 14 },
            ],
            rows,
            footnotes: ['Yêu cầu chia sẻ gửi trong kỳ; được cấp quyền khi cả cơ quan chủ quản và đơn vị vận hành Kho dữ liệu đồng ý (kể cả quyền đã tạm dừng hoặc kết thúc).', freshness],
            whyEmpty: 'không có yêu cầu chia sẻ nào trong kỳ.',
          },
        ]
      }
      case 'catalog_proposals': {
        const { from, to } = warehouseBounds(period)
        const rows = (await proposalCounts(deps.cube.wh, from, to))
          .filter((r) => !agency || r.agency === agency)
          .map((r) => ({ agency: agencyName(r.agency), proposed: num(r.proposed), approved: num(r.approved), refused: num(r.refused), waiting: num(r.waiting_at_end) }))
        return [
          {
            name: 'De xuat danh muc',
            subtitle: s.title,
            columns: [
              { key: 'agency', header: 'Cơ quan đề xuất', width: 32 },
              { key: 'proposed', header: 'Đề xuất mới', numFmt: INT, width: 12 },
              { key: 'approved', header: 'Được duyệt', numFmt: INT, width: 12 },
              { key: 'refused', header: 'Bị từ chối', numFmt: INT, width: 12 },
              { key: 'waiting', header: 'Chờ duyệt cuối kỳ', numFmt: INT, width: 14 },
            ],
            rows,
            footnotes: ['Đề xuất bổ sung bộ dữ liệu mới hoặc sửa đổi bộ dữ liệu trong danh mục, do cán bộ quản trị dữ liệu duyệt.', freshness],
            whyEmpty: 'không có đề xuất danh mục nào trong kỳ.',
          },
        ]
      }
    }
  }
  const names: string[] = []
  for (const s of briefing.sheets) {
    for (const spec of await sheetsOf(s)) {
      writeSheet(wb, spec, head)
      names.push(spec.name)
    }
  }
  // Where each figure came from: the agency, the file and when it arrived (issue 40).
  if (kpiCodes.size > 0) {
    const sheet = await sourcesSheet([...kpiCodes])
    writeSheet(wb, sheet, head)
    names.push(sheet.name)
  }
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), sheets: names }
}
