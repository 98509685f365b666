import { describe, expect, it } from 'vitest'
import { parseDateRange, wallNow } from './date-range.ts'

// 03:30 on Sunday 29 November 2026 in Vietnam (still the 28th in UTC): the zone decides the day.
const NOW = new Date('2026-11-28T20:30:00Z')
const VN = 'Asia/Ho_Chi_Minh'
const read = (phrase: string, tz = VN) => parseDateRange(phrase, tz, NOW)

describe('relative date ranges', () => {
  it("read as Cube's gateway reads them, in the query's time zone", () => {
    expect(read('today')).toEqual(['2026-11-29', '2026-11-29'])
    expect(read('today', 'UTC')).toEqual(['2026-11-28', '2026-11-28'])
    expect(read('Yesterday')).toEqual(['2026-11-28', '2026-11-28'])
    expect(read('tomorrow')).toEqual(['2026-11-30', '2026-11-30'])
    // ISO weeks, Monday first; Sunday the 29th closes the week of the 23rd.
    expect(read('this week')).toEqual(['2026-11-23', '2026-11-29'])
    expect(read('last week')).toEqual(['2026-11-16', '2026-11-22'])
    expect(read('last month')).toEqual(['2026-10-01', '2026-10-31'])
    expect(read('this quarter')).toEqual(['2026-10-01', '2026-12-31'])
    expect(read('last year')).toEqual(['2025-01-01', '2025-12-31'])
    // N whole units before the current one, as Cube counts them (today is not in "last 7 days").
    expect(read('last 7 days')).toEqual(['2026-11-22', '2026-11-28'])
    expect(read('last 12 months')).toEqual(['2025-11-01', '2026-10-31'])
    expect(read('next 2 quarters')).toEqual(['2027-01-01', '2027-06-30'])
    expect(read('last 3 hours')).toEqual(['2026-11-29T00:00:00.000', '2026-11-29T02:59:59.999'])
    // chrono-node, as Cube uses it, for the rest.
    expect(read('from 6 months ago to now')).toEqual(['2026-05-29', '2026-11-29'])
    expect(read('from 2026-01-01 to 2026-03-31')).toEqual(['2026-01-01', '2026-03-31'])
    expect(read('2026-01-01')).toEqual(['2026-01-01', '2026-01-01'])
    expect(read('March 5 2026 to April 2 2026')).toEqual(['2026-03-05', '2026-04-02'])
  })

  it('keep the day of month where a month is shorter (31 March, last month = February)', () => {
    expect(parseDateRange('last month', 'UTC', new Date('2026-03-31T12:00:00Z'))).toEqual(['2026-02-01', '2026-02-28'])
    expect(parseDateRange('last quarter', 'UTC', new Date('2026-05-31T12:00:00Z'))).toEqual(['2026-01-01', '2026-03-31'])
  })

  it('read the Vietnamese phrases users type, composed or not', () => {
    const same: [string, string][] = [
      ['hôm nay', 'today'], ['Hôm qua', 'yesterday'], ['tuần này', 'this week'], ['tháng này', 'this month'], ['tháng trước', 'last month'],
      ['quý này', 'this quarter'], ['quý trước', 'last quarter'], ['năm nay', 'this year'], ['năm trước', 'last year'], ['năm ngoái', 'last year'],
      ['30 ngày gần đây', 'last 30 days'], ['12  tháng qua', 'last 12 months'], ['tha\u0301ng trươ\u0301c', 'last month'],
    ]
    for (const [vi, en] of same) expect(read(vi), vi).toEqual(read(en))
    expect(read('từ đầu năm')).toEqual(['2026-01-01', '2026-11-29'])
    expect(read('từ đầu quý')).toEqual(['2026-10-01', '2026-11-29'])
  })

  it('refuse what is not a range', () => {
    for (const phrase of ['hello', 'next decade', 'last 0 days', 'from yesterday to 3 days ago', '', 'tháng', "2026-01-01'; DROP TABLE x"]) {
      expect(() => read(phrase), phrase).toThrow()
    }
  })

  it("take now's wall clock in the zone", () => {
    expect(wallNow(VN, NOW).toISOString()).toBe('2026-11-29T03:30:00.000Z')
  })
})
