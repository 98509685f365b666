/**
 * Reporting periods as agencies write them: "2026-03" (month), "2026-Q1" (quarter), "2026" (year),
 * with the labels Vietnamese reports use ("Tháng 3/2026", "Quý I/2026", "Năm 2026"; the same as
 * marts.dim_period's).
 */
import { VIETNAM_OFFSET_MINUTES } from './cron.ts'

export type PeriodKind = 'month' | 'quarter' | 'year'

export interface Period {
  kind: PeriodKind
  year: number
  /** Month 1–12 or quarter 1–4; 0 for a year. */
  index: number
}

export function periodCode(p: Period): string {
  switch (p.kind) {
    case 'month':
      return `${p.year}-${String(p.index).padStart(2, '0')}`
    case 'quarter':
      return `${p.year}-Q${p.index}`
    case 'year':
      return String(p.year)
  }
}

/** First day of the period, UTC. */
export function periodStart(p: Period): Date {
  const month = p.kind === 'month' ? p.index - 1 : p.kind === 'quarter' ? (p.index - 1) * 3 : 0
  return new Date(Date.UTC(p.year, month, 1))
}

/** Last day of the period, UTC. */
export function periodEnd(p: Period): Date {
  const months = p.kind === 'month' ? 1 : p.kind === 'quarter' ? 3 : 12
  const start = periodStart(p)
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 0))
}

/** The last `count` whole periods of a kind that ended before `asOf`, oldest first. */
export function lastPeriods(kind: PeriodKind, count: number, asOf: Date): Period[] {
  const periods: Period[] = []
  let p = containing(kind, asOf)
  while (periods.length < count) {
    p = previous(p)
    periods.unshift(p)
  }
  return periods
}

export function containing(kind: PeriodKind, d: Date): Period {
  const year = d.getUTCFullYear()
  const month = d.getUTCMonth() + 1
  if (kind === 'month') return { kind, year, index: month }
  if (kind === 'quarter') return { kind, year, index: Math.ceil(month / 3) }
  return { kind, year, index: 0 }
}

export function previous(p: Period): Period {
  if (p.kind === 'year') return { ...p, year: p.year - 1 }
  const n = p.kind === 'month' ? 12 : 4
  return p.index > 1 ? { ...p, index: p.index - 1 } : { ...p, year: p.year - 1, index: n }
}

/** "2026-03", "2026-Q1" or "2026" as a period; null for anything else. */
export function parsePeriod(code: string): Period | null {
  let m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(code)
  if (m) return { kind: 'month', year: Number(m[1]), index: Number(m[2]) }
  m = /^(\d{4})-Q([1-4])$/.exec(code)
  if (m) return { kind: 'quarter', year: Number(m[1]), index: Number(m[2]) }
  m = /^(\d{4})$/.exec(code)
  if (m) return { kind: 'year', year: Number(m[1]), index: 0 }
  return null
}

const ROMAN = ['I', 'II', 'III', 'IV']

/** "Tháng 3/2026", "Quý III/2026", "Năm 2026". */
export function periodLabel(p: Period): string {
  switch (p.kind) {
    case 'month':
      return `Tháng ${p.index}/${p.year}`
    case 'quarter':
      return `Quý ${ROMAN[p.index - 1]}/${p.year}`
    case 'year':
      return `Năm ${p.year}`
  }
}

/** The Vietnam calendar date of an instant, as YYYY-MM-DD. */
export const vietnamDay = (at: Date): string => new Date(at.getTime() + VIETNAM_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10)

/** A moment as a Vietnamese text writes it, in Vietnam's time: "25/11/2026 10:00". */
export function vietnamDayAndTime(at: Date): string {
  const t = new Date(at.getTime() + VIETNAM_OFFSET_MINUTES * 60_000).toISOString()
  return `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 16)}`
}
