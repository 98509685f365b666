import { describe, expect, it } from 'vitest'
import { formatters } from './formatters.ts'
import { slotInYear } from '../../../infra/contracts/question-words.ts'
import { STRINGS } from './strings.ts'
import { SHEET_KINDS } from '../../../infra/contracts/briefing-sheets.ts'

describe('the dashboards’ formats', () => {
  it('shows a day as a day, whatever time Cube gives it (never a false 07:00)', () => {
    for (const lang of ['vi', 'en'] as const) {
      const fmt = formatters(lang)
      expect(fmt.day('2026-10-15 00:00:00')).toBe('15/10/2026')
      expect(fmt.day('2026-10-15T00:00:00.000')).toBe('15/10/2026')
      expect(fmt.day('2026-10-15')).toBe('15/10/2026')
      expect(fmt.day(null)).toBe('—')
    }
    // A moment keeps its time, in Vietnam's.
    expect(formatters('vi').date('2026-11-26T07:12:00Z')).toContain('14:12')
  })

  it('names a slot within a year short, in each language', () => {
    expect(['01', '10', 'Q3'].map((s) => slotInYear(s, 'vi'))).toEqual(['T1', 'T10', 'Quý III'])
    expect(['01', '10', 'Q3'].map((s) => slotInYear(s, 'en'))).toEqual(['Jan', 'Oct', 'Q3'])
    expect(slotInYear('năm', 'vi')).toBe('năm')
  })

  it('names every kind of briefing sheet in both languages (the briefings page lists them)', () => {
    expect(SHEET_KINDS.filter((k) => !(`sheet_${k}` in STRINGS))).toEqual([])
  })
})
