import type { Column, Dataset } from '../infra/catalog/schema.ts'
import { adminUnitProblemSql, communePlainValidSql, communeProblemSql, provinceProblemSql } from '../infra/identifiers/admin-units.ts'
import { cccdPlainValidSql, cccdProblemSql } from '../infra/identifiers/cccd.ts'
import { enterpriseProblemSql } from '../infra/identifiers/enterprise-code.ts'
import { PROBLEMS, type ProblemCode } from '../infra/identifiers/problem.ts'
import { booleanSql, datePlainSql, dateSql, dateTimeSql, enumAccepted, enumKeySql, integerPlainSql, numberSql, periodOkSql } from '../infra/warehouse/parse-sql.ts'
import { quoteIdent, sqlString } from '../infra/warehouse/sql.ts'
import { MAX_VALUE_CHARS } from './readers/source-record.ts'

export { sqlString } from '../infra/warehouse/sql.ts'

/**
 * A pre-2025 commune code listed in the crosswalk is loaded as delivered: the standard layer maps
 * it to the 2025 unit and flags it. Codes in no list stay rejected.
 */
function acceptPre2025(problemSql: string, v: string, id: string): string {
  const alias = `_unit_${id}`
  return `if((${problemSql} AS ${alias}) = 'commune.unknown' AND ${v} IN (SELECT old_code FROM meta.commune_crosswalk), '', ${alias})`
}

/** What the checks need to know beyond the column: where the data is from and who sent it. */
export interface RuleContext {
  provinceCode: string
  /** Every indicator and component code of the catalogue. */
  indicatorCodes: string[]
  /** The codes the delivering agency may report. */
  ownedIndicatorCodes: string[]
}

const inList = (values: string[]) => (values.length ? values.map(sqlString).join(', ') : "''")

/** The problem code of one column's value, or '' when the value passes every rule of the contract. */
export function columnProblemSql(column: Column, ctx: RuleContext): string {
  const provinceCode = ctx.provinceCode
  const v = `trimBoth(${quoteIdent(column.id)})`
  const checks: [string, ProblemCode][] = []
  let identifier: string | null = null
  switch (column.identifier) {
    case 'cccd':
      // A legacy 9-digit CMND is loaded, not rejected: the standard layer keeps it apart and flags it.
      identifier = `if((${cccdProblemSql(v)} AS _cccd_${column.id}) = 'cccd.legacy_cmnd', '', _cccd_${column.id})`
      break
    case 'enterprise_code':
      identifier = enterpriseProblemSql(v)
      break
    case 'commune_code':
      identifier = acceptPre2025(communeProblemSql(v, provinceCode), v, column.id)
      break
    case 'province_code':
      identifier = provinceProblemSql(v)
      break
    case 'admin_unit_code':
      identifier = acceptPre2025(adminUnitProblemSql(v, provinceCode), v, column.id)
      break
    case null:
      break
  }
  switch (column.type) {
    case 'integer':
      checks.push([`NOT (isNotNull(${numberSql(v)}) AND ${numberSql(v)} = round(${numberSql(v)}))`, 'value.integer'])
      break
    case 'decimal':
      checks.push([`isNull(${numberSql(v)})`, 'value.decimal'])
      break
    case 'date':
      checks.push([`isNull(${dateSql(v)})`, 'value.date'])
      break
    case 'datetime':
      checks.push([`isNull(${dateTimeSql(v)})`, 'value.datetime'])
      break
    case 'boolean':
      checks.push([`isNull(${booleanSql(v)})`, 'value.boolean'])
      break
    case 'period':
      checks.push([`NOT ${periodOkSql(v)}`, 'value.period'])
      break
    case 'string':
      break
  }
  if (column.references === 'indicator') {
    checks.push([`${v} NOT IN (${inList(ctx.indicatorCodes)})`, 'indicator.unknown'])
    checks.push([`${v} NOT IN (${inList(ctx.ownedIndicatorCodes)})`, 'indicator.not_owned'])
  }
  if (column.pattern !== null) checks.push([`NOT match(${v}, ${sqlString(column.pattern)})`, 'value.pattern'])
  if (column.enum !== null) {
    // A code or a label people write for it ("Đang hoạt động" for dang_hoat_dong).
    checks.push([`${enumKeySql(v)} NOT IN (${enumAccepted(column).map(sqlString).join(', ')})`, 'value.enum'])
  }
  if (column.min !== null) checks.push([`${numberSql(v)} < ${column.min}`, 'value.min'])
  if (column.max !== null) checks.push([`${numberSql(v)} > ${column.max}`, 'value.max'])

  const branches = [
    `${v} = ''`,
    sqlString(column.required ? 'value.required' : ''),
    `length(${v}) > ${MAX_VALUE_CHARS}`,
    sqlString('value.too_long'),
    ...(identifier ? [`(${identifier}) != ''`, identifier] : []),
    ...checks.flatMap(([cond, code]) => [cond, sqlString(code)]),
  ]
  return `multiIf(${branches.join(',\n  ')},\n  '')`
}

/**
 * A condition true only for values every rule of the column accepts, written the plain way most
 * cells are (a 12-digit CCCD, a dd/mm/yyyy date, an enum value as listed): cheap enough for every
 * row, so the full rules run only on the few rows that fail it. A column whose rules have no plain
 * form falls back to its full rules. plain-rules.test.ts checks that plain never accepts what the
 * full rules refuse.
 */
