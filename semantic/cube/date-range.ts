import * as chrono from 'chrono-node'
import * as clock from '../../infra/time/clock.ts'

/**
 * Relative date ranges as Cube's API gateway reads them, in the query's time zone, and the
 * Vietnamese phrases users type. Cube's rules: `this|last|next <unit>` is the whole unit holding now,
 * moved by one (weeks are ISO weeks, Monday first); `last|next N <unit>s` are the N whole units
 * before (after) the current one; `today`, `yesterday`, `tomorrow`; `from X to Y` and anything else
 * are read by chrono-node (as Cube reads them), whole days unless the phrase names hours, minutes
 * or seconds. A range of whole days is given as two dates (Cube's compiler takes a date's end as
 * 23:59:59.999), a finer one as two local times.
 */

export type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
const UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const
const FINE: Unit[] = ['second', 'minute', 'hour']

/** A wall-clock time, held in a Date's UTC fields (no zone arithmetic on it). */
type Wall = Date

/** Now's wall clock in a time zone. */
export function wallNow(timezone: string, now = clock.now()): Wall {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  )
  return new Date(Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!, now.getUTCMilliseconds()))
}

/** A month moved, its day kept where the month has it, else the month's last (Jan 31 + 1 month = Feb 28). */
function addMonths(t: Wall, n: number): Wall {
  const y = t.getUTCFullYear()
  const m = t.getUTCMonth() + n
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  const out = new Date(t)
  out.setUTCFullYear(y, m, Math.min(t.getUTCDate(), last))
  return out
}

function add(t: Wall, unit: Unit, n: number): Wall {
  const ms = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as Record<string, number>
  if (unit in ms) return new Date(t.getTime() + n * ms[unit]!)
  return addMonths(t, unit === 'year' ? 12 * n : unit === 'quarter' ? 3 * n : n)
}

function startOf(t: Wall, unit: Unit): Wall {
  const y = t.getUTCFullYear()
  const mo = t.getUTCMonth()
  const d = t.getUTCDate()
  switch (unit) {
    case 'year':
      return new Date(Date.UTC(y, 0, 1))
    case 'quarter':
      return new Date(Date.UTC(y, mo - (mo % 3), 1))
    case 'month':
      return new Date(Date.UTC(y, mo, 1))
    case 'week':
      return new Date(Date.UTC(y, mo, d - ((t.getUTCDay() + 6) % 7)))
    case 'day':
      return new Date(Date.UTC(y, mo, d))
    case 'hour':
      return new Date(Date.UTC(y, mo, d, t.getUTCHours()))
    case 'minute':
      return new Date(Date.UTC(y, mo, d, t.getUTCHours(), t.getUTCMinutes()))
    case 'second':
      return new Date(Math.floor(t.getTime() / 1000) * 1000)
  }
}
const endOf = (t: Wall, unit: Unit): Wall => new Date(add(startOf(t, unit), unit, 1).getTime() - 1)

/** The range's two ends, as dates when it is whole days, else as local times. */
function format(range: [Wall, Wall], unit: Unit): [string, string] {
  const iso = (t: Wall) => t.toISOString().slice(0, 23)
  return FINE.includes(unit) ? [iso(range[0]), iso(range[1])] : [iso(range[0]).slice(0, 10), iso(range[1]).slice(0, 10)]
}

const VI_UNITS: Record<string, Unit> = { giây: 'second', phút: 'minute', giờ: 'hour', ngày: 'day', tuần: 'week', tháng: 'month', quý: 'quarter', năm: 'year' }
const vi = (w: string) => VI_UNITS[w]!

/** What users type in Vietnamese, as the English phrase Cube reads (N ngày gần đây = last N days, as Cube counts them). */
const VIETNAMESE: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^hôm nay$/, () => 'today'],
  [/^hôm qua$/, () => 'yesterday'],
  [/^ngày mai$/, () => 'tomorrow'],
  [/^(tuần|tháng|quý|năm) (này|nay)$/, (m) => `this ${vi(m[1]!)}`],
  [/^(tuần|tháng|quý|năm) (trước|vừa qua|ngoái)$/, (m) => `last ${vi(m[1]!)}`],
  [/^(tuần|tháng|quý|năm) (sau|tới)$/, (m) => `next ${vi(m[1]!)}`],
  [/^(\d{1,4}) (giây|phút|giờ|ngày|tuần|tháng|quý|năm) (gần đây|gần nhất|qua|vừa qua)$/, (m) => `last ${m[1]} ${vi(m[2]!)}`],
  [/^từ đầu (tuần|tháng|quý|năm)( đến nay)?$/, (m) => `to date ${vi(m[1]!)}`],
]

