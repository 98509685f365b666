import { lunarToSolar } from './lunar.ts'

/**
 * Vietnam's working calendar: Saturday and Sunday off, the public holidays of the Labour Code
 * 2019 (art. 112) — 1/1; Tết, the last day of the lunar year and the first four of the new one;
 * Hùng Kings' day, 10/3 lunar; 30/4 and 1/5; 2/9 and the day before or after it — with a holiday
 * falling on a weekend given back on the next working day, plus the days the government swaps each
 * year (extra days off and the Saturdays worked in return), which come from configuration.
 */
export interface CalendarConfig {
  /** Which day goes with 2/9: 'before' (1/9) or 'after' (3/9). */
  nationalDayExtra: 'before' | 'after'
  /** Extra days off decided for a year (yyyy-mm-dd), e.g. bridging days around Tết. */
  daysOff: string[]
  /** Weekend days worked in return (yyyy-mm-dd). */
  workingDays: string[]
}

export const DEFAULT_CALENDAR: CalendarConfig = { nationalDayExtra: 'before', daysOff: [], workingDays: [] }

export interface Holiday {
  date: string
  name: string
}

const iso = (d: Date) => d.toISOString().slice(0, 10)
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d))
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000)
const isWeekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6

/** The public holidays falling in a Gregorian year, with the days given back for weekend ones. */
export function holidaysOf(year: number, config: CalendarConfig = DEFAULT_CALENDAR): Holiday[] {
  const list: Holiday[] = []
  const add = (d: Date, name: string) => {
    if (d.getUTCFullYear() === year) list.push({ date: iso(d), name })
  }
  add(utc(year, 1, 1), 'Tết Dương lịch')
  // Tết falls between 21/1 and 20/2: its five days always lie within the same Gregorian year.
  const newYear = lunarToSolar(1, 1, year)
  add(addDays(newYear, -1), 'Tết Nguyên đán (30 Tết)')
  for (let i = 0; i < 4; i++) add(addDays(newYear, i), `Tết Nguyên đán (mùng ${i + 1})`)
  add(lunarToSolar(10, 3, year), 'Giỗ Tổ Hùng Vương (10/3 âm lịch)')
  add(utc(year, 4, 30), 'Ngày Chiến thắng (30/4)')
  add(utc(year, 5, 1), 'Ngày Quốc tế Lao động (1/5)')
  add(utc(year, 9, 2), 'Quốc khánh (2/9)')
  add(utc(year, 9, config.nationalDayExtra === 'before' ? 1 : 3), 'Quốc khánh (ngày liền kề)')

  // A holiday on a weekend is given back on the next day that is neither weekend nor holiday.
  const taken = new Set(list.map((h) => h.date))
  for (const h of [...list].sort((a, b) => a.date.localeCompare(b.date))) {
    const d = new Date(`${h.date}T00:00:00Z`)
    if (!isWeekend(d)) continue
    let back = addDays(d, 1)
    while (isWeekend(back) || taken.has(iso(back))) back = addDays(back, 1)
    taken.add(iso(back))
    add(back, `Nghỉ bù ${h.name}`)
  }
  for (const date of config.daysOff) if (date.startsWith(`${year}-`) && !taken.has(date)) list.push({ date, name: 'Nghỉ theo quyết định (hoán đổi)' })
  return list.sort((a, b) => a.date.localeCompare(b.date))
}

/** Working days over a range of years, answered from a precomputed set. */
export class WorkingCalendar {
  private readonly offDays = new Map<string, string>()
  private readonly extraWorking: Set<string>

  constructor(
    fromYear: number,
    toYear: number,
    config: CalendarConfig = DEFAULT_CALENDAR,
  ) {
    for (let y = fromYear; y <= toYear; y++) for (const h of holidaysOf(y, config)) this.offDays.set(h.date, h.name)
    this.extraWorking = new Set(config.workingDays)
  }

  /** Why a day is not worked, or null for a working day. */
  dayOffReason(d: Date): string | null {
    const key = iso(d)
    if (this.extraWorking.has(key)) return null
    return this.offDays.get(key) ?? (isWeekend(d) ? 'Cuối tuần' : null)
  }

  isWorkingDay(d: Date): boolean {
    return this.dayOffReason(d) === null
  }

  /** The day itself if worked, else the next working day. */
  nextWorkingDay(d: Date): Date {
    let x = d
    while (!this.isWorkingDay(x)) x = addDays(x, 1)
    return x
  }

  /** The date `n` working days after `d` (d itself not counted). */
  addWorkingDays(d: Date, n: number): Date {
    let x = d
    for (let left = n; left > 0; ) {
      x = addDays(x, 1)
      if (this.isWorkingDay(x)) left--
    }
    return x
  }

  /** Working days after `due` up to and including `done` (0 when on time). */
  workingDaysLate(due: Date, done: Date): number {
    let late = 0
    for (let x = addDays(due, 1); x <= done; x = addDays(x, 1)) if (this.isWorkingDay(x)) late++
    return late
  }
}
