import type { CatalogIndicator } from '../../catalog/load-catalog.ts'
import type { Commune } from '../../identifiers/admin-units.ts'
import { containing, lastPeriods, periodCode, periodEnd, type Period, type PeriodKind } from '../../time/periods.ts'
import type { Enterprise } from './enterprises.ts'
import type { Random } from './random.ts'

/** A province-wide level at the start of the series, its yearly growth, and how it varies. */
interface Level {
  base: number
  growth?: number
  season?: boolean
  noise?: number
}

/** Values for the demo, at the real magnitude of the merged Bắc Ninh province. */
const LEVELS: Record<string, Level> = {
  GRDP_CUR: { base: 78_000, growth: 0.13, season: true, noise: 0.02 },
  GRDP_CONST: { base: 52_000, growth: 0.1, season: true, noise: 0.02 },
  INV_TOTAL: { base: 38_000, growth: 0.1, season: true, noise: 0.05 },
  RETAIL_SALES: { base: 11_000, growth: 0.12, season: true, noise: 0.03 },
  EXPORT_VAL: { base: 5_500, growth: 0.08, season: true, noise: 0.06 },
  IMPORT_VAL: { base: 4_800, growth: 0.08, season: true, noise: 0.06 },
  PUBINV_PLAN: { base: 28_000, growth: 0.08 },
  PUBINV_DISB: { base: 1_800, growth: 0.1, season: true, noise: 0.15 },
  BUDGET_REV: { base: 5_200, growth: 0.1, season: true, noise: 0.08 },
  BUDGET_REV_DOM: { base: 3_600, growth: 0.1, season: true, noise: 0.08 },
  BUDGET_REV_EST: { base: 58_000, growth: 0.08 },
  FDI_REG_TOTAL: { base: 380, growth: 0.05, noise: 0.4 },
  FDI_REG_NEW: { base: 240, growth: 0.05, noise: 0.4 },
  FDI_REALISED: { base: 950, growth: 0.06, noise: 0.1 },
  ENT_NEW_CAP: { base: 4_500, growth: 0.08, season: true, noise: 0.2 },
  ENT_RESUMED: { base: 120, growth: 0.03, season: true, noise: 0.2 },
  ENT_SUSPENDED: { base: 200, growth: 0.03, season: true, noise: 0.2 },
  ENT_DISSOLVED: { base: 60, growth: 0.03, noise: 0.25 },
  TOURIST_TOTAL: { base: 550_000, growth: 0.12, season: true, noise: 0.08 },
  TOURIST_INTL: { base: 38_000, growth: 0.15, season: true, noise: 0.1 },
  TOURISM_REV: { base: 750, growth: 0.14, season: true, noise: 0.08 },
  POP_AVG: { base: 3_720_000, growth: 0.012 },
  POP_RESIDENT: { base: 3_650_000, growth: 0.012, noise: 0.002 },
  LABOUR_FORCE: { base: 2_080_000, growth: 0.01, noise: 0.005 },
  JOBS_CREATED: { base: 3_200, growth: 0.03, season: true, noise: 0.15 },
  SI_PARTICIPANTS: { base: 840_000, growth: 0.06, noise: 0.003 },
  TRAFFIC_ACC: { base: 38, growth: -0.05, noise: 0.25 },
  TRAFFIC_DEATHS: { base: 24, growth: -0.05, noise: 0.3 },
}

/** Index indicators: a level around which the published index moves. */
const INDEXES: Record<string, { centre: number; spread: number }> = {
  IIP: { centre: 108, spread: 4 },
  CPI: { centre: 103.3, spread: 0.8 },
}

