import { containing, parsePeriod, periodCode, periodEnd, periodLabel, periodStart, previous, vietnamDay, type Period } from '../../infra/time/periods.ts'
import type { PeriodRule } from './briefing-definition.ts'

/** The span a briefing reports on, as the semantic layer is asked about it. */
export interface BriefingPeriod {
  /** "2026-Q3", "2026-10", "2026", or "2026-05..2026-10" for six months. */
  code: string
  label: string
  /** Granularity the measures are aggregated to; null aggregates the whole span (six months). */
  granularity: 'month' | 'quarter' | 'year' | null
  start: string
  end: string
}

const iso = (d: Date) => d.toISOString().slice(0, 10)

export function ofPeriod(p: Period): BriefingPeriod {
  return { code: periodCode(p), label: periodLabel(p), granularity: p.kind, start: iso(periodStart(p)), end: iso(periodEnd(p)) }
}

/** The last complete period of the rule's kind before `at` (Vietnam time). */
export function periodForRule(rule: PeriodRule, at: Date): BriefingPeriod {
  const day = new Date(`${vietnamDay(at)}T00:00:00Z`)
  switch (rule) {
    case 'last_month':
      return ofPeriod(previous(containing('month', day)))
    case 'last_quarter':
      return ofPeriod(previous(containing('quarter', day)))
    case 'last_year':
      return ofPeriod(previous(containing('year', day)))
    case 'quarter_to_date':
      return quarterToDate(vietnamDay(at))
    case 'last_6_months': {
      const last = previous(containing('month', day))
      let first = last
      for (let i = 0; i < 5; i++) first = previous(first)
      return {
        code: `${periodCode(first)}..${periodCode(last)}`,
        label: `6 tháng (tháng ${first.index}/${first.year} – tháng ${last.index}/${last.year})`,
        granularity: null,
        start: iso(periodStart(first)),
        end: iso(periodEnd(last)),
      }
    }
  }
}

/** The quarter a day falls in, from its first day to that day ("2026-Q4..2026-11-20"). */
export function quarterToDate(day: string): BriefingPeriod {
  const q = containing('quarter', new Date(`${day}T00:00:00Z`))
  const whole = ofPeriod(q)
  if (day >= whole.end) return whole
  const [y, m, d] = day.split('-')
  return { code: `${whole.code}..${day}`, label: `${whole.label} (đến ngày ${d}/${m}/${y})`, granularity: null, start: whole.start, end: day }
}

/** A period given on the command line or the API ("2026-Q3", "2026-10", "2026"). */
export function periodFromCode(code: string): BriefingPeriod | null {
  const toDate = /^(\d{4}-Q[1-4])\.\.(\d{4}-\d{2}-\d{2})$/.exec(code)
  if (toDate) {
    const q = quarterToDate(toDate[2]!)
    return q.code.startsWith(toDate[1]!) && !Number.isNaN(Date.parse(toDate[2]!)) ? q : null
  }
  const p = parsePeriod(code)
  return p ? ofPeriod(p) : null
}
