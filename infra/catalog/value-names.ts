import { communesOf } from '../identifiers/admin-units.ts'
import { timeSlotLabel, UNIT_LEVEL_WORDS } from '../contracts/question-words.ts'
import { parsePeriod } from '../time/periods.ts'
import type { Catalog } from './load-catalog.ts'

export type Lang = 'vi' | 'en'

/** A member's value by its name, where a code stands for something the catalogue names. */
export type ValueName = (member: string, value: string, lang: Lang) => string | undefined

/**
 * Codes in query results and filters by their names: indicators, administrative units, agencies,
 * unit levels, reporting periods — what an export's title block and columns print instead of "ENT_NEW" or "07210".
 * Members are recognised by their last part, as every view names them.
 */
export function valueNames(catalog: Pick<Catalog, 'indicator' | 'agency' | 'province'>): ValueName {
  let names = made.get(catalog)
  if (!names) made.set(catalog, (names = namesOf(catalog)))
  return names
}

/** One lookup per catalogue object: its indicators and agencies are read from it at each call, so a catalogue changed in place is seen. */
const made = new WeakMap<object, ValueName>()

function namesOf(catalog: Pick<Catalog, 'indicator' | 'agency' | 'province'>): ValueName {
  const units = new Map<string, string>([[catalog.province.code, catalog.province.name], ...communesOf(catalog.province.code).map((c) => [c.code, c.name] as const)])
  return (member, value, lang) => {
    const field = member.slice(member.lastIndexOf('.') + 1)
    if (field === 'indicator_code') {
      const i = catalog.indicator(value)
      return i && (lang === 'en' ? i.name_en : i.name_vi)
    }
    if (field === 'unit_code' || field === 'commune_code') return units.get(value)
    if (field === 'agency' || field === 'owner') return catalog.agency(value)?.name
    if (field === 'unit_level') return UNIT_LEVEL_WORDS[value]?.[lang === 'vi' ? 0 : 1]
    if (field === 'period') {
      // A reporting period's code ("2026-10", "2026-Q3", "2026") as its first day at its grain, in words.
      const p = parsePeriod(value)
      const month = p ? (p.kind === 'month' ? p.index : p.kind === 'quarter' ? (p.index - 1) * 3 + 1 : 1) : 0
      return p ? timeSlotLabel(`${p.year}-${String(month).padStart(2, '0')}-01`, p.kind, lang) : undefined
    }
    return undefined
  }
}
