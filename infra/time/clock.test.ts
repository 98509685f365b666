import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, ConfigError } from '../config.ts'
import { TEST_NOW } from '../testing/test-clock.ts'
import * as clock from './clock.ts'

afterEach(() => clock.setClock(TEST_NOW))

describe("kho's clock", () => {
  it('runs on from the instant it is set to, at the real pace', async () => {
    clock.setClock(new Date('2026-12-31T23:59:59.900+07:00'))
    expect(clock.today()).toBe('2026-12-31')
    await new Promise((r) => setTimeout(r, 150))
    expect(clock.today()).toBe('2027-01-01')
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(new Date('2027-01-01T00:00:00+07:00').getTime())
  })

  it('takes KHO_NOW as a day (09:00 in Vietnam) or a date-time with its zone, and refuses anything else', () => {
    expect(clock.parseClockSetting('2027-02-08')?.toISOString()).toBe('2027-02-08T02:00:00.000Z')
    expect(clock.parseClockSetting('2026-12-31T23:30:00+07:00')?.toISOString()).toBe('2026-12-31T16:30:00.000Z')
    for (const bad of ['2026-02-30', '2026-12-31T23:30:00', 'hôm nay', '']) expect(clock.parseClockSetting(bad)).toBeNull()
    expect(loadConfig({ KHO_NOW: '2027-01-04' }).now?.toISOString()).toBe('2027-01-04T02:00:00.000Z')
    expect(loadConfig({}).now).toBeNull()
    // A process started later continues the timeline KHO_NOW began.
    const since = Date.now() - 60_000
    const later = loadConfig({ KHO_NOW: '2027-01-04', KHO_NOW_SINCE: String(since) }).now!.getTime()
    expect(later - Date.parse('2027-01-04T02:00:00Z')).toBeGreaterThanOrEqual(60_000)
    expect(later - Date.parse('2027-01-04T02:00:00Z')).toBeLessThan(70_000)
    expect(() => loadConfig({ KHO_NOW: '31/12/2026' })).toThrow(ConfigError)
  })
})
