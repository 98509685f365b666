import { z } from 'zod'
import type { ValueName } from '../../infra/catalog/value-names.ts'
import { pivotLayout, pivotProblem, pivotTotalQueries } from '../../infra/contracts/pivot.ts'
import { filterWords, GRANULARITY_WORDS, rangeWords, timeSlotLabel, type Granularity } from '../../infra/contracts/question-words.ts'
import { tableCsv, tableWorkbook, type TableColumn, type TableSheet } from '../../infra/files/table-workbook.ts'
import type { SecurityContext } from '../policy/view-policy.ts'
import { QueryError, TIMEZONE, validateQuery, type CubeQuery } from '../cube/cube-query.ts'
import * as clock from '../../infra/time/clock.ts'

/**
 * A question exported as a file people print and file away: named after the question, a title
 * block saying what it holds (the question, the view, every filter and the period in words, who
 * exported it and when, the source), labelled columns with the names of coded values beside them,
 * time slots as "Quý I/2025", numbers as numbers; and, asked for, the pivot the explorer showed
 * (one dimension down, one across, the first measure in the cells) with its totals — each total
 * asked of the semantic layer, not added up here, so a ratio's total is the ratio of the whole.
 */
export const exportAsk = z.object({
  query: z.unknown(),
  format: z.enum(['xlsx', 'csv']).default('xlsx'),
  title: z.string().trim().max(200).optional(),
  lang: z.enum(['vi', 'en']).default('vi'),
  /** One member down, one across (infra/contracts/pivot.ts). */
  pivot: z.object({ rows: z.string().max(200), columns: z.string().max(200) }).optional(),
})
export type ExportAsk = z.infer<typeof exportAsk>

type Row = Record<string, unknown>
type Answer = { data: Row[]; annotation: { measures: Record<string, { shortTitle: string; type: string }>; dimensions: Record<string, { shortTitle: string; type: string }>; timeDimensions: Record<string, { shortTitle: string; type: string }> } }

export interface ExportDeps {
  /** One query as the caller, exactly as /load answers it (policy, audit outcome, suppression). */
  ask(query: CubeQuery): Promise<Answer>
  model: Parameters<typeof validateQuery>[0]
  names: ValueName
  /** A view's title in the export's language. */
  viewTitle(view: string, lang: 'vi' | 'en'): string
}

const SOURCE = { vi: 'Nguồn: Kho dữ liệu số tỉnh', en: 'Source: the provincial data warehouse' }

/** A file name from a title: letters without their marks, words joined by hyphens. */
export function fileNameOf(title: string, day: string): string {
  const slug = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
  return `${slug || 'kho-trich-xuat'}-${day}`
}

/** A day slot ('2026-01-05T00:00:00.000') as that day's date (midnight UTC: the day Excel shows). */
function dayDate(v: unknown): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v ?? ''))
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
}

