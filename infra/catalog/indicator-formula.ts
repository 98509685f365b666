import type { Component, Indicator } from './schema.ts'

type Words = { vi: string; en: string }

const AGGREGATION: Record<string, Words> = {
  sum: { vi: 'Cộng dồn các đơn vị và các kỳ', en: 'Sum over units and periods' },
  last: { vi: 'Số cuối kỳ (không cộng dồn theo thời gian)', en: 'Value at the end of the period (not added over time)' },
  index: { vi: 'Chỉ số được công bố (không tổng hợp lại)', en: 'Published index (never re-aggregated)' },
  survey: { vi: 'Số điều tra được công bố (không tổng hợp lại)', en: 'Published survey figure (never re-aggregated)' },
}

const SUFFIX: [RegExp, Words][] = [
  [/_ytd$/, { vi: 'lũy kế từ đầu năm', en: 'year to date' }],
  [/_prev_year_same_period$/, { vi: 'cùng kỳ năm trước', en: 'same period last year' }],
]

const number = (n: number, lang: 'vi' | 'en') => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')

/**
 * How an indicator is computed, in words: a ratio names its numerator and denominator by their names
 * (an indicator, a declared component, or either's year-to-date or last-year form), not their codes.
 */
export function indicatorFormula(ind: Indicator, operands: { indicators: readonly Indicator[]; components: readonly Component[] }): Words {
  if (ind.aggregation !== 'ratio' || !ind.numerator || !ind.denominator) return AGGREGATION[ind.aggregation] ?? { vi: ind.aggregation, en: ind.aggregation }
  const name = (term: string): Words => {
    const suffix = SUFFIX.find(([re]) => re.test(term))
    const base = suffix ? term.replace(suffix[0], '') : term
    const found = operands.indicators.find((i) => i.code === base) ?? operands.components.find((c) => c.code === base)
    const words = found ? { vi: found.name_vi, en: found.name_en } : { vi: base, en: base }
    return suffix ? { vi: `${words.vi} (${suffix[1].vi})`, en: `${words.en} (${suffix[1].en})` } : words
  }
  const [num, den] = [name(ind.numerator), name(ind.denominator)]
  const tail = (lang: 'vi' | 'en') =>
    `${ind.multiplier !== 1 ? ` × ${number(ind.multiplier, lang)}` : ''}${ind.offset ? ` ${ind.offset > 0 ? '+' : '−'} ${number(Math.abs(ind.offset), lang)}` : ''}`
  return { vi: `${num.vi} / ${den.vi}${tail('vi')}`, en: `${num.en} / ${den.en}${tail('en')}` }
}
