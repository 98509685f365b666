import { fail, ok, type Parsed } from './problem.ts'
import { readReferenceTsv } from './reference-data.ts'
import { vietnamDay } from '../time/periods.ts'
import * as clock from '../time/clock.ts'

/**
 * Số định danh cá nhân (CCCD), 12 digits: birth-registration province (3), century and gender (1),
 * birth year (2), random (6). No check digit. Rules: TT 07/2016/TT-BCA.
 */
export interface Cccd {
  cccd: string
  /** 3-digit birth-registration prefix (pre-2025 province). */
  birthProvinceCode: string
  birthProvinceName: string
  /** Province code since 01/07/2025 that the birth province now falls under. */
  province2025: string
  gender: 'nam' | 'nu'
  birthYear: number
}

const birthProvinces = new Map(
  readReferenceTsv<'cccd_code' | 'province_pre2025' | 'new_province_code_2025'>('cccd_birth_province_codes.tsv').map(
    (r) => [r.cccd_code, { name: r.province_pre2025, province2025: r.new_province_code_2025 }],
  ),
)

export function cccdBirthProvinces(): ReadonlyMap<string, { name: string; province2025: string }> {
  return birthProvinces
}

export function parseCccd(raw: string, today: Date = clock.now()): Parsed<Cccd> {
  // Spaces and dots people type to group the digits are not part of the number.
  const s = raw.replace(/[\s.]/g, '')
  if (s === '') return fail('cccd.empty', s)
  if (!/^\d+$/.test(s)) return fail('cccd.not_digits', s)
  if (s.length === 11) return fail('cccd.leading_zero_lost', s)
  if (s.length === 9) return fail('cccd.legacy_cmnd', s)
  if (s.length !== 12) return fail('cccd.length', s)
  const prefix = s.slice(0, 3)
  const province = birthProvinces.get(prefix)
  if (!province) return fail('cccd.province', s)
  const centuryDigit = Number(s[3])
  const birthYear = 1900 + Math.floor(centuryDigit / 2) * 100 + Number(s.slice(4, 6))
  if (birthYear > Number(vietnamDay(today).slice(0, 4))) return fail('cccd.birth_year_future', s)
  return ok({
    cccd: s,
    birthProvinceCode: prefix,
    birthProvinceName: province.name,
    province2025: province.province2025,
    gender: centuryDigit % 2 === 0 ? 'nam' : 'nu',
    birthYear,
  })
}

/**
 * The same checks as parseCccd, as a ClickHouse expression over a trimmed String expression `v`:
 * the problem code, or '' when valid. The loaders run it over whole deliveries at once.
 */
export function cccdProblemSql(raw: string, year = thisYear()): string {
  const v = `replaceRegexpAll(${raw}, '[\\\\s.]', '')`
  return `multiIf(
    ${v} = '', 'cccd.empty',
    NOT match(${v}, '^[0-9]+$'), 'cccd.not_digits',
    length(${v}) = 11, 'cccd.leading_zero_lost',
    length(${v}) = 9, 'cccd.legacy_cmnd',
    length(${v}) != 12, 'cccd.length',
    substring(${v}, 1, 3) NOT IN (${prefixesSql()}), 'cccd.province',
    ${birthYearSql(v)} > ${year}, 'cccd.birth_year_future',
    '')`
}

/**
 * True only for a CCCD cccdProblemSql accepts, written plainly (12 digits, nothing to strip). It is
 * the cheap test most rows of a delivery pass; anything else goes through cccdProblemSql.
 */
export function cccdPlainValidSql(raw: string, year = thisYear()): string {
  return `(match(${raw}, '^[0-9]{12}$') AND substring(${raw}, 1, 3) IN (${prefixesSql()}) AND ${birthYearSql(raw)} <= ${year})`
}

/** This year by kho's clock, in Vietnam: a birth year after it is in the future. */
const thisYear = () => Number(clock.today().slice(0, 4))
const prefixesSql = () => [...birthProvinces.keys()].map((k) => `'${k}'`).join(', ')
const birthYearSql = (v: string) => `(1900 + intDiv(toUInt16OrZero(substring(${v}, 4, 1)), 2) * 100 + toUInt16OrZero(substring(${v}, 5, 2)))`

/** The century/gender digit and year digits a CCCD must carry for a person born in `birthYear`. */
export function cccdBirthDigits(birthYear: number, gender: 'nam' | 'nu'): string {
  const century = Math.floor((birthYear - 1900) / 100)
  if (century < 0 || century > 4) throw new RangeError(`birth year ${birthYear} outside 1900–2399`)
  return `${century * 2 + (gender === 'nu' ? 1 : 0)}${String(birthYear % 100).padStart(2, '0')}`
}

/** Checks a parsed CCCD against the birth year and gender recorded beside it. */
export function checkCccdMatches(
  id: Cccd,
  person: { birthYear: number; gender: 'nam' | 'nu' },
): Parsed<Cccd> {
  if (id.birthYear !== person.birthYear) return fail('cccd.birth_year_mismatch', id.cccd)
  if (id.gender !== person.gender) return fail('cccd.gender_mismatch', id.cccd)
  return ok(id)
}
