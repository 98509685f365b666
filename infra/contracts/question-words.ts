/**
 * A question's parts in words, as the explorer shows them and its exports print them: time slots
 * (the API gives a slot as its start, '2025-01-01T00:00:00.000', local time; a person reads
 * "Quý I/2025", "Tháng 10/2026", "Năm 2025", a week by its Monday, a day as 05/11/2026), grains,
 * filter operators and date ranges.
 */
export type Lang = 'vi' | 'en'
export type Granularity = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month', 'quarter', 'year']

/** The grains in words (the explorer's choice, an export's title). */
export const GRANULARITY_WORDS: Record<Granularity, readonly [vi: string, en: string]> = {
  hour: ['Giờ', 'Hour'],
  day: ['Ngày', 'Day'],
  week: ['Tuần', 'Week'],
  month: ['Tháng', 'Month'],
  quarter: ['Quý', 'Quarter'],
  year: ['Năm', 'Year'],
}

/** Administrative unit levels in words (the data holds 'province' and 'commune'). */
export const UNIT_LEVEL_WORDS: Record<string, readonly [vi: string, en: string]> = { province: ['Cấp tỉnh', 'Province'], commune: ['Cấp xã', 'Commune'] }

const ROMAN = ['I', 'II', 'III', 'IV']
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** Text as people type it when searching or asking: no diacritics, đ as d, lower case ("Bán lẻ" → "bán lẻ" → "ban le"). */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
}

/** dd/mm/yyyy from 'yyyy-mm-dd…' (the day first in both languages, as the province writes it). */
export function dayText(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value
}

/** A reporting period's code in words: 2026-10 → "Tháng 10/2026" / "Oct 2026", 2026-Q3 → "Quý III/2026" / "Q3 2026", 2026 → "Năm 2026"; spans too. */
export function periodWords(code: unknown, lang: Lang): string {
  const s = String(code ?? '')
  // A span: a quarter to a day ("2026-Q4..2026-11-20"), or months ("2026-05..2026-10").
  const span = /^(.+)\.\.(.+)$/.exec(s)
  if (span) {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(span[2]!)
    if (day) return `${periodWords(span[1], lang)} (${lang === 'vi' ? 'đến' : 'to'} ${day[3]}/${day[2]}/${day[1]})`
    return `${periodWords(span[1], lang)} – ${periodWords(span[2], lang)}`
  }
  let m = /^(\d{4})-(\d{2})$/.exec(s)
  if (m) return lang === 'vi' ? `Tháng ${Number(m[2])}/${m[1]}` : `${MONTHS_EN[Number(m[2]) - 1]!.slice(0, 3)} ${m[1]}`
  m = /^(\d{4})-Q([1-4])$/.exec(s)
  if (m) return lang === 'vi' ? `Quý ${ROMAN[Number(m[2]) - 1]}/${m[1]}` : `Q${m[2]} ${m[1]}`
  if (/^\d{4}$/.test(s)) return lang === 'vi' ? `Năm ${s}` : s
  return s
}

/** A slot's start in words at its grain; a value that is not a time is given back as it is. */
export function timeSlotLabel(value: unknown, granularity: string | undefined, lang: Lang): string {
  const s = String(value ?? '')
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(s)
  if (!m) return s
  const [, year, month, , hour, minute] = m
  switch (granularity) {
    case 'year':
      return lang === 'vi' ? `Năm ${year}` : year!
    case 'quarter': {
      const q = Math.floor((Number(month) - 1) / 3)
      return lang === 'vi' ? `Quý ${ROMAN[q]}/${year}` : `Q${q + 1} ${year}`
    }
    case 'month':
      return lang === 'vi' ? `Tháng ${Number(month)}/${year}` : `${MONTHS_EN[Number(month) - 1]} ${year}`
    case 'week':
      return lang === 'vi' ? `Tuần từ ${dayText(s)}` : `Week of ${dayText(s)}`
    case 'hour':
      return `${dayText(s)} ${hour ?? '00'}:${minute ?? '00'}`
    default:
      return dayText(s)
  }
}

/**
 * A slot within a year on a chart's axis, short: a month '10' → 'T10' / 'Oct', a quarter 'Q3' →
 * 'Quý III' / 'Q3' (the year is the line's own).
 */
export function slotInYear(slot: string, lang: Lang): string {
  const q = /^Q([1-4])$/.exec(slot)
  if (q) return lang === 'vi' ? `Quý ${ROMAN[Number(q[1]) - 1]}` : slot
  const month = Number(slot)
  if (Number.isInteger(month) && month >= 1 && month <= 12) return lang === 'vi' ? `T${month}` : MONTHS_EN[month - 1]!.slice(0, 3)
  return slot
}

/** Filter operators in words (Cube's codes never reach a person). */
export const OPERATOR_WORDS: Record<string, readonly [vi: string, en: string]> = {
  equals: ['bằng', 'is'],
  notEquals: ['khác', 'is not'],
  contains: ['có chứa', 'contains'],
  notContains: ['không chứa', 'does not contain'],
  startsWith: ['bắt đầu bằng', 'starts with'],
  endsWith: ['kết thúc bằng', 'ends with'],
  gt: ['lớn hơn', 'greater than'],
  gte: ['từ … trở lên', 'at least'],
  lt: ['nhỏ hơn', 'less than'],
  lte: ['không quá', 'at most'],
  set: ['có giá trị', 'has a value'],
  notSet: ['để trống', 'is empty'],
  inDateRange: ['trong khoảng', 'between'],
  beforeDate: ['trước ngày', 'before'],
  afterDate: ['sau ngày', 'after'],
}

/** An operator in words; `gte` reads "từ 5 trở lên" around its value. */
export function filterWords(operator: string, values: readonly string[], lang: Lang): string {
  const pair = OPERATOR_WORDS[operator]
  const word = pair ? pair[lang === 'vi' ? 0 : 1] : operator
  const list = values.join('; ')
  if (operator === 'set' || operator === 'notSet') return word
  if (word.includes('…')) return word.replace('…', list)
  return `${word} ${list}`
}

/** A date range in words: ["2025-01-01", "2026-12-31"] → "từ 01/01/2025 đến 31/12/2026"; a phrase as typed. */
export function rangeWords(range: string | readonly string[] | undefined, lang: Lang): string {
  if (range === undefined) return lang === 'vi' ? 'mọi thời gian' : 'all time'
  if (typeof range === 'string') return range
  return lang === 'vi' ? `từ ${dayText(range[0] ?? '')} đến ${dayText(range[1] ?? '')}` : `${dayText(range[0] ?? '')} to ${dayText(range[1] ?? '')}`
}
