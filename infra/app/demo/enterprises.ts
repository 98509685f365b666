import type { Commune } from '../../identifiers/admin-units.ts'
import { enterpriseCheckDigit } from '../../identifiers/enterprise-code.ts'
import { ddmmyyyy } from './dates.ts'
import { cumulativeOf, Reservoir, type Random } from './random.ts'

const VSIC = ['2610', '2630', '1410', '2592', '2790', '4100', '4290', '4322', '4520', '4659', '4663', '4711', '4933', '5210', '5510', '5610', '6201', '6810', '8559', '1079', '1629', '2220', '0111', '0150']
const WORDS = ['Kinh Bắc', 'Thuận Thành', 'Yên Phong', 'Quế Võ', 'Việt Yên', 'Lục Nam', 'Hòa Phát', 'Minh Long', 'Thành Công', 'Đông Á', 'Sao Mai', 'Hưng Thịnh', 'An Phát', 'Tân Tiến', 'Phúc Lộc', 'Bình Minh', 'Đại Dương', 'Trường Sơn']
const FORMS = ['Công ty TNHH', 'Công ty TNHH', 'Công ty Cổ phần', 'Công ty TNHH MTV', 'Doanh nghiệp tư nhân']
const STATUSES = ['dang_hoat_dong', 'tam_ngung', 'giai_the', 'hoat_dong_tro_lai'] as const
const STATUS_WEIGHTS = cumulativeOf([82, 8, 7, 3])

export const DOANH_NGHIEP_HEADER = ['Mã số doanh nghiệp', 'Tên doanh nghiệp', 'Ngày thành lập', 'Mã xã', 'Ngành kinh tế (VSIC)', 'Vốn điều lệ (triệu đồng)', 'Tình trạng', 'Ngày cập nhật']

export interface Enterprise {
  code: string
  commune: string
  founded: Date
  capital: number
  status: (typeof STATUSES)[number]
}

export interface EnterpriseDefects {
  enterprise_commune_pre2025: number
  enterprise_bad_check_digit: number
  enterprise_leading_zero_lost: number
  duplicate_enterprise: number
}

/**
 * Valid 10-digit enterprise codes, each issued once, without remembering them (two million would
 * be held otherwise): the n-th of a tax-office prefix is n scattered over its seven digits by a
 * multiplier coprime with 10^7; serials whose check digit cannot be made are skipped.
 */
class EnterpriseCodes {
  private readonly issued = new Map<string, number>()

  next(rng: Random): string {
    const prefix = rng.pick(['01', '02', '23', '24', '26', '27'])
    for (;;) {
      const n = this.issued.get(prefix) ?? 0
      if (n >= 10_000_000) throw new RangeError(`enterprise codes of prefix ${prefix} exhausted`)
      this.issued.set(prefix, n + 1)
      const first9 = prefix + String((n * 1_234_567 + Number(prefix) * 7_919) % 10_000_000).padStart(7, '0')
      const check = enterpriseCheckDigit(first9)
      if (check !== null) return first9 + check
    }
  }
}

// One formatter per number of decimals: toLocaleString builds a new one on every call, which made
// a quarter of the demo's writing time.
const viFormats = new Map<number, Intl.NumberFormat>()

/** vi-VN number text: dot for thousands, comma for decimals ("1.234,5"). */
export function viNumber(n: number, decimals = 0): string {
  let f = viFormats.get(decimals)
  if (!f) viFormats.set(decimals, (f = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })))
  return f.format(n)
}

/** Enterprises that may open branches: a bounded sample of those made so far (reservoir sampling). */
const PARENT_SAMPLE = 5_000
const MAX_BRANCHES = 20

export interface RegisterEntry {
  enterprise: Enterprise
  /** Its row in the register, and a second, later row when it was exported twice. */
  rows: string[][]
}

export const emptyEnterpriseDefects = (): EnterpriseDefects => ({ enterprise_commune_pre2025: 0, enterprise_bad_check_digit: 0, enterprise_leading_zero_lost: 0, duplicate_enterprise: 0 })

/**
 * The business register as Sở Tài chính exports it, one enterprise at a time: enterprises and
 * their branches (-NNN), with a few realistic defects counted in `defects` as they are made.
 */
export function* generateEnterprises(rng: Random, communes: Commune[], count: number, asOf: Date, oldCodes: Map<string, string[]>, defects: EnterpriseDefects): Generator<RegisterEntry> {
  const cumulative = cumulativeOf(communes.map((c) => (c.type === 'phường' ? 2 : 1) * (0.3 + rng.next())))
  const codes = new EnterpriseCodes()
  const parents = new Reservoir<{ e: Enterprise; branches: number }>(rng, PARENT_SAMPLE)
  const start = Date.UTC(1995, 0, 1)
  const span = asOf.getTime() - start
  for (let made = 0; made < count; made++) {
    let parent = parents.items.length > 50 && rng.chance(0.08) ? rng.pick(parents.items) : null
    if (parent && parent.branches >= MAX_BRANCHES) parent = null
    const code = parent ? `${parent.e.code}-${String(++parent.branches).padStart(3, '0')}` : codes.next(rng)
    // Registrations grow over time: draw the founding date skewed towards recent years.
    const founded = new Date(start + Math.floor(Math.sqrt(rng.next()) * span))
    const e: Enterprise = {
      code,
      commune: communes[rng.weighted(cumulative)]!.code,
      founded: parent && founded < parent.e.founded ? parent.e.founded : founded,
      capital: Math.round(Math.exp(7.5 + rng.normal() * 1.2)),
      status: STATUSES[rng.weighted(STATUS_WEIGHTS)]!,
    }
    if (!parent) parents.offer({ e, branches: 0 })
    const name = parent
      ? `Chi nhánh ${rng.pick(WORDS)} - ${rng.pick(FORMS)} ${rng.pick(WORDS)}`
      : `${rng.pick(FORMS)} ${rng.pick(WORDS)} ${rng.pick(['', 'Xanh', 'Việt', 'Group', 'Bắc Ninh'])}`.trim()
    const updated = new Date(Math.max(e.founded.getTime(), asOf.getTime() - rng.int(1, 900) * 86_400_000))
    const row = [code, name, ddmmyyyy(e.founded), e.commune, rng.pick(VSIC), viNumber(e.capital), e.status, ddmmyyyy(updated)]
    const roll = rng.next()
    if (roll < 0.002) {
      row[0] = code.slice(0, 9) + String((Number(code[9]) + 1) % 10) + code.slice(10)
      defects.enterprise_bad_check_digit++
    } else if (roll < 0.004 && code.startsWith('0')) {
      row[0] = code.slice(1)
      defects.enterprise_leading_zero_lost++
    } else if (roll < 0.006 && oldCodes.has(e.commune)) {
      row[3] = rng.pick(oldCodes.get(e.commune)!)
      defects.enterprise_commune_pre2025++
    }
    const rows = [row]
    if (rng.chance(0.003)) {
      rows.push([...row.slice(0, 6), row[6] === 'dang_hoat_dong' ? 'tam_ngung' : row[6]!, ddmmyyyy(asOf)])
      defects.duplicate_enterprise++
    }
    yield { enterprise: e, rows }
  }
}