export async function exportQuestion(deps: ExportDeps, ask: ExportAsk, sec: SecurityContext): Promise<{ file: Buffer; fileName: string; rows: number; query: CubeQuery }> {
  const { lang } = ask
  const query = validateQuery(deps.model, ask.query)
  const answer = await deps.ask(query)
  const titles = { ...answer.annotation.dimensions, ...answer.annotation.timeDimensions, ...answer.annotation.measures }
  const time = query.timeDimensions.find((t) => t.granularity)
  const timeKey = time ? `${time.dimension}.${time.granularity}` : null
  const view = (query.measures[0] ?? query.dimensions[0] ?? time?.dimension ?? '').split('.')[0]!
  const title = ask.title || (lang === 'vi' ? 'Trích xuất dữ liệu' : 'Data extract')
  const name = (member: string, value: unknown) => (value === null || value === undefined ? undefined : deps.names(member, String(value), lang))
  const now = clock.now()
  const at = now.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: TIMEZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })

  const filterLines = query.filters.flatMap((f) => {
    if (!('member' in f) || !f.member) return []
    const values = (f.values ?? []).map((v) => name(f.member!, v) ?? v)
    return [`${titles[f.member]?.shortTitle ?? deps.model.members.get(f.member)?.meta.shortTitle ?? f.member} ${filterWords(f.operator, values, lang)}`]
  })
  const ranged = query.timeDimensions.find((t) => t.dateRange !== undefined)
  const timeLine = [
    ranged ? `${deps.model.members.get(ranged.dimension)?.meta.shortTitle ?? ranged.dimension}: ${rangeWords(ranged.dateRange as string | string[], lang)}` : '',
    time ? `${lang === 'vi' ? 'theo' : 'by'} ${GRANULARITY_WORDS[time.granularity as Granularity]?.[lang === 'vi' ? 0 : 1].toLowerCase() ?? time.granularity}` : '',
  ]
    .filter(Boolean)
    .join(', ')
  const notes = [
    `${lang === 'vi' ? 'Khung nhìn' : 'View'}: ${deps.viewTitle(view, lang)}`,
    `${lang === 'vi' ? 'Điều kiện' : 'Filters'}: ${filterLines.length ? filterLines.join('; ') : lang === 'vi' ? 'không có' : 'none'}`,
    ...(timeLine ? [`${lang === 'vi' ? 'Thời gian' : 'Time'}: ${timeLine}`] : []),
    `${lang === 'vi' ? 'Người xuất' : 'Exported by'}: ${sec.account} — ${at}`,
    SOURCE[lang],
  ]

  // Flat: the time slot in words (a day as a date Excel sorts and filters as one, in a workbook),
  // each dimension (with the name of a coded value beside it), the measures.
  const dayDates = time?.granularity === 'day' && ask.format === 'xlsx'
  const columns: TableColumn[] = []
  if (timeKey) columns.push({ key: timeKey, header: titles[timeKey]?.shortTitle ?? timeKey, ...(dayDates ? { numFmt: 'dd/mm/yyyy' } : {}) })
  for (const d of query.dimensions) {
    columns.push({ key: d, header: titles[d]?.shortTitle ?? d })
    if (answer.data.some((r) => name(d, r[d]) !== undefined)) columns.push({ key: `${d}:name`, header: `${titles[d]?.shortTitle ?? d} (${lang === 'vi' ? 'tên' : 'name'})` })
  }
  for (const m of query.measures) columns.push({ key: m, header: titles[m]?.shortTitle ?? m })
  const numeric = new Set(query.measures.filter((m) => titles[m]?.type === 'number'))
  const rows = answer.data.map((r) => {
    const out: Row = { ...r }
    if (timeKey) out[timeKey] = dayDates ? dayDate(r[timeKey]) : timeSlotLabel(r[timeKey], time!.granularity, lang)
    for (const d of query.dimensions) out[`${d}:name`] = name(d, r[d]) ?? null
    for (const m of numeric) if (typeof out[m] === 'string' && out[m] !== '') out[m] = Number(out[m])
    return out
  })
  // What the explorer showed is what prints: the pivot, or the rows.
  const sheet: TableSheet = ask.pivot ? await pivotSheet(deps, ask, query, answer, { title, notes, timeKey, lang }) : { name: lang === 'vi' ? 'Du lieu' : 'Data', title, notes, columns, rows }
  const fileName = `${fileNameOf(title, now.toISOString().slice(0, 10))}.${ask.format}`
  const file = ask.format === 'csv' ? Buffer.from(tableCsv(sheet.columns, sheet.rows)) : await tableWorkbook([sheet])
  return { file, fileName, rows: sheet.rows.length, query }
}

/**
 * The pivot: the `rows` member's values down, the `columns` member's across (a time slot in
 * words), the first measure in the cells; the row, column and grand totals asked as three more
 * queries without one or both of the two.
 */
async function pivotSheet(deps: ExportDeps, ask: ExportAsk, query: CubeQuery, answer: Answer, head: { title: string; notes: string[]; timeKey: string | null; lang: 'vi' | 'en' }): Promise<TableSheet> {
  const pivot = ask.pivot!
  const problem = pivotProblem(query, pivot)
  if (problem) throw new QueryError(problem.vi, problem.en)
  const measure = query.measures[0]!
  const { lang } = head
  const label = (member: string, value: unknown) =>
    member === head.timeKey ? timeSlotLabel(value, member.slice(member.lastIndexOf('.') + 1), lang) : (deps.names(member, String(value ?? ''), lang) ?? String(value ?? '—'))
  const totals = pivotTotalQueries(query, pivot)
  const [byRow, byColumn, grand] = await Promise.all([deps.ask(totals.byRow), deps.ask(totals.byColumn), deps.ask(totals.grand)])
  const layout = pivotLayout(answer.data, pivot, measure)
  const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))
  const rowTotal = new Map(byRow.data.map((r) => [String(r[pivot.rows] ?? ''), r[measure]]))
  const columnTotal = new Map(byColumn.data.map((r) => [String(r[pivot.columns] ?? ''), r[measure]]))
  const totalWord = lang === 'vi' ? 'Tổng' : 'Total'
  const titles = { ...answer.annotation.dimensions, ...answer.annotation.timeDimensions, ...answer.annotation.measures }
  const columns: TableColumn[] = [
    { key: 'row', header: titles[pivot.rows]?.shortTitle ?? pivot.rows },
    ...layout.columnValues.map((v, i) => ({ key: `c${i}`, header: label(pivot.columns, v) })),
    { key: 'total', header: totalWord },
  ]
  const rows: Row[] = layout.rowValues.map((r) => ({
    row: label(pivot.rows, r),
    ...Object.fromEntries(layout.columnValues.map((c, i) => [`c${i}`, num(layout.cell(r, c))])),
    total: num(rowTotal.get(r)),
  }))
  rows.push({ row: totalWord, ...Object.fromEntries(layout.columnValues.map((c, i) => [`c${i}`, num(columnTotal.get(c))])), total: num(grand.data[0]?.[measure]) })
  const notes = [`${lang === 'vi' ? 'Số liệu' : 'Values'}: ${titles[measure]?.shortTitle ?? measure}`, ...head.notes]
  return { name: lang === 'vi' ? 'Bang cheo' : 'Pivot', title: head.title, notes, columns, rows, boldLastRow: true }
}
