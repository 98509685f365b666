import { useMemo } from 'react'
import type { IndicatorAnswer } from '../../../../../infra/contracts/catalog.ts'
import { foldText } from '../../../../../infra/contracts/question-words.ts'


/**
 * The indicators matching what was typed, with or without diacritics: each word typed starts a
 * word of the name (Vietnamese or English) or the code's start; names holding the words side by
 * side ("ban le" in "bán lẻ") come first.
 */
export function useIndicatorMatches(all: readonly IndicatorAnswer[], text: string): IndicatorAnswer[] {
  return useMemo(() => {
    const words = foldText(text).split(/\s+/).filter(Boolean)
    if (words.length === 0) return []
    const phrase = ` ${words.join(' ')}`
    const found = all.filter((i) => {
      const hay = foldText(`${i.name_vi} ${i.name_en}`).split(/[^a-z0-9]+/)
      return foldText(i.code).startsWith(words.join('_')) || words.every((w) => hay.some((h) => h.startsWith(w)))
    })
    const together = (i: IndicatorAnswer) => ` ${foldText(i.name_vi)} ${foldText(i.name_en)}`.replace(/[^a-z0-9]+/g, ' ').includes(phrase)
    return [...found.filter(together), ...found.filter((i) => !together(i))]
  }, [all, text])
}
