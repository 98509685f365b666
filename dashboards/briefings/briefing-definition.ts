import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { parseCron } from '../../infra/time/cron.ts'
import { ROLES } from '../../infra/contracts/session.ts'

export const BRIEFINGS_DIR = path.dirname(fileURLToPath(import.meta.url))

const indicatorList = z.union([z.literal('headline'), z.literal('all'), z.array(z.string()).min(1)])

const sheetSchema = z.discriminatedUnion('kind', [
  /** One row per indicator: this period, same period last year, change, YTD, plan, % of plan, status. */
  z.strictObject({ kind: z.literal('kpi_summary'), title: z.string().default('Các chỉ tiêu chủ yếu'), indicators: indicatorList.default('headline') }),
  /** The same table, one sheet per sector. */
  z.strictObject({ kind: z.literal('sectors') }),
  /** Communes as rows, indicators as columns (indicators reported by commune). */
  z.strictObject({ kind: z.literal('communes'), title: z.string().default('Chỉ tiêu theo xã, phường'), indicators: indicatorList.default('all') }),
  /** Obligations, on time, late, missing and rejected by agency, for the period. */
  z.strictObject({ kind: z.literal('submissions'), title: z.string().default('Tình hình nộp báo cáo của các cơ quan') }),
  /** Agencies ranked on the five data-quality criteria, for the quarter the period ends in. */
  z.strictObject({ kind: z.literal('quality'), title: z.string().default('Xếp hạng chất lượng dữ liệu') }),
  /** How each agency's datasets were used by others in the period (from the sharing log). */
  z.strictObject({ kind: z.literal('usage'), title: z.string().default('Khai thác dữ liệu của cơ quan') }),
  /** Error reports users made on each agency's data in the period: made, closed (how), still open, the oldest's age. */
  z.strictObject({ kind: z.literal('error_reports'), title: z.string().default('Báo lỗi dữ liệu và xử lý') }),
  /** Sharing requests made in the period, by owner, dataset, requesting agency and method: granted, refused, pending, days to decide. */
  z.strictObject({ kind: z.literal('sharing'), title: z.string().default('Yêu cầu chia sẻ dữ liệu và cấp quyền') }),
  /** Catalogue proposals by agency in the period: made, approved, refused, waiting at its end. */
  z.strictObject({ kind: z.literal('catalog_proposals'), title: z.string().default('Đề xuất bổ sung, sửa đổi danh mục dữ liệu') }),
])
export type BriefingSheet = z.infer<typeof sheetSchema>
/** The kinds the schema takes (the contract's SHEET_KINDS, which the pages name: a test holds them equal). */
export const schemaSheetKinds = (): string[] => sheetSchema.options.map((o) => o.shape.kind.value)

export const periodRules = ['last_month', 'last_quarter', 'last_year', 'last_6_months', 'quarter_to_date'] as const
export type PeriodRule = (typeof periodRules)[number]

const briefingSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string().min(1),
  /** The name English readers see on the briefings page (the workbook itself is Vietnamese). */
  name_en: z.string().min(1),
  /** The heading printed on every sheet. */
  heading: z.string().min(1).default('BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI'),
  /** Cron in Vietnam time. */
  schedule: z.string(),
  /** Whose view of the data the numbers are computed under (role and, for officers, agency). */
  audience: z.strictObject({ role: z.enum(ROLES), agency: z.string().default('') }),
  period: z.enum(periodRules),
  sheets: z.array(sheetSchema).min(1),
  /** Recipients, when SMTP is configured (KHO_SMTP_URL). */
  email: z.array(z.email()).default([]),
})
export type Briefing = z.infer<typeof briefingSchema>

/** Every briefing definition in the folder, validated; a bad file or an unknown indicator stops the start. */
export function loadBriefings(catalog: Catalog, dir = BRIEFINGS_DIR): Briefing[] {
  const out: Briefing[] = []
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name)
    const where = path.relative(process.cwd(), file)
    const parsed = briefingSchema.safeParse(parse(fs.readFileSync(file, 'utf8')))
    if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
    const b = parsed.data
    try {
      parseCron(b.schedule)
    } catch (err) {
      throw new Error(`${where}: schedule: ${(err as Error).message}`)
    }
    if (b.audience.agency && !catalog.agency(b.audience.agency)) throw new Error(`${where}: audience.agency: không có cơ quan "${b.audience.agency}"`)
    for (const s of b.sheets) {
      if ('indicators' in s && Array.isArray(s.indicators)) {
        for (const code of s.indicators) if (!catalog.indicator(code)) throw new Error(`${where}: không có chỉ tiêu "${code}" / no indicator "${code}"`)
      }
    }
    if (out.some((x) => x.id === b.id)) throw new Error(`${where}: id "${b.id}" bị trùng / duplicate id`)
    out.push(b)
  }
  return out
}
