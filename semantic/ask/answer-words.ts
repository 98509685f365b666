import { periodWords } from '../../infra/contracts/question-words.ts'
import type { AskPeriod } from './parse-question.ts'

/** How answers say names and periods in a sentence (KT-XH indicators and other views alike). */

/** The period codes of the indicator's own kind that a span of months holds (2026-07..2026-09 → 2026-07, 2026-08, 2026-09 or 2026-Q3). */
export function periodCodes(span: { from: string; to: string }, kind: 'month' | 'quarter' | 'year'): string[] {
  const [fy, fm] = span.from.split('-').map(Number) as [number, number]
  const [ty, tm] = span.to.split('-').map(Number) as [number, number]
  const out: string[] = []
  for (let n = fy * 12 + fm - 1; n <= ty * 12 + tm - 1; n++) {
    const y = Math.floor(n / 12)
    const m = (n % 12) + 1
    const code = kind === 'month' ? `${y}-${String(m).padStart(2, '0')}` : kind === 'quarter' ? `${y}-Q${Math.ceil(m / 3)}` : String(y)
    if (!out.includes(code)) out.push(code)
  }
  // A span finer than the indicator's kind (a month of a quarterly one) is read as the period holding it.
  return out
}

/** A name inside a sentence: its first letter small, its abbreviations kept ("tỷ lệ dân số tham gia BHYT"). */
export const lowerFirst = (s: string) => (/^[A-ZĐÀ-Ỹ][a-zà-ỹđ]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s)

/** A period said inside a Vietnamese sentence: "tháng 10/2026", not "Tháng 10/2026". */
export const mid = (s: string) => (/^(Tháng|Quý|Năm|Từ) /.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s)

/** The period a question asked for, in words: a month, a quarter, a year, "9 tháng đầu năm 2026", or the months listed. */
export function whenWords(period: AskPeriod, codes: string[], lang: 'vi' | 'en'): string {
  if (codes.length === 1) return periodWords(codes[0], lang)
  if (period.kind === 'span') {
    const [y, from, to] = [period.from.slice(0, 4), Number(period.from.slice(5)), Number(period.to.slice(5))]
    if (period.grain === 'quarter') return periodWords(`${y}-Q${Math.ceil(to / 3)}`, lang)
    if (period.grain === 'year') return periodWords(y, lang)
    if (period.ytd && from === 1) return lang === 'vi' ? `${to} tháng đầu năm ${y}` : `the first ${to} months of ${y}`
  }
  return `${periodWords(codes[0], lang)} – ${periodWords(codes[codes.length - 1], lang)}`
}

