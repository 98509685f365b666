import { describe, expect, it } from 'vitest'
import { CronError, nextRun, parseCron, previousRun } from './cron.ts'

// Times are written in Vietnam time (UTC+7) to read like the schedules.
const vn = (s: string) => new Date(`${s}+07:00`)

describe('cron schedules in Vietnam time', () => {
  it.each([
    ['0 7 * * *', '2026-11-22T06:59:00', '2026-11-22T07:00:00'],
    ['0 7 * * *', '2026-11-22T07:00:00', '2026-11-23T07:00:00'],
    ['*/15 * * * *', '2026-11-22T10:07:30', '2026-11-22T10:15:00'],
    ['30 8 * * 1', '2026-11-22T09:00:00', '2026-11-23T08:30:00'], // Monday briefing; 22/11/2026 is a Sunday
    ['0 6 1 * *', '2026-11-22T00:00:00', '2026-12-01T06:00:00'],
    ['0 6 1 1,4,7,10 *', '2026-11-22T00:00:00', '2027-01-01T06:00:00'], // quarterly
    ['0 0 29 2 *', '2026-03-01T00:00:00', '2028-02-29T00:00:00'],
    ['0 9 15 * 5', '2026-11-22T00:00:00', '2026-11-27T09:00:00'], // day 15 OR Friday
    ['0 */6 * * *', '2026-11-22T23:59:00', '2026-11-23T00:00:00'],
  ])('%s after %s fires at %s', (expr, after, expected) => {
    expect(nextRun(parseCron(expr), vn(after))).toEqual(vn(expected))
  })

  it('finds the last run before a moment, for catching up runs missed while down', () => {
    expect(previousRun(parseCron('0 7 * * *'), vn('2026-11-22T06:00:00'))).toEqual(vn('2026-11-21T07:00:00'))
    expect(previousRun(parseCron('0 7 * * *'), vn('2026-11-22T07:00:00'))).toEqual(vn('2026-11-22T07:00:00'))
  })

  it('explains a malformed expression', () => {
    expect(() => parseCron('0 7 * *')).toThrow(CronError)
    expect(() => parseCron('61 * * * *')).toThrow(/out of range for minute/)
    expect(() => parseCron('0 7 * * mon')).toThrow(/weekday/)
  })
})