/** Ratios delivered with their components: denominator level and the share drifting over the series. */
const RATIOS: Record<string, { den: Level; share: [number, number] }> = {
  FOREST_COVER: { den: { base: 482_000 }, share: [0.235, 0.241] },
  NTM_RATE: { den: { base: 66 }, share: [0.7, 0.88] },
  URBAN_RATE: { den: { base: 3_720_000, growth: 0.012 }, share: [0.39, 0.43] },
  UNEMP_RATE: { den: { base: 1_960_000, growth: 0.01 }, share: [0.021, 0.018] },
  TRAINED_LAB_RATE: { den: { base: 2_080_000, growth: 0.01 }, share: [0.32, 0.36] },
  SI_COVERAGE: { den: { base: 1_960_000, growth: 0.01 }, share: [0.41, 0.45] },
  HI_COVERAGE: { den: { base: 3_720_000, growth: 0.012 }, share: [0.93, 0.955] },
  POVERTY_RATE: { den: { base: 1_050_000, growth: 0.015 }, share: [0.021, 0.012] },
  ENROL_PRIMARY: { den: { base: 265_000, growth: 0.005 }, share: [0.993, 0.997] },
  HOSP_BEDS_10K: { den: { base: 3_720_000, growth: 0.012 }, share: [0.00295, 0.0031] },
  DVC_FULL_ONLINE: { den: { base: 42_000, growth: 0.1, season: true, noise: 0.1 }, share: [0.45, 0.72] },
  TTHC_ONTIME: { den: { base: 61_000, growth: 0.05, season: true, noise: 0.1 }, share: [0.965, 0.985] },
}

/** Seasonal factor by month (1–12): the Tết dip in February, the year-end rush. */
const SEASON = [1.02, 0.84, 0.97, 0.98, 1.0, 1.01, 0.99, 1.0, 1.01, 1.02, 1.04, 1.12]

const KIND: Record<string, PeriodKind> = { monthly: 'month', quarterly: 'quarter', yearly: 'year', school_year: 'year' }
const COUNT: Record<PeriodKind, number> = { month: 36, quarter: 12, year: 3 }
/** Targets set at the start of a year: the current year's is known before the year ends. */
const SET_AT_YEAR_START = new Set(['PUBINV_PLAN', 'BUDGET_REV_EST'])

/**
 * A count rounded up or down in proportion to its fraction (0.3 is 1 three times in ten), by a hash
 * of where and when rather than a draw, so the other draws stay as they were: a commune's rare
 * events (a few traffic deaths a month across 99 communes) are not 0 everywhere, every month.
 */
function roundAtRandom(v: number, key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0
  const floor = Math.floor(v)
  return floor + (h / 4294967296 < v - floor ? 1 : 0)
}

export interface ReportRow {
  indicator: string
  period: Period
  unit: string
  value: number
  plan: number | null
  unitOfMeasure: string
}

function seasonOf(p: Period): number {
  if (p.kind === 'month') return SEASON[p.index - 1]!
  if (p.kind === 'quarter') return SEASON.slice((p.index - 1) * 3, p.index * 3).reduce((a, b) => a + b, 0) / 3
  return 1
}

