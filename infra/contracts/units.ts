import type { Lang } from './question-words.ts'

/**
 * Every unit an indicator is measured in, in both languages. The catalogue refuses an indicator
 * whose unit is not here (infra/catalog/schema.ts), so a new unit comes with its English name and a
 * page in English never shows "tỷ đồng".
 */
export const UNIT_WORDS: Record<string, readonly [vi: string, en: string]> = {
  '%': ['%', '%'],
  'doanh nghiệp': ['doanh nghiệp', 'enterprises'],
  giường: ['giường', 'beds'],
  'giường/10.000 dân': ['giường/10.000 dân', 'beds per 10,000 people'],
  ha: ['ha', 'ha'],
  'học sinh': ['học sinh', 'pupils'],
  'hồ sơ': ['hồ sơ', 'dossiers'],
  hộ: ['hộ', 'households'],
  lượt: ['lượt', 'visits'],
  người: ['người', 'people'],
  'triệu USD': ['triệu USD', 'million USD'],
  'triệu đồng/người': ['triệu đồng/người', 'million VND per person'],
  'tỷ đồng': ['tỷ đồng', 'billion VND'],
  vụ: ['vụ', 'cases'],
  xã: ['xã', 'communes'],
}

/** A unit in the page's language (as given when the dictionary does not have it). */
export function unitText(unit: string | null | undefined, lang: Lang): string {
  if (!unit) return ''
  const words = UNIT_WORDS[unit]
  return words ? words[lang === 'vi' ? 0 : 1] : unit
}
