/**
 * kho's clock: the one "now" that decides every date — deadlines and late deliveries, the daily
 * digest, reporting periods, grants and keys in force, briefings, jobs, the demo's data. It is the
 * system clock unless set to run from another instant: for a run by KHO_NOW (to try deadlines and
 * digests "as of" a day), in tests by setClock (so a test's dates do not depend on the day it
 * runs). Once set, it runs on from that instant at the real pace, so durations and timers hold.
 *
 * The engine's own now()/today() never decide a date: SQL takes kho's day as a value
 * (`{{ today() }}` in transform models, a query parameter elsewhere).
 *
 * What it does not replace: elapsed time (durations, rate-limit windows, caches), token expiry and
 * row versions for ReplacingMergeTree, which read the system clock because they measure real time.
 */
import { vietnamDay } from './periods.ts'

let offsetMs = 0

/** Now, by kho's clock. */
export const now = (): Date => new Date(Date.now() + offsetMs)

/** Now in milliseconds since the epoch, by kho's clock. */
export const nowMs = (): number => Date.now() + offsetMs

/** Today's date in Vietnam (YYYY-MM-DD), by kho's clock. */
export const today = (): string => vietnamDay(now())

/** Sets the clock to run from `at` (null: the system clock again). */
export function setClock(at: Date | null): void {
  offsetMs = at === null ? 0 : at.getTime() - Date.now()
}

/** Whether the clock has been set away from the system clock. */
export const clockIsSet = (): boolean => offsetMs !== 0

/**
 * KHO_NOW as an instant: a day "2026-11-20" is 09:00 that day in Vietnam (a working morning);
 * otherwise an ISO date-time, which must carry its zone ("2026-12-31T23:30:00+07:00"). Null when
 * the text is neither.
 */
export function parseClockSetting(text: string): Date | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const at = day ? new Date(`${text}T09:00:00+07:00`) : /(Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(text) : null
  if (!at || Number.isNaN(at.getTime())) return null
  // Date accepts 2026-02-31 and rolls it over; a day that does not exist is refused instead.
  if (day && vietnamDay(at) !== text) return null
  return at
}