/** Years since the start of the series, for growth. */
function yearsSince(p: Period, first: Date): number {
  return (periodEnd(p).getTime() - first.getTime()) / (365.25 * 86_400_000)
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

/**
 * Founding times by commune of all enterprises and of the active ones (branches are not separate
 * enterprises in the counts), gathered as the register is made, so a period's count is two binary
 * searches and the register itself need not be kept.
 */
export class Foundings {
  private readonly byCommune = new Map<string, { all: number[]; active: number[] }>()

  add(e: Enterprise): void {
    if (e.code.includes('-')) return
    let f = this.byCommune.get(e.commune)
    if (!f) this.byCommune.set(e.commune, (f = { all: [], active: [] }))
    f.all.push(e.founded.getTime())
    if (e.status === 'dang_hoat_dong' || e.status === 'hoat_dong_tro_lai') f.active.push(e.founded.getTime())
  }

  sorted(): ReadonlyMap<string, { all: number[]; active: number[] }> {
    for (const f of this.byCommune.values()) for (const list of [f.all, f.active]) list.sort((a, b) => a - b)
    return this.byCommune
  }
}

/**
 * 36 months of every KT-XH indicator as their owners report them: monthly, quarterly or yearly,
 * by commune where the indicator is commune-level, with plans and seasonality. Enterprise counts
 * are derived from the generated business register, so the two sources reconcile.
 */
export function generateIndicatorReports(
  rng: Random,
  indicators: CatalogIndicator[],
  communes: Commune[],
  provinceCode: string,
  foundings: Foundings,
  asOf: Date,
  /** People per commune in the demo's population register and in social insurance now. */
  registers: {
    residents: ReadonlyMap<string, number>
    insured: ReadonlyMap<string, number>
    /** The accident register's month and its cases and deaths by commune. */
    accidents?: { month: string; byCommune: ReadonlyMap<string, { cases: number; deaths: number }> }
  } = { residents: new Map(), insured: new Map() },
): ReportRow[] {
  const shares = communes.map((c) => (c.type === 'phường' ? 1.5 : 1) * (0.5 + rng.next()))
  const shareSum = shares.reduce((a, b) => a + b, 0)
  const communeShare = shares.map((s) => s / shareSum)
  const rows: ReportRow[] = []
  const seriesStart = periodEnd(lastPeriods('month', 36, asOf)[0]!)
  const founded = foundings.sorted()
  /** How many of the sorted times are ≤ t. */
  const upTo = (sorted: number[], t: number) => {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]! <= t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  const levelAt = (level: Level, p: Period, share = 1) =>
    level.base *
    share *
    Math.pow(1 + (level.growth ?? 0), yearsSince(p, seriesStart)) *
    (level.season ? seasonOf(p) : 1) *
    (1 + (level.noise ?? 0) * rng.normal() * 0.5)

  for (const ind of indicators) {
    const kind = KIND[ind.frequency]!
    const periods = lastPeriods(kind, COUNT[kind], asOf)
    if (SET_AT_YEAR_START.has(ind.code)) periods.push(containing('year', asOf))
    const units = ind.level === 'commune' ? communes.map((c, i) => ({ code: c.code, share: communeShare[i]! })) : [{ code: provinceCode, share: 1 }]
    const integer = ['người', 'doanh nghiệp', 'lượt', 'vụ'].includes(ind.unit)
    for (const p of periods) {
      for (const u of units) {
        const push = (indicator: string, value: number, plan: number | null, unitOfMeasure: string) =>
          rows.push({ indicator, period: p, unit: u.code, value, plan, unitOfMeasure })
        if (ind.code === 'ENT_NEW' || ind.code === 'ENT_ACTIVE') {
          const end = periodEnd(p)
          const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 1))
          const inUnit = founded.get(u.code) ?? { all: [], active: [] }
          const value =
            ind.code === 'ENT_NEW' ? upTo(inUnit.all, end.getTime()) - upTo(inUnit.all, start.getTime() - 1) : upTo(inUnit.active, end.getTime())
          push(ind.code, value, Math.round(value * 1.05), ind.unit)
          continue
        }
        // Counts of people the registers hold are reported from the same people, a month-old figure
        // for each earlier month; now and then a commune's latest figure is off (kho flags it).
        const counted = ind.code === 'POP_RESIDENT' ? registers.residents : ind.code === 'SI_PARTICIPANTS' ? registers.insured : null
        if (counted && counted.size > 0) {
          const now = counted.get(u.code) ?? 0
          const monthsBefore = Math.round((asOf.getTime() - periodEnd(p).getTime()) / (30.44 * 86_400_000))
          const drift = Math.pow(1 + (LEVELS[ind.code]?.growth ?? 0) / 12, -monthsBefore)
          const off = monthsBefore <= 2 && rng.chance(0.05) ? 1 + rng.int(5, 12) / 100 : 1
          push(ind.code, Math.round(now * drift * off), null, ind.unit)
          continue
        }
        const level = LEVELS[ind.code]
        if (level) {
          const v = levelAt(level, p, u.share)
          // The accident register's month: the police report its own counts (kho checks them against it).
          const accidents = registers.accidents && p.kind === 'month' && periodCode(p) === registers.accidents.month ? (registers.accidents.byCommune.get(u.code) ?? { cases: 0, deaths: 0 }) : null
          const counted = accidents && ind.code === 'TRAFFIC_ACC' ? accidents.cases : accidents && ind.code === 'TRAFFIC_DEATHS' ? accidents.deaths : null
          const value = counted ?? (integer ? roundAtRandom(v, `${ind.code}|${u.code}|${periodCode(p)}`) : round(v, 1))
          push(ind.code, value, round(level.base * u.share * Math.pow(1 + (level.growth ?? 0) * 1.1, yearsSince(p, seriesStart)) * (level.season ? seasonOf(p) : 1), 1), ind.unit)
          continue
        }
        const index = INDEXES[ind.code]
        if (index) {
          push(ind.code, round(index.centre + index.spread * rng.normal() * 0.5, 2), index.centre, ind.unit)
          continue
        }
        const ratio = RATIOS[ind.code]
        if (ratio) {
          const t = yearsSince(p, seriesStart) / 3
          const share = ratio.share[0] + (ratio.share[1] - ratio.share[0]) * t
          const den = Math.max(1, Math.round(levelAt(ratio.den, p, u.share)))
          const num = Math.round(den * share * (1 + 0.02 * rng.normal()))
          // Operands that are components (snake_case) are delivered beside the ratio.
          if (ind.numerator && /^[a-z]/.test(ind.numerator)) push(ind.numerator, num, null, '')
          if (ind.denominator && /^[a-z]/.test(ind.denominator)) push(ind.denominator, den, null, '')
          push(ind.code, round((num / den) * ind.multiplier + ind.offset, 2), round(ratio.share[1] * ind.multiplier + ind.offset, 2), ind.unit)
        }
      }
    }
  }
  addDerivedRatios(rows)
  return rows
}

