import ExcelJS from 'exceljs'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { communesOf } from '../../infra/identifiers/admin-units.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import type { SecurityContext } from '../../infra/access/caller.ts'
import { runQuery, type QueryContext } from '../../semantic/cube/cube-api.ts'
import { validateQuery } from '../../semantic/cube/cube-query.ts'
import type { IocConfig } from '../ioc-config.ts'
import { statusOf, type Status } from '../web/src/shared/indicator-status.ts'
import type { Briefing, BriefingSheet } from './briefing-definition.ts'
import type { BriefingPeriod } from './briefing-period.ts'

export interface BriefingDeps {
  /** The semantic layer as /load runs it: a workbook's numbers are the API's numbers. */
  cube: QueryContext
  catalog: Catalog
  ioc: IocConfig
}

type Row = Record<string, unknown>

const STATUS_TEXT: Record<Status, string> = { good: 'Đạt', warn: 'Gần đạt', bad: 'Chưa đạt', none: '—' }
const NUM = '#,##0.0#'
const PCT = '0.0'
const INT = '#,##0'

/** The semantic-layer queries a briefing sheet runs; exported so tests can ask the API the same. */
export function kpiQuery(codes: string[], period: BriefingPeriod) {
  return {
    measures: ['kt_xh.value', 'kt_xh.prior_year', 'kt_xh.growth_pct', 'kt_xh.ytd', 'kt_xh.plan', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct'],
    dimensions: ['kt_xh.indicator_code'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', ...(period.granularity ? { granularity: period.granularity } : {}), dateRange: [period.start, period.end] }],
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: codes }],
    limit: 10_000,
  }
}

export function communeQuery(codes: string[], period: BriefingPeriod) {
  return {
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.indicator_code'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', ...(period.granularity ? { granularity: period.granularity } : {}), dateRange: [period.start, period.end] }],
    filters: [
      { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
      { member: 'kt_xh.indicator_code', operator: 'equals', values: codes },
    ],
    limit: 100_000,
  }
}

/** `member = agency` when the report is one agency's, nothing otherwise. */
const onlyAgency = (member: string, agency?: string) => (agency ? [{ member, operator: 'equals', values: [agency] }] : [])

export function submissionQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['submissions.obligations', 'submissions.on_time', 'submissions.late', 'submissions.missing', 'submissions.rejected', 'submissions.days_late'],
    dimensions: ['submissions.agency'],
    timeDimensions: [{ dimension: 'submissions.period_end', dateRange: [period.start, period.end] }],
    filters: onlyAgency('submissions.agency', agency),
    limit: 10_000,
  }
}

/** How others used each agency's datasets in the period: by owner, dataset and consumer. */
export function usageQuery(period: BriefingPeriod, agency?: string) {
  return {
    measures: ['usage.queries', 'usage.rows', 'usage.users', 'usage.last_access'],
    dimensions: ['usage.owner', 'usage.dataset', 'usage.consumer'],
    timeDimensions: [{ dimension: 'usage.accessed_at', dateRange: [period.start, period.end] }],
    filters: [...onlyAgency('usage.owner', agency), ...(agency ? [{ member: 'usage.consumer', operator: 'notEquals', values: [agency] }] : [])],
    order: [['usage.owner', 'asc'], ['usage.dataset', 'asc'], ['usage.queries', 'desc']],
    limit: 10_000,
  }
}

/** Quality is scored by quarter: the quarter the period ends in. */
export function qualityQuery(period: BriefingPeriod, agency?: string) {
  const end = new Date(`${period.end}T00:00:00Z`)
  const quarterStart = new Date(Date.UTC(end.getUTCFullYear(), Math.floor(end.getUTCMonth() / 3) * 3, 1)).toISOString().slice(0, 10)
  return {
    measures: ['quality_scores.composite', 'quality_scores.completeness', 'quality_scores.validity', 'quality_scores.timeliness', 'quality_scores.consistency', 'quality_scores.accuracy'],
    dimensions: ['quality_scores.agency', 'quality_scores.rank'],
    timeDimensions: [{ dimension: 'quality_scores.quarter_start', dateRange: [quarterStart, period.end] }],
    filters: onlyAgency('quality_scores.agency', agency),
    order: [['quality_scores.rank', 'asc']],
    limit: 10_000,
  }
}

const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))

interface Column {
  key: string
  header: string
  /** A second header row groups columns under one merged title. */
  group?: string
  numFmt?: string
  width: number
}

interface SheetSpec {
  name: string
  subtitle: string
  columns: Column[]
  rows: Row[]
  /** The column whose text "Đạt" / "Gần đạt" / "Chưa đạt" is coloured. */
  statusKey?: string
  footnotes: string[]
}

const THIN = { style: 'thin' as const, color: { argb: 'FF9AA5B1' } }
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN }

