import { sqlString } from './sql.ts'

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

/** A Date32 from year, month and day texts, or NULL when they name no real day (31/02, month 13). */
function realDateSql(y: string, m: string, d: string, key: string): string {
  const [yy, mm, dd] = [aliasFor('y', key), aliasFor('m', key), aliasFor('d', key)]
  const leap = `((${yy} % 4 = 0 AND ${yy} % 100 != 0) OR ${yy} % 400 = 0)`
  return `if((toUInt16OrZero(${y}) AS ${yy}) BETWEEN 1900 AND 2299 AND (toUInt8OrZero(${m}) AS ${mm}) BETWEEN 1 AND 12
      AND (toUInt8OrZero(${d}) AS ${dd}) BETWEEN 1 AND [31, if(${leap}, 29, 28), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][${mm}],
    makeDate32(${yy}, ${mm}, ${dd}), NULL)`
}

/** Makes an alias unique to the value expression, so each column's parts are computed once. */
function aliasFor(prefix: string, v: string): string {
  let h = 0
  for (const ch of v) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0
  return `_${prefix}${h.toString(36)}`
}

/**
 * dd/mm/yyyy, d/m/yyyy, ISO yyyy-mm-dd or an Excel serial day number (5 digits) → Nullable(Date32).
 * Impossible dates (31/02) are NULL, not rolled over into March. Excel serials count days from
 * 1899-12-30; Date32 starts in 1900, hence 1900-01-01 plus the serial less two.
 */
export function dateSql(v: string): string {
  const t = aliasFor('dt', v)
  const parts = aliasFor('dp', v)
  const slash = (i: number) => `substring(${t}, ${i}, 1) = '/'`
  const dash = (i: number) => `substring(${t}, ${i}, 1) = '-'`
  // The common dd/mm/yyyy is read by position, without a regular expression; other forms after it.
  return `multiIf(
    length((trimBoth(${v}) AS ${t})) = 10 AND ${slash(3)} AND ${slash(6)}, ${realDateSql(`substring(${t}, 7, 4)`, `substring(${t}, 4, 2)`, `substring(${t}, 1, 2)`, `vn${v}`)},
    length(${t}) = 10 AND ${dash(5)} AND ${dash(8)}, ${realDateSql(`substring(${t}, 1, 4)`, `substring(${t}, 6, 2)`, `substring(${t}, 9, 2)`, `iso${v}`)},
    match(${t}, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'), ${realDateSql(`(splitByChar('/', ${t}) AS ${parts})[3]`, `${parts}[2]`, `${parts}[1]`, `short${v}`)},
    match(${t}, '^[0-9]{5}$'), addDays(toDate32('1900-01-01'), toUInt32OrZero(${t}) - 2),
    NULL)`
}

/**
 * True only for text dateSql reads as a date, written plainly as dd/mm/yyyy: the cheap test most
 * cells of a delivery pass (dateSql builds the date; this only says there is one).
 */
export function datePlainSql(v: string): string {
  return `(length(${v}) = 10 AND substring(${v}, 3, 1) = '/' AND substring(${v}, 6, 1) = '/'
    AND substring(${v}, 7, 4) BETWEEN '1900' AND '2299' AND isNotNull(parseDateTime64OrNull(${v}, '%d/%m/%Y', 'UTC')))`
}

/** True only for text numberSql reads as a whole number, written plainly: optional minus, at most 15 digits. */
export function integerPlainSql(v: string): string {
  return `match(${v}, '^-?[0-9]{1,15}$')`
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

/** An enumerated column as the parsers need it: its codes and the labels people write for them. */
export interface EnumColumn {
  enum: readonly string[] | null
  enum_labels: readonly { value: string; label: string; label_en?: string | undefined }[]
}

/** How a cell is compared with an enumeration: trimmed, NFC, lower case ("Đang hoạt động" → "đang hoạt động"). */
export const enumKeySql = (v: string) => `lowerUTF8(normalizeUTF8NFC(trimBoth(${v})))`

/** A written form as enumKeySql compares it, in JavaScript. */
const enumKey = (form: string) => form.normalize('NFC').trim().toLowerCase()

/** The forms each label of a column is written in (Vietnamese, English), with the code they name. */
const labelForms = (c: EnumColumn) => c.enum_labels.flatMap((l) => [l.label, ...(l.label_en ? [l.label_en] : [])].map((f) => [f, l.value] as const))

/** Every written form the column accepts — its codes and their Vietnamese and English labels — as enumKeySql writes them. */
export function enumAccepted(c: EnumColumn): string[] {
  return [...new Set([...(c.enum ?? []), ...labelForms(c).map(([f]) => f)].map(enumKey))]
}

/** The code a cell names, by its code or a label (unknown text stays as written, lower case). */
export function enumCodeSql(c: EnumColumn, v: string): string {
  const key = enumKeySql(v)
  const pairs = labelForms(c)
  if (pairs.length === 0) return key
  return `transform(${key}, [${pairs.map(([f]) => sqlString(enumKey(f))).join(', ')}], [${pairs.map(([, code]) => sqlString(code)).join(', ')}], ${key})`
}

/** A code's label for people (the code itself where it has none): how a mart shows an enumerated value. */
export function enumLabelSql(c: EnumColumn, code: string): string {
  if (c.enum_labels.length === 0) return code
  return `transform(${code}, [${c.enum_labels.map((l) => sqlString(l.value)).join(', ')}], [${c.enum_labels.map((l) => sqlString(l.label)).join(', ')}], ${code})`
}
