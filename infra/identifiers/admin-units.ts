import { fail, ok, type Parsed } from './problem.ts'
import { readReferenceTsv } from './reference-data.ts'

/** Administrative units in force since 01/07/2025: 34 provinces, communes with 5-digit codes, no districts. */
export interface Province {
  code: string
  name: string
  type: string
  communeCount: number
  /** Pre-2025 provinces merged into this one, e.g. "24 Bắc Giang,27 Bắc Ninh". */
  legacy: string
}

export interface Commune {
  code: string
  name: string
  type: 'xã' | 'phường' | 'đặc khu'
  provinceCode: string
  provinceName: string
}

const provinces = new Map(
  readReferenceTsv<'code' | 'name' | 'type' | 'commune_units' | 'legacy_codes_per_ward_mapping'>('provinces_2025.tsv').map(
    (r): [string, Province] => [
      r.code,
      { code: r.code, name: r.name, type: r.type, communeCount: Number(r.commune_units), legacy: r.legacy_codes_per_ward_mapping },
    ],
  ),
)

const communes = new Map(
  readReferenceTsv<'province_code' | 'province_name' | 'commune_code' | 'commune_name' | 'commune_type'>(
    'admin_units_2025.tsv',
  ).map((r): [string, Commune] => [
    r.commune_code,
    {
      code: r.commune_code,
      name: r.commune_name,
      type: r.commune_type as Commune['type'],
      provinceCode: r.province_code,
      provinceName: r.province_name,
    },
  ]),
)

export function allProvinces(): Province[] {
  return [...provinces.values()]
}

export function allCommunes(): Commune[] {
  return [...communes.values()]
}

export function communesOf(provinceCode: string): Commune[] {
  return allCommunes().filter((c) => c.provinceCode === provinceCode)
}

export function parseProvinceCode(raw: string): Parsed<Province> {
  const s = raw.trim()
  const found = provinces.get(s.length === 1 ? '0' + s : s)
  if (/^\d$/.test(s) && found) {
    return fail(
      'province.leading_zero_lost',
      `Mã tỉnh "${s}" chỉ có 1 chữ số: có thể đã mất số 0 ở đầu (mã 2 chữ số, ví dụ "0${s}")`,
      `Province code "${s}" has one digit: probably a lost leading zero (codes have 2 digits, e.g. "0${s}")`,
    )
  }
  if (!found) {
    return fail(
      'province.unknown',
      `Mã tỉnh "${s}" không có trong danh mục đơn vị hành chính từ 01/07/2025`,
      `Province code "${s}" is not among the province-level units in force since 01/07/2025`,
    )
  }
  return ok(found)
}

/** Validates a 5-digit commune code against the 2025 units; `provinceCode` also checks it lies in that province. */
export function parseCommuneCode(raw: string, provinceCode?: string): Parsed<Commune> {
  const s = raw.trim()
  if (!/^\d+$/.test(s)) {
    return fail('commune.format', `Mã xã "${s}" phải gồm 5 chữ số`, `Commune code "${s}" must be 5 digits`)
  }
  if (s.length < 5 && communes.has(s.padStart(5, '0'))) {
    return fail(
      'commune.leading_zero_lost',
      `Mã xã "${s}" có ${s.length} chữ số: có thể Excel đã làm mất số 0 ở đầu ("${s.padStart(5, '0')}"). Định dạng cột là Văn bản rồi nạp lại`,
      `Commune code "${s}" has ${s.length} digits: Excel probably dropped leading zeros ("${s.padStart(5, '0')}"). Format the column as Text and deliver again`,
    )
  }
  const commune = communes.get(s)
  if (!commune) {
    return fail(
      'commune.unknown',
      `Mã xã "${s}" không có trong danh mục đơn vị hành chính từ 01/07/2025 (mã cũ trước sáp nhập?)`,
      `Commune code "${s}" is not a unit in force since 01/07/2025 (a pre-merger code?)`,
    )
  }
  if (provinceCode !== undefined && commune.provinceCode !== provinceCode) {
    return fail(
      'commune.other_province',
      `Mã xã "${s}" (${commune.name}) thuộc ${commune.provinceName}, không thuộc tỉnh mã ${provinceCode}`,
      `Commune code "${s}" (${commune.name}) belongs to ${commune.provinceName}, not province ${provinceCode}`,
    )
  }
  return ok(commune)
}