/** A formula-looking text stays text: exceljs writes strings as strings, and Excel shows them as typed. */
function cell(v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  return String(v)
}

/**
 * A printable report sheet: the province and title block, the period, two header rows (merged where
 * columns are grouped, wrapped), bordered data with Vietnamese-readable number formats, status
 * colours, frozen panes, A4 landscape fitted to the page width with the header rows repeated, and
 * footnotes naming sources and freshness.
 */
function writeSheet(wb: ExcelJS.Workbook, spec: SheetSpec, head: { province: string; heading: string; period: BriefingPeriod }) {
  const ws = wb.addWorksheet(spec.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31))
  const width = spec.columns.length
  const line = (row: number, text: string, font: Partial<ExcelJS.Font>, align: ExcelJS.Alignment['horizontal'] = 'center') => {
    ws.mergeCells(row, 1, row, width)
    const c = ws.getCell(row, 1)
    c.value = text
    c.font = font
    c.alignment = { horizontal: align, vertical: 'middle', wrapText: true }
  }
  line(1, `UBND ${head.province.toUpperCase()}`, { bold: true, size: 11 }, 'left')
  line(2, head.heading, { bold: true, size: 14 })
  line(3, head.period.label, { bold: true, size: 12 })
  line(4, spec.subtitle, { italic: true, size: 11 })
  ws.getRow(2).height = 22

  // Header rows 6–7: a grouped column has its group above (merged across the group) and its own
  // title below; an ungrouped one is merged down over both rows.
  const top = 6
  spec.columns.forEach((c, i) => {
    const col = i + 1
    if (c.group) {
      ws.getCell(top + 1, col).value = c.header
      const first = spec.columns.findIndex((x) => x.group === c.group) + 1
      if (first === col) {
        const last = first + spec.columns.filter((x) => x.group === c.group).length - 1
        if (last > first) ws.mergeCells(top, first, top, last)
        ws.getCell(top, first).value = c.group
      }
    } else {
      ws.mergeCells(top, col, top + 1, col)
      ws.getCell(top, col).value = c.header
    }
    ws.getColumn(col).width = c.width
  })
  for (const r of [top, top + 1]) {
    const row = ws.getRow(r)
    row.height = 30
    for (let col = 1; col <= width; col++) {
      const c = row.getCell(col)
      c.font = { bold: true }
      c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } }
      c.border = BORDER
    }
  }

  const first = top + 2
  spec.rows.forEach((r, i) => {
    const row = ws.getRow(first + i)
    spec.columns.forEach((c, j) => {
      const x = row.getCell(j + 1)
      x.value = cell(r[c.key])
      x.border = BORDER
      if (c.numFmt) x.numFmt = c.numFmt
      x.alignment = { vertical: 'top', wrapText: !c.numFmt, horizontal: c.numFmt ? 'right' : 'left' }
    })
  })
  const last = first + Math.max(spec.rows.length, 1) - 1

  if (spec.statusKey && spec.rows.length > 0) {
    const col = spec.columns.findIndex((c) => c.key === spec.statusKey) + 1
    const letter = ws.getColumn(col).letter
    // Exact matches: "Chưa đạt" also contains "đạt", so a text search would colour it twice.
    const rule = (text: string, argb: string, priority: number): ExcelJS.ConditionalFormattingRule => ({
      type: 'expression',
      formulae: [`$${letter}${first}="${text}"`],
      priority,
      style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb } } },
    })
    ws.addConditionalFormatting({
      ref: `${letter}${first}:${letter}${last}`,
      rules: [rule('Chưa đạt', 'FFFED7D7', 1), rule('Gần đạt', 'FFFEFCBF', 2), rule('Đạt', 'FFC6F6D5', 3)],
    })
  }

  let note = last + 2
  for (const f of spec.footnotes) {
    ws.mergeCells(note, 1, note, width)
    const c = ws.getCell(note, 1)
    c.value = f
    c.font = { italic: true, size: 9 }
    c.alignment = { wrapText: true, vertical: 'top' }
    ws.getRow(note).height = 24
    note++
  }

  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: top + 1 }]
  ws.pageSetup = {
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: `${top}:${top + 1}`,
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
  }
  ws.headerFooter = { oddFooter: `&L${head.period.label}&RTrang &P/&N` }
  return ws
}

