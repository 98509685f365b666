import { fail, ok, trimCell, trimCellSql, type Parsed } from './problem.ts'
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
  const s = trimCell(raw)
  if (/^\d$/.test(s) && provinces.has('0' + s)) return fail('province.leading_zero_lost', s)
  const found = provinces.get(s)
  if (!found) return fail('province.unknown', s)
  return ok(found)
}

/** Validates a 5-digit commune code against the 2025 units; `provinceCode` also checks it lies in that province. */
export function parseCommuneCode(raw: string, provinceCode?: string): Parsed<Commune> {
  const s = trimCell(raw)
  if (!/^\d+$/.test(s)) return fail('commune.format', s)
  if (s.length < 5 && communes.has(s.padStart(5, '0'))) return fail('commune.leading_zero_lost', s)
  const commune = communes.get(s)
  if (!commune) return fail('commune.unknown', s)
  if (provinceCode !== undefined && commune.provinceCode !== provinceCode) return fail('commune.other_province', s)
  return ok(commune)
}

/**
 * An admin unit code as the KT-XH reports use it: the province itself (2 digits) or one of its
 * communes (5 digits).
 */
export function parseAdminUnitCode(raw: string, provinceCode: string): Parsed<Province | Commune> {
  const s = trimCell(raw)
  if (/^\d{1,2}$/.test(s)) {
    const p = parseProvinceCode(s)
    if (p.ok && p.value.code !== provinceCode) return fail('province.other', s)
    return p
  }
  return parseCommuneCode(s, provinceCode)
}

const ADMIN_UNITS = 'meta.admin_units'

/** parseCommuneCode as a ClickHouse expression over String `v` (reads meta.admin_units): a problem code or ''. */
export function communeProblemSql(raw: string, provinceCode: string): string {
  const v = trimCellSql(raw)
  return `multiIf(
    NOT match(${v}, '^[0-9]+$'), 'commune.format',
    length(${v}) < 5 AND leftPad(${v}, 5, '0') IN (SELECT commune_code FROM ${ADMIN_UNITS}), 'commune.leading_zero_lost',
    ${v} NOT IN (SELECT commune_code FROM ${ADMIN_UNITS}), 'commune.unknown',
    ${v} NOT IN (SELECT commune_code FROM ${ADMIN_UNITS} WHERE province_code = '${provinceCode}'), 'commune.other_province',
    '')`
}

/** True only for a commune code communeProblemSql accepts, written plainly: one of the province's own. */
export function communePlainValidSql(raw: string, provinceCode: string): string {
  return `${raw} IN (SELECT commune_code FROM ${ADMIN_UNITS} WHERE province_code = '${provinceCode}')`
}

/** parseProvinceCode as a ClickHouse expression over String `v`: a problem code or ''. */
export function provinceProblemSql(raw: string): string {
  const v = trimCellSql(raw)
  const codes = [...provinces.keys()].map((c) => `'${c}'`).join(', ')
  return `multiIf(
    match(${v}, '^[0-9]$') AND concat('0', ${v}) IN (${codes}), 'province.leading_zero_lost',
    ${v} NOT IN (${codes}), 'province.unknown',
    '')`
}

/** parseAdminUnitCode as a ClickHouse expression over String `v`: a problem code or ''. */
export function adminUnitProblemSql(raw: string, provinceCode: string): string {
  const v = trimCellSql(raw)
  return `if(match(${v}, '^[0-9]{1,2}$'),
    if(${provinceProblemSql(v)} != '', ${provinceProblemSql(v)}, if(${v} != '${provinceCode}', 'province.other', '')),
    ${communeProblemSql(v, provinceCode)})`
}