export function columnPlainValidSql(column: Column, ctx: RuleContext): string {
  const plain = plainRulesSql(column, ctx)
  const fits = `length(${quoteIdent(column.id)}) <= ${MAX_VALUE_CHARS}`
  return plain === '1' ? fits : `(${plain} AND ${fits})`
}

function plainRulesSql(column: Column, ctx: RuleContext): string {
  const x = quoteIdent(column.id)
  const full = `(${columnProblemSql(column, ctx)}) = ''`
  const conds: string[] = []
  switch (column.identifier) {
    case 'cccd':
      conds.push(cccdPlainValidSql(x))
      break
    case 'commune_code':
      conds.push(communePlainValidSql(x, ctx.provinceCode))
      break
    case null:
      break
    default:
      return full
  }
  const numeric = column.type === 'integer' || column.type === 'decimal'
  if (numeric) conds.push(integerPlainSql(x))
  else if (column.type === 'date') conds.push(datePlainSql(x))
  else if (column.type !== 'string') return full
  if (!numeric && (column.min !== null || column.max !== null)) return full
  if (column.min !== null) conds.push(`toFloat64OrZero(${x}) >= ${column.min}`)
  if (column.max !== null) conds.push(`toFloat64OrZero(${x}) <= ${column.max}`)
  if (column.references === 'indicator') conds.push(`${x} IN (${inList(ctx.ownedIndicatorCodes)})`)
  if (column.pattern !== null) conds.push(`match(trimBoth(${x}), ${sqlString(column.pattern)})`)
  if (column.enum !== null) conds.push(`${x} IN (${column.enum.map(sqlString).join(', ')})`)
  // Every test but a pattern's already refuses an empty cell.
  const fillSure = conds.length > (column.pattern !== null ? 1 : 0)
  if (column.required) return allOfSql(fillSure ? conds : [`notEmpty(trimBoth(${x}))`, ...conds])
  return conds.length ? `(empty(trimBoth(${x})) OR ${allOfSql(conds)})` : '1'
}

/**
 * All of the conditions, evaluated on every row: bitAnd is not short-circuited, which for these
 * cheap tests is faster than AND's row masks.
 */
function allOfSql(conds: string[]): string {
  return conds.length === 1 ? `toUInt8(${conds[0]})` : conds.map((c) => `toUInt8(${c})`).reduce((a, b) => `bitAnd(${a}, ${b})`)
}

/**
 * Per row: the (column, problem code, value) of every rule it breaks, empty when it is good. Rows
 * that pass every column's plain test skip the full rules (ClickHouse evaluates if() branches
 * only for the rows that take them).
 */
export function rowProblemsSql(dataset: Pick<Dataset, 'columns'>, ctx: RuleContext): string {
  // A value past the limit is kept in its problem by its first characters only (the row in raw keeps it whole).
  const tuples = dataset.columns.map((c) => `tuple(${sqlString(c.id)}, ${columnProblemSql(c, ctx)}, if(length(${quoteIdent(c.id)}) > ${MAX_VALUE_CHARS}, concat(leftUTF8(trimBoth(${quoteIdent(c.id)}), 50), '…'), trimBoth(${quoteIdent(c.id)})))`)
  const plain = dataset.columns.map((c) => columnPlainValidSql(c, ctx)).filter((c) => c !== '1')
  const full = `arrayFilter(p -> p.2 != '', [${tuples.join(',\n')}])`
  return plain.length ? `if(${allOfSql(plain)}, [], ${full})` : full
}

/**
 * The reason for a (column, code) pair in one language, rendered in SQL from the same templates as
 * the TypeScript parsers: the column's label is filled in here, the value per row.
 */
export function reasonSql(dataset: Pick<Dataset, 'columns'>, columnExpr: string, codeExpr: string, valueExpr: string, lang: 'vi' | 'en'): string {
  const keys: string[] = []
  const templates: string[] = []
  for (const c of dataset.columns) {
    for (const [code, [vi, en]] of Object.entries(PROBLEMS)) {
      let template = (lang === 'vi' ? vi : en).replaceAll('{label}', lang === 'vi' ? c.label : (c.label_en ?? c.id))
      if (code === 'value.enum' && c.enum) {
        const named = (v: string) => c.enum_labels.find((l) => l.value === v)
        template += ` (${c.enum.map((v) => (named(v) ? `${lang === 'vi' ? named(v)!.label : (named(v)!.label_en ?? named(v)!.label)}` : v)).join(', ')})`
      }
      if (code === 'value.min' && c.min !== null) template += ` (${c.min})`
      if (code === 'value.max' && c.max !== null) template += ` (${c.max})`
      keys.push(sqlString(`${c.id}|${code}`))
      templates.push(sqlString(template))
    }
  }
  const template = `transform(concat(${columnExpr}, '|', ${codeExpr}), [${keys.join(', ')}], [${templates.join(', ')}], ${codeExpr})`
  return `replaceAll(replaceAll(${template}, '{value}', ${valueExpr}), '{length}', toString(lengthUTF8(${valueExpr})))`
}
