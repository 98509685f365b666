import { describe, expect, it } from 'vitest'
import { julianDay, fromJulianDay, lunarToSolar } from './lunar.ts'
import { holidaysOf, WorkingCalendar } from './working-days.ts'

const day = (s: string) => new Date(`${s}T00:00:00Z`)
const iso = (d: Date) => d.toISOString().slice(0, 10)

describe('lunar calendar (UTC+7)', () => {
  it.each([
    [2015, '2015-02-19'], [2016, '2016-02-08'], [2017, '2017-01-28'], [2018, '2018-02-16'], [2019, '2019-02-05'],
    [2020, '2020-01-25'], [2021, '2021-02-12'], [2022, '2022-02-01'], [2023, '2023-01-22'], [2024, '2024-02-10'],
    [2025, '2025-01-29'], [2026, '2026-02-17'], [2027, '2027-02-06'], [2028, '2028-01-26'], [2029, '2029-02-13'],
  ])('puts Tết %i on %s', (year, date) => {
    expect(iso(lunarToSolar(1, 1, year))).toBe(date)
  })

  it('follows Vietnam time where it parts from China (UTC+8): 2007 and 2030', () => {
    expect(iso(lunarToSolar(1, 1, 2007))).toBe('2007-02-17')
    expect(iso(lunarToSolar(1, 1, 2030))).toBe('2030-02-02')
  })

  it("puts Hùng Kings' day (10/3 lunar) where the calendar does", () => {
    expect([2019, 2022, 2023, 2024, 2025].map((y) => iso(lunarToSolar(10, 3, y)))).toEqual(['2019-04-14', '2022-04-10', '2023-04-29', '2024-04-18', '2025-04-07'])
  })

  it('handles leap months (2023 had a leap 2nd month)', () => {
    expect(iso(lunarToSolar(1, 2, 2023, true))).toBe('2023-03-22')
    expect(() => lunarToSolar(1, 5, 2023, true)).toThrow(RangeError)
  })

  it('converts Julian day numbers both ways', () => {
    expect(julianDay(1, 1, 2000)).toBe(2451545)
    expect(fromJulianDay(2451545)).toEqual({ day: 1, month: 1, year: 2000 })
  })
})

describe('working days', () => {
  it('lists the public holidays of a year, with days given back for weekend ones', () => {
    const h = holidaysOf(2026).map((x) => x.date)
    expect(h).toEqual(expect.arrayContaining(['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-04-26', '2026-04-30', '2026-05-01', '2026-09-01', '2026-09-02']))
    // Hùng Kings' day 2026 is a Sunday: given back on Monday 27/4.
    expect(holidaysOf(2026)).toContainEqual({ date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)' })
  })

  it('counts working days across Tết and weekends, with configured swaps', () => {
    const cal = new WorkingCalendar(2025, 2027)
    expect(cal.isWorkingDay(day('2026-02-18'))).toBe(false)
    expect(cal.dayOffReason(day('2026-02-18'))).toMatch(/Tết Nguyên đán/)
    expect(cal.dayOffReason(day('2026-11-21'))).toBe('Cuối tuần')
    // A file change on Friday 13/02/2026, due within 2 working days: Tết takes 16–20/02, so 24/02.
    expect(iso(cal.addWorkingDays(day('2026-02-13'), 2))).toBe('2026-02-24')
    expect(iso(cal.nextWorkingDay(day('2026-04-30')))).toBe('2026-05-04')
    expect(cal.workingDaysLate(day('2026-02-13'), day('2026-02-24'))).toBe(2)
    const swapped = new WorkingCalendar(2026, 2026, { nationalDayExtra: 'before', daysOff: ['2026-02-13'], workingDays: ['2026-02-28'] })
    expect(swapped.isWorkingDay(day('2026-02-13'))).toBe(false)
    expect(swapped.isWorkingDay(day('2026-02-28'))).toBe(true)
  })
})
