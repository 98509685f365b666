/**
 * ClickHouse expressions that read values as Vietnamese agencies write them. Shared by the loaders'
 * checks and the transforms' standardisation, so "valid at load" and "parsed in std" agree.
 */

/** vi-VN ("1.234,5") or en ("1,234.5" / "1234.5") number text → Nullable(Float64). */
export function numberSql(v: string): string {
  const s = `replaceRegexpAll(trimBoth(${v}), '[\\\\s\\\\x{00A0}]', '')`
  // The separator that comes last is the decimal one; a lone separator followed by exactly three
  // digits in groups ("1.234" / "1,234,567") is a thousands separator.
  return `multiIf(
    match(${s}, '^[-+]?[0-9]+$'), toFloat64OrNull(${s}),
    match(${s}, '^[-+]?[0-9]{1,3}(\\\\.[0-9]{3})+(,[0-9]+)?$') OR match(${s}, '^[-+]?[0-9]+,[0-9]+$'),
      toFloat64OrNull(replaceAll(replaceAll(${s}, '.', ''), ',', '.')),
    match(${s}, '^[-+]?[0-9]{1,3}(,[0-9]{3})+(\\\\.[0-9]+)?$') OR match(${s}, '^[-+]?[0-9]*\\\\.[0-9]+([eE][-+]?[0-9]+)?$') OR match(${s}, '^[-+]?[0-9]+[eE][-+]?[0-9]+$'),
      toFloat64OrNull(replaceAll(${s}, ',', '')),
    NULL)`
}

/** The ISO yyyy-mm-dd form of a d/m/yyyy, dd/mm/yyyy or yyyy-mm-dd text, or '' when it is neither. */
function isoDateTextSql(v: string): string {
  const parts = `splitByChar('/', ${v})`
  return `multiIf(
    match(${v}, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'), concat(${parts}[3], '-', leftPad(${parts}[2], 2, '0'), '-', leftPad(${parts}[1], 2, '0')),
    match(${v}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'), ${v},
    '')`
}

/**
 * dd/mm/yyyy, d/m/yyyy, ISO yyyy-mm-dd or an Excel serial day number → Nullable(Date32).
 * Impossible dates (31/02) are NULL, not rolled over into March.
 */
export function dateSql(v: string): string {
  const t = `trimBoth(${v})`
  const iso = isoDateTextSql(t)
  return `multiIf(
    ${iso} != '' AND toString(toDate32OrNull(${iso})) = ${iso}, toDate32OrNull(${iso}),
    match(${t}, '^[0-9]{5}$'), toDate32('1899-12-30') + toUInt32OrZero(${t}),
    NULL)`
}

/** A date, optionally with hh:mm or hh:mm:ss after a space or "T" → Nullable(DateTime64(0)) in local time. */
export function dateTimeSql(v: string, timezone = 'Asia/Ho_Chi_Minh'): string {
  const t = `trimBoth(${v})`
  const datePart = `splitByRegexp('[ T]', ${t})[1]`
  const timePart = `if(match(${t}, '[ T]'), splitByRegexp('[ T]', ${t})[2], '00:00:00')`
  return `if(
    match(${t}, '^[0-9/\\\\-]+([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$') AND isNotNull(${dateSql(datePart)}),
    parseDateTime64BestEffortOrNull(concat(toString(${dateSql(datePart)}), ' ', ${timePart}), 0, '${timezone}'),
    NULL)`
}

export const TRUE_WORDS = ['1', 'true', 'có', 'co', 'x', 'yes', 'c', 'đúng']
export const FALSE_WORDS = ['0', 'false', 'không', 'khong', 'no', 'k', 'sai']

/** có/không, 1/0, x/(blank), true/false, yes/no → Nullable(Bool). */
export function booleanSql(v: string): string {
  const t = `lowerUTF8(trimBoth(${v}))`
  const list = (words: string[]) => words.map((w) => `'${w}'`).join(', ')
  return `multiIf(${t} IN (${list(TRUE_WORDS)}), true, ${t} IN (${list(FALSE_WORDS)}), false, NULL)`
}

/** Is `v` a reporting period: 2026-03, 2026-Q1 or 2026? */
export function periodOkSql(v: string): string {
  return `match(upperUTF8(trimBoth(${v})), '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$')`
}
