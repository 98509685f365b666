import { fail, ok, type Parsed } from './problem.ts'
import { readReferenceTsv } from './reference-data.ts'

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

export function parseCccd(raw: string, today: Date = new Date()): Parsed<Cccd> {
  const s = raw.trim()
  if (s === '') return fail('cccd.empty', 'Thiếu số CCCD', 'CCCD is empty')
  if (!/^\d+$/.test(s)) {
    return fail('cccd.not_digits', `Số CCCD "${s}" chứa ký tự không phải chữ số`, `CCCD "${s}" contains non-digits`)
  }
  if (s.length === 11) {
    return fail(
      'cccd.leading_zero_lost',
      `Số CCCD "${s}" chỉ có 11 chữ số: có thể Excel đã làm mất số 0 ở đầu. Định dạng cột là Văn bản (Text) rồi nạp lại; kho không tự đoán`,
      `CCCD "${s}" has 11 digits: Excel probably dropped its leading zero. Format the column as Text and deliver again; kho does not guess`,
    )
  }
  if (s.length === 9) {
    return fail(
      'cccd.legacy_cmnd',
      `"${s}" là số CMND 9 chữ số cũ, không phải số CCCD 12 chữ số`,
      `"${s}" is a legacy 9-digit CMND, not a 12-digit CCCD`,
    )
  }
  if (s.length !== 12) {
    return fail('cccd.length', `Số CCCD "${s}" có ${s.length} chữ số, cần đúng 12`, `CCCD "${s}" has ${s.length} digits, needs 12`)
  }
  const prefix = s.slice(0, 3)
  const province = birthProvinces.get(prefix)
  if (!province) {
    return fail(
      'cccd.province',
      `Mã tỉnh nơi đăng ký khai sinh "${prefix}" của số CCCD "${s}" không tồn tại`,
      `Birth-province prefix "${prefix}" of CCCD "${s}" does not exist`,
    )
  }
  const centuryDigit = Number(s[3])
  const birthYear = 1900 + Math.floor(centuryDigit / 2) * 100 + Number(s.slice(4, 6))
  if (birthYear > today.getUTCFullYear()) {
    return fail(
      'cccd.birth_year_future',
      `Số CCCD "${s}" mang năm sinh ${birthYear}, sau năm hiện tại`,
      `CCCD "${s}" encodes birth year ${birthYear}, after the current year`,
    )
  }
  return ok({
    cccd: s,
    birthProvinceCode: prefix,
    birthProvinceName: province.name,
    province2025: province.province2025,
    gender: centuryDigit % 2 === 0 ? 'nam' : 'nu',
    birthYear,
  })
}

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
  if (id.birthYear !== person.birthYear) {
    return fail(
      'cccd.birth_year_mismatch',
      `Số CCCD "${id.cccd}" mang năm sinh ${id.birthYear} nhưng ngày sinh ghi năm ${person.birthYear}`,
      `CCCD "${id.cccd}" encodes birth year ${id.birthYear} but the birth date says ${person.birthYear}`,
    )
  }
  if (id.gender !== person.gender) {
    const vi = { nam: 'nam', nu: 'nữ' }
    return fail(
      'cccd.gender_mismatch',
      `Số CCCD "${id.cccd}" mang giới tính ${vi[id.gender]} nhưng bản ghi ghi ${vi[person.gender]}`,
      `CCCD "${id.cccd}" encodes gender ${id.gender} but the record says ${person.gender}`,
    )
  }
  return ok(id)
}
