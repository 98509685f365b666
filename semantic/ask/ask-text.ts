import { foldText } from '../../infra/contracts/question-words.ts'

/**
 * How a question's words are read: folded as people type them (no diacritics, đ as d, lower case),
 * split into words, abbreviations spelled out, small typos forgiven. Written here rather than taken
 * from a language library: the words are the province's own (indicator names, communes, period
 * forms), and none of the maintained Vietnamese NLP packages runs offline in Node without a model.
 */

/** "Bán lẻ tháng 10/2026" → "ban le thang 10/2026" (the one folding the pages' searches use too). */
export const fold = foldText

/** A question's words, folded: letters and digits, keeping "10/2026" and "2026-10" whole. */
export function words(s: string): string[] {
  return fold(s)
    .replace(/[^a-z0-9/\-.]+/g, ' ')
    .replace(/(^|\s)[.\-/]+|[.\-/]+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
}

/** Abbreviations people write for the words in indicator names (folded), spelled out both in names and questions. */
export const ABBREVIATIONS: Record<string, string> = {
  dn: 'doanh nghiep',
  tngt: 'tai nan giao thong',
  nsnn: 'ngan sach nha nuoc',
  bhxh: 'bao hiem xa hoi',
  bhyt: 'bao hiem y te',
  ktxh: 'kinh te xa hoi',
  'kt-xh': 'kinh te xa hoi',
  ntm: 'nong thon moi',
  dvc: 'dich vu cong',
  tthc: 'thu tuc hanh chinh',
  xnk: 'xuat nhap khau',
  cpi: 'chi so gia tieu dung',
  iip: 'chi so san xuat cong nghiep',
  grdp: 'grdp',
  fdi: 'fdi',
  dtc: 'dau tu cong',
  ldtbxh: 'lao dong thuong binh xa hoi',
}

/** A text's words with each abbreviation spelled out (and kept, so "FDI" still matches "FDI"). */
export function expanded(ws: readonly string[]): string[] {
  return ws.flatMap((w) => (ABBREVIATIONS[w] && ABBREVIATIONS[w] !== w ? [w, ...ABBREVIATIONS[w]!.split(' ')] : [w]))
}

/** Levenshtein distance, stopped early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      best = Math.min(best, row[j]!)
    }
    if (best > max) return max + 1
    prev = row
  }
  return prev[b.length]!
}

/** Whether a typed word is a name's word: the same, or one letter off in a word of five letters or more. */
export function sameWord(typed: string, word: string): boolean {
  if (typed === word) return true
  if (typed.length < 5 || word.length < 5 || /\d/.test(typed)) return false
  return distance(typed, word, 1) <= 1
}

/** Words that carry no subject: question words, particles, units of time handled elsewhere. */
export const FILLER = new Set(
  (
    'bao nhieu la gi nhu the nao the nao sao co khong chua cua va voi o tai trong cho ve cac nhung mot so luong tong ' +
    'cho biet xem hay hoi toi minh duoc da dang se the nay a nhe vay thi ma cung con tinh hinh ket qua ' +
    'what how many much is are was were has have had with did does do the of in for at on by to show me tell please value'
  ).split(' '),
)