export const ACCEPTED_VI =
  '[từ ngày, đến ngày]; hôm nay, hôm qua; tuần/tháng/quý này, tuần/tháng/quý/năm trước, năm nay; N ngày/tuần/tháng/quý/năm gần đây; từ đầu tuần/tháng/quý/năm; hoặc như Cube: today, yesterday, this/last/next week|month|quarter|year, last N days|months, from 6 months ago to now, 2026-01-01'
export const ACCEPTED_EN =
  '[from, to]; today, yesterday; this/last/next day|week|month|quarter|year; last/next N days|weeks|months|quarters|years; from <date> to <date> (e.g. from 6 months ago to now); a single date (2026-01-01); in Vietnamese: hôm nay, tháng này, quý trước, 30 ngày gần đây, từ đầu năm…'

/** Thrown when a phrase is none of these; the caller words the 400. */
export class DateRangeError extends Error {}

/** A chrono result's components as a wall-clock time (chrono reads them against the reference's own fields). */
function wallOf(c: chrono.ParsedComponents): Wall {
  return new Date(Date.UTC(c.get('year')!, c.get('month')! - 1, c.get('day')!, c.get('hour') ?? 0, c.get('minute') ?? 0, c.get('second') ?? 0, c.get('millisecond') ?? 0))
}

/** The reference time for chrono: now's wall clock in the process's own fields, which chrono reads. */
const chronoReference = (now: Wall) => new Date(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds())

function parseOne(text: string, now: Wall): chrono.ParsedResult {
  const [result] = chrono.parse(text, chronoReference(now))
  if (!result) throw new DateRangeError(text)
  return result
}

/** A relative range in the given zone, as [from, to]; a DateRangeError when it is not one. */
export function parseDateRange(phrase: string, timezone: string, now = clock.now()): [string, string] {
  let text = phrase.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ')
  for (const [re, english] of VIETNAMESE) {
    const m = re.exec(text)
    if (m) {
      text = english(m)
      break
    }
  }
  const wall = wallNow(timezone, now)
  const unitOf = (w: string) => w.replace(/s$/, '') as Unit
  const unitRe = `(${UNITS.join('|')})s?`
  let m = new RegExp(`^to date ${unitRe}$`).exec(text)
  if (m) {
    const unit = unitOf(m[1]!)
    return format([startOf(wall, unit), endOf(wall, 'day')], 'day')
  }
  m = new RegExp(`^(this|last|next) ${unitRe}$`).exec(text)
  if (m) {
    const unit = unitOf(m[2]!)
    const at = add(wall, unit, m[1] === 'last' ? -1 : m[1] === 'next' ? 1 : 0)
    return format([startOf(at, unit), endOf(at, unit)], unit)
  }
  m = new RegExp(`^(last|next) (\\d{1,4}) ${unitRe}$`).exec(text)
  if (m) {
    const unit = unitOf(m[3]!)
    const n = Number(m[2])
    if (n < 1) throw new DateRangeError(phrase)
    return m[1] === 'last' ? format([startOf(add(wall, unit, -n), unit), endOf(add(wall, unit, -1), unit)], unit) : format([startOf(add(wall, unit, 1), unit), endOf(add(wall, unit, n), unit)], unit)
  }
  const days = { today: 0, yesterday: -1, tomorrow: 1 } as Record<string, number>
  if (text in days) {
    const at = add(wall, 'day', days[text]!)
    return format([startOf(at, 'day'), endOf(at, 'day')], 'day')
  }
  const exact = FINE.find((g) => text.includes(g)) ?? 'day'
  m = /^from (.+) to (.+)$/.exec(text)
  const [from, to] = m ? [parseOne(m[1]!, wall).start, parseOne(m[2]!, wall).start] : (() => {
    const r = parseOne(text, wall)
    // Only a phrase that is wholly a date or a range: "hello 2026" is not one.
    if (r.text.length < text.replace(/^(on|in|at) /, '').length - 1) throw new DateRangeError(phrase)
    return [r.start, r.end ?? r.start]
  })()
  const range: [Wall, Wall] = [startOf(wallOf(from), exact), endOf(wallOf(to), exact)]
  if (range[0] > range[1]) throw new DateRangeError(phrase)
  return format(range, exact)
}

/**
 * The days of one bucket of a granularity, from the bucket's start as a /load row gives it
 * ("2026-07-01T00:00:00.000" for July at month): ["2026-07-01", "2026-07-31"]. Finer units than a
 * day give the day. What a trace narrows a row's time to (semantic/trace).
 */
export function bucketDays(start: string, unit: Unit): [string, string] {
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(start)
  if (!day) throw new DateRangeError(`"${start}" is not a date`)
  const first = new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!))
  const whole = FINE.includes(unit) ? 'day' : unit
  const last = new Date(add(first, whole, 1).getTime() - 86_400_000)
  return [first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)]
}
