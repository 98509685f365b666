/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) evaluated in a fixed
 * UTC offset: Vietnam keeps UTC+7 all year, so schedules are written in local time.
 * Supports *, lists, ranges and steps; like cron, when both day fields are restricted a day
 * matching either one fires.
 */
export const VIETNAM_OFFSET_MINUTES = 7 * 60

export interface CronSchedule {
  source: string
  minutes: Set<number>
  hours: Set<number>
  days: Set<number>
  months: Set<number>
  weekdays: Set<number>
  daysRestricted: boolean
  weekdaysRestricted: boolean
}

export class CronError extends Error {}

function field(text: string, min: number, max: number, name: string): Set<number> {
  const values = new Set<number>()
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part)
    if (!m) throw new CronError(`"${part}" is not a valid ${name} (cron)`)
    const step = m[4] ? Number(m[4]) : 1
    const from = m[1] === '*' ? min : Number(m[2])
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from
    if (step < 1 || from < min || to > max || from > to) throw new CronError(`"${part}" is out of range for ${name} (${min}–${max})`)
    for (let v = from; v <= to; v += step) values.add(v)
  }
  return values
}

export function parseCron(source: string): CronSchedule {
  const parts = source.trim().split(/\s+/)
  if (parts.length !== 5) throw new CronError(`"${source}": a cron expression has 5 fields (minute hour day month weekday)`)
  const [mi, h, d, mo, wd] = parts as [string, string, string, string, string]
  const weekdays = field(wd, 0, 7, 'weekday')
  if (weekdays.delete(7)) weekdays.add(0)
  return {
    source,
    minutes: field(mi, 0, 59, 'minute'),
    hours: field(h, 0, 23, 'hour'),
    days: field(d, 1, 31, 'day of month'),
    months: field(mo, 1, 12, 'month'),
    weekdays,
    daysRestricted: d !== '*',
    weekdaysRestricted: wd !== '*',
  }
}

function matches(s: CronSchedule, local: Date): boolean {
  if (!s.minutes.has(local.getUTCMinutes()) || !s.hours.has(local.getUTCHours()) || !s.months.has(local.getUTCMonth() + 1)) return false
  const day = s.days.has(local.getUTCDate())
  const weekday = s.weekdays.has(local.getUTCDay())
  if (s.daysRestricted && s.weekdaysRestricted) return day || weekday
  return day && weekday
}

/** The first time strictly after `after` at which the schedule fires. */
export function nextRun(schedule: CronSchedule, after: Date, offsetMinutes = VIETNAM_OFFSET_MINUTES): Date {
  const offset = offsetMinutes * 60_000
  // Work in "local" time represented as a UTC date, minute by minute from the next whole minute.
  let local = new Date(Math.floor((after.getTime() + offset) / 60_000) * 60_000 + 60_000)
  for (let i = 0; i < 60 * 24 * 366 * 5; i++) {
    if (matches(schedule, local)) return new Date(local.getTime() - offset)
    // Skip whole hours or days that cannot match, to keep the search short.
    if (!schedule.months.has(local.getUTCMonth() + 1) || !schedule.hours.has(local.getUTCHours())) {
      local = new Date(Math.floor(local.getTime() / 3_600_000) * 3_600_000 + 3_600_000)
    } else {
      local = new Date(local.getTime() + 60_000)
    }
  }
  throw new CronError(`"${schedule.source}" never fires`)
}

/** The last time at or before `at` at which the schedule fired, or null within the look-back window. */
export function previousRun(schedule: CronSchedule, at: Date, lookBackDays = 400, offsetMinutes = VIETNAM_OFFSET_MINUTES): Date | null {
  let t = new Date(at.getTime() - lookBackDays * 86_400_000)
  let last: Date | null = null
  for (;;) {
    const next = nextRun(schedule, t, offsetMinutes)
    if (next > at) return last
    last = next
    t = next
  }
}
