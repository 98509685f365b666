import { fail, ok, type Parsed } from './problem.ts'

/**
 * Mã số doanh nghiệp: 10 digits whose 10th is a check digit; a branch or dependent unit adds
 * "-NNN" (001–999). The canonical form keeps the dash: "0100047516-001".
 */
export interface EnterpriseCode {
  code: string
  /** The 10-digit code of the enterprise itself (the parent, for a branch). */
  parent: string
  branch: string | null
}

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3]

/** The check digit for the first nine digits, or null when none exists (S mod 11 = 0 gives 10). */
export function enterpriseCheckDigit(first9: string): number | null {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first9[i]), 0)
  const check = 10 - (sum % 11)
  return check === 10 ? null : check
}

export function parseEnterpriseCode(raw: string): Parsed<EnterpriseCode> {
  const s = raw.trim().replace(/\s/g, '')
  if (s === '') return fail('enterprise.empty', s)
  const m = /^(\d+)(?:-(\d+))?$/.exec(s)
  if (!m) return fail('enterprise.format', s)
  let main = m[1]!
  let branch = m[2] ?? null
  // 13 digits without the dash is how some systems store a branch.
  if (branch === null && main.length === 13) [main, branch] = [main.slice(0, 10), main.slice(10)]
  if (main.length === 9 && enterpriseCheckDigit('0' + main.slice(0, 8)) === Number(main[8])) {
    return fail('enterprise.leading_zero_lost', s)
  }
  if (main.length !== 10) return fail('enterprise.length', s)
  if (branch !== null && (branch.length !== 3 || branch === '000')) return fail('enterprise.branch', s)
  const expected = enterpriseCheckDigit(main.slice(0, 9))
  if (expected === null) return fail('enterprise.check_impossible', s)
  if (expected !== Number(main[9])) return fail('enterprise.check_digit', s)
  return ok({ code: branch ? `${main}-${branch}` : main, parent: main, branch })
}

/** ClickHouse expression: the check digit of the first nine digits of `d`, 10 when none exists. */
function checkDigitSql(d: string): string {
  return `(10 - arraySum(arrayMap((i, w) -> toUInt16OrZero(substring(${d}, i, 1)) * w, range(1, 10), [${WEIGHTS.join(', ')}])) % 11)`
}

/**
 * The same checks as parseEnterpriseCode, as a ClickHouse expression over a String expression
 * `raw`: the problem code, or '' when valid.
 */
export function enterpriseProblemSql(raw: string): string {
  const s = `replaceRegexpAll(trimBoth(${raw}), '\\\\s', '')`
  // main and branch, with a dashless 13-digit code read as a branch
  const main = `if(match(${s}, '^[0-9]{13}$'), substring(${s}, 1, 10), splitByChar('-', ${s})[1])`
  const branch = `if(match(${s}, '^[0-9]{13}$'), substring(${s}, 11, 3), if(position(${s}, '-') > 0, splitByChar('-', ${s})[2], ''))`
  return `multiIf(
    ${s} = '', 'enterprise.empty',
    NOT match(${s}, '^[0-9]+(-[0-9]+)?$'), 'enterprise.format',
    length(${main}) = 9 AND ${checkDigitSql(`concat('0', substring(${main}, 1, 8))`)} = toUInt16OrZero(substring(${main}, 9, 1)), 'enterprise.leading_zero_lost',
    length(${main}) != 10, 'enterprise.length',
    if(position(${s}, '-') > 0 OR length(${s}) = 13, length(${branch}) != 3 OR ${branch} = '000', 0), 'enterprise.branch',
    ${checkDigitSql(main)} = 10, 'enterprise.check_impossible',
    ${checkDigitSql(main)} != toUInt16OrZero(substring(${main}, 10, 1)), 'enterprise.check_digit',
    '')`
}