const kpiColumns: Column[] = [
  { key: 'name', header: 'Chỉ tiêu', width: 46 },
  { key: 'unit', header: 'Đơn vị tính', width: 13 },
  { key: 'value', header: 'Kỳ báo cáo', group: 'Thực hiện', numFmt: NUM, width: 14 },
  { key: 'prior_year', header: 'Cùng kỳ năm trước', group: 'Thực hiện', numFmt: NUM, width: 14 },
  { key: 'growth_pct', header: 'So cùng kỳ (%)', group: 'Thực hiện', numFmt: PCT, width: 11 },
  { key: 'ytd', header: 'Lũy kế từ đầu năm', numFmt: NUM, width: 15 },
  { key: 'plan', header: 'Kế hoạch', group: 'Kế hoạch', numFmt: NUM, width: 14 },
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
export async function buildBriefing(deps: BriefingDeps, briefing: Briefing, period: BriefingPeriod, now = new Date(), agency?: string): Promise<BuiltBriefing> {
  const { catalog } = deps
  const sec: SecurityContext = { account: `briefing:${briefing.id}`, role: briefing.audience.role, agency: briefing.audience.agency, communeCode: '', personalData: false, purpose: `briefing ${briefing.id}` }
  const ask = async (query: Record<string, unknown>): Promise<Row[]> => (await runQuery(deps.cube, validateQuery(deps.cube.model, query), sec)).data
  const [fresh] = await queryRows<{ at: string | null }>(
    deps.cube.wh.client,
    "SELECT if(count() = 0, NULL, formatDateTime(max(delivered_at), '%d/%m/%Y %H:%i', 'Asia/Ho_Chi_Minh')) AS at FROM meta.loads FINAL WHERE dataset = 'chi_tieu_kt_xh' AND status = 'committed'",
  )
  const generated = now.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
  const freshness = `Số liệu tổng hợp từ Kho dữ liệu số tỉnh lúc ${generated}; báo cáo chỉ tiêu nhận gần nhất lúc ${fresh?.at ?? '—'}.`
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
        value: num(r['kt_xh.value']),
        prior_year: num(r['kt_xh.prior_year']),
        growth_pct: growth,
        ytd: num(r['kt_xh.ytd']),
        plan: num(r['kt_xh.plan']),
        plan_pct: planPct,
        status: STATUS_TEXT[statusOf(ind, num(r['kt_xh.ytd_plan_pct']) ?? planPct, growth, deps.ioc.status)],
      }
    })

  const wb = new ExcelJS.Workbook()
  wb.creator = 'kho'
  wb.created = now
  const head = { province: catalog.province.name, heading: agency ? `${briefing.heading} — ${agencyName(agency).toUpperCase()}` : briefing.heading, period }
  const note = 'Đánh giá: "Đạt" khi lũy kế (hoặc kỳ báo cáo) đạt từ 100% kế hoạch; "Gần đạt" từ 90%; chỉ tiêu không có kế hoạch được đánh giá theo mức tăng so với cùng kỳ, theo chiều tốt của chỉ tiêu.'
  const sheetsOf = async (s: BriefingSheet): Promise<SheetSpec[]> => {
    switch (s.kind) {
      case 'kpi_summary': {
        const codes = pick(s.indicators)
        return [{ name: 'Tong hop', subtitle: s.title, columns: kpiColumns, rows: kpiRows(codes), statusKey: 'status', footnotes: [sources(codes), note, freshness] }]
      }
      case 'sectors':
        return catalog.sectors.map((sector) => {
          const codes = catalog.indicators.filter((i) => i.sector === sector.code).map((i) => i.code)
          return { name: sector.name_vi, subtitle: `Lĩnh vực: ${sector.name_vi}`, columns: kpiColumns, rows: kpiRows(codes), statusKey: 'status', footnotes: [sources(codes), note, freshness] }
        })
      case 'communes': {
        const codes = pick(s.indicators)
        const values = new Map<string, Row>()
        for (const r of await ask(communeQuery(codes, period))) {
          const unit = String(r['kt_xh.unit_code'])
          const row = values.get(unit) ?? {}
          row[String(r['kt_xh.indicator_code'])] = num(r['kt_xh.value'])
          values.set(unit, row)
        }
        const communes = communesOf(catalog.province.code)
        return [
          {
            name: 'Theo xa phuong',
            subtitle: s.title,
            columns: [
              { key: 'code', header: 'Mã xã', width: 9 },
              { key: 'name', header: 'Xã, phường', width: 24 },
              ...codes.map((c) => ({ key: c, header: `${catalog.indicator(c)!.name_vi} (${catalog.indicator(c)!.unit})`, numFmt: NUM, width: 14 })),
            ],
            rows: communes.map((c) => ({ code: c.code, name: c.name, ...values.get(c.code) })),
            footnotes: [sources(codes), 'Ô trống: chỉ tiêu không báo cáo theo xã, hoặc xã chưa báo cáo trong kỳ.', freshness],
          },
        ]
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
          },
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
          last_access: r['usage.last_access'] ? String(r['usage.last_access']).slice(0, 16).replace('T', ' ') : null,
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
              { key: 'last_access', header: 'Lần gần nhất (UTC)', width: 18 },
            ],
            rows,
            footnotes: ['Đếm từ nhật ký chia sẻ: truy vấn, trích xuất, dòng bị từ chối và tải dữ liệu mở trả về dữ liệu của cơ quan.', freshness],
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
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), sheets: names }
}
