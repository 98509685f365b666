import { parseCron, type CronSchedule } from './cron.ts'

/**
 * A schedule in words, in Vietnamese and English ("07:00 ngày 5 tháng đầu mỗi quý"), for people
 * who should not read cron. Written here rather than taken from cronstrue, whose Vietnamese reads
 * "vào 5 ngày trong tháng" (on five days of the month) for day 5 and drops "every day". Covers what
 * kho's schedules use — fixed times, days of the month, months (each quarter's first month named
 * so), weekdays — and falls back to the expression itself for anything else (steps over minutes).
 */
export interface ScheduleWords {
  vi: string
  en: string
}

const WEEKDAY_VI = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy']
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTH_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b)
const same = (s: Set<number>, values: number[]) => s.size === values.length && values.every((v) => s.has(v))
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const pad = (n: number) => String(n).padStart(2, '0')
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`
const listVi = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} và ${items.at(-1)}` : (items[0] ?? ''))
const listEn = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? ''))

function times(s: CronSchedule): ScheduleWords | null {
  if (s.minutes.size !== 1 || s.hours.size > 4) return null
  const minute = sorted(s.minutes)[0]!
  const at = sorted(s.hours).map((h) => `${pad(h)}:${pad(minute)}`)
  return { vi: listVi(at), en: listEn(at) }
}

function months(s: CronSchedule): ScheduleWords {
  if (s.months.size === 12) return { vi: 'hằng tháng', en: 'every month' }
  if (same(s.months, [1, 4, 7, 10])) return { vi: 'tháng đầu mỗi quý', en: "of each quarter's first month" }
  if (same(s.months, [3, 6, 9, 12])) return { vi: 'tháng cuối mỗi quý', en: "of each quarter's last month" }
  const m = sorted(s.months)
  return { vi: `tháng ${listVi(m.map(String))}`, en: `in ${listEn(m.map((x) => MONTH_EN[x - 1]!))}` }
}

export function describeCron(expression: string): ScheduleWords {
  let s: CronSchedule
  try {
    s = parseCron(expression)
  } catch {
    return { vi: expression, en: expression }
  }
  const at = times(s)
  if (!at) return { vi: expression, en: expression }
  const everyDay = !s.daysRestricted && !s.weekdaysRestricted
  if (everyDay && s.months.size === 12) return { vi: `${at.vi} hằng ngày`, en: `${at.en} every day` }
  if (!s.daysRestricted && s.weekdaysRestricted && s.months.size === 12) {
    const wd = sorted(s.weekdays)
    if (same(s.weekdays, range(1, 5))) return { vi: `${at.vi} từ thứ Hai đến thứ Sáu`, en: `${at.en}, Monday to Friday` }
    return { vi: `${at.vi} ${listVi(wd.map((d) => WEEKDAY_VI[d]!))} hằng tuần`, en: `${at.en} every ${listEn(wd.map((d) => WEEKDAY_EN[d]!))}` }
  }
  if (s.daysRestricted && !s.weekdaysRestricted) {
    const days = sorted(s.days)
    const mo = months(s)
    if (s.months.size === 12) return { vi: `${at.vi} ngày ${listVi(days.map(String))} hằng tháng`, en: `${at.en} on the ${listEn(days.map(ordinal))} of every month` }
    const en = mo.en.startsWith('in ') ? `${at.en} on the ${listEn(days.map(ordinal))}, ${mo.en}` : `${at.en} on the ${listEn(days.map(ordinal))} ${mo.en}`
    return { vi: `${at.vi} ngày ${listVi(days.map(String))} ${mo.vi}`, en }
  }
  return { vi: expression, en: expression }
}
