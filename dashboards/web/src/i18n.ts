import { createContext, useContext } from 'react'
import { formatters } from './formatters.ts'
import { STRINGS, type Lang } from './strings.ts'

export type Key = keyof typeof STRINGS

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({ lang: 'vi', setLang: () => undefined })

export function useLang() {
  const { lang, setLang } = useContext(LangContext)
  const t = (k: Key) => STRINGS[k][lang === 'vi' ? 0 : 1]
  return { lang, setLang, t, fmt: formatters(lang) }
}