/** Ratios of other indicators, computed from the generated series so the numbers agree. */
function addDerivedRatios(rows: ReportRow[]) {
  // The province's rows by indicator (in order) and by indicator and period, looked up many times.
  const provinceRows = new Map<string, ReportRow[]>()
  const at = new Map<string, ReportRow>()
  for (const r of rows) {
    if (r.unit.length !== 2) continue
    const list = provinceRows.get(r.indicator)
    if (list) list.push(r)
    else provinceRows.set(r.indicator, [r])
    const key = `${r.indicator}|${periodCode(r.period)}`
    if (!at.has(key)) at.set(key, r)
  }
  const value = (indicator: string, code: string) => at.get(`${indicator}|${code}`)
  const province = rows.find((r) => r.unit.length === 2)?.unit ?? ''
  const byIndicator = (indicator: string) => provinceRows.get(indicator) ?? []
  for (const q of byIndicator('GRDP_CONST')) {
    const prev = value('GRDP_CONST', `${q.period.year - 1}-Q${q.period.index}`)
    if (prev) rows.push({ indicator: 'GRDP_GROWTH', period: q.period, unit: province, value: round((q.value / prev.value) * 100 - 100, 2), plan: 10, unitOfMeasure: '%' })
  }
  for (const pop of byIndicator('POP_AVG')) {
    const grdp = byIndicator('GRDP_CUR').filter((r) => r.period.year === pop.period.year)
    if (grdp.length === 4) {
      const sum = grdp.reduce((a, r) => a + r.value, 0)
      rows.push({ indicator: 'GRDP_PER_CAP', period: pop.period, unit: province, value: round((sum / pop.value) * 1000, 1), plan: null, unitOfMeasure: 'triệu đồng/người' })
    }
  }
  const ytdRatio = (code: string, flow: string, target: string) => {
    let ytd = 0
    for (const m of byIndicator(flow)) {
      ytd = m.period.index === 1 ? m.value : ytd + m.value
      const t = value(target, String(m.period.year))
      if (t) rows.push({ indicator: code, period: m.period, unit: province, value: round((ytd / t.value) * 100, 2), plan: round((m.period.index / 12) * 100, 2), unitOfMeasure: '%' })
    }
  }
  ytdRatio('PUBINV_DISB_RATE', 'PUBINV_DISB', 'PUBINV_PLAN')
  ytdRatio('BUDGET_REV_PCT', 'BUDGET_REV', 'BUDGET_REV_EST')
}
