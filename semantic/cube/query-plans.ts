import { localTimestampToUtc } from '@cubejs-backend/shared'

/**
 * Compiled query plans by shape. Cube's query builder costs ~10–25 ms a query while running the
 * SQL on the marts costs a few; queries of one shape (the same members, operators, granularities,
 * order, limit — and the filters the caller's policy added) differ only in their values, which
 * Cube passes as parameters. So a plan keeps the SQL and, for each parameter, which value of the
 * query it came from and how Cube converted it; a later query of the shape binds its own values.
 *
 * A plan is only kept when every parameter is explained by exactly one value and every value is
 * used: a value Cube inlined into the SQL, or two equal values, leave the shape uncached (the
 * query compiles as before). The conversions are Cube's own (dates at the range's start or end,
 * in the query's time zone, through @cubejs-backend/shared as Cube's builder does).
 */

/**
 * How a parameter derives from a value: as given; with LIKE's wildcards escaped (contains,
 * startsWith… — Cube escapes \\, _ and %); or a local date/time as the UTC instant of a range's
 * start or end (the marts), or as that local time itself (a rollup, whose times are local).
 */
type Form = 'value' | 'like' | 'from' | 'to' | 'localFrom' | 'localTo'
export interface Binding {
  slot: number
  form: Form
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const LOCAL_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/
const UTC_FORMAT = 'YYYY-MM-DD[T]HH:mm:ss.SSS[Z]'

/** A value's lexical kind, part of the shape: Cube treats a date, a local time and other text differently. */
const kindOf = (v: string) => (DATE.test(v) ? 'd' : LOCAL_MS.test(v) ? 't' : 's')

/** A parameter as Cube makes it from a value (null where the form does not apply to it). */
export function convert(value: string, form: Form, timezone: string): string | null {
  if (form === 'value') return value
  if (form === 'like') return value.replace(/([\\_%])/g, '\\$1')
  const start = form === 'from' || form === 'localFrom'
  const local = DATE.test(value) ? `${value}T${start ? '00:00:00.000' : '23:59:59.999'}` : LOCAL_MS.test(value) ? value : null
  if (local === null || form === 'localFrom' || form === 'localTo') return local
  try {
    return localTimestampToUtc(timezone, UTC_FORMAT, local)
  } catch {
    return null
  }
}

const LIKE_OPERATORS = new Set(['contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'])
const DATE_OPERATORS = new Set(['inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'])

/** The forms a value may take where it stands: its operator decides, not what it looks like. */
function formsFor(operator: string): Form[] {
  if (LIKE_OPERATORS.has(operator)) return ['like']
  if (DATE_OPERATORS.has(operator) || operator === 'dateRange') return ['from', 'to', 'localFrom', 'localTo']
  return ['value']
}

export interface Slots {
  /** The query with each value replaced by its kind: queries of one shape share a plan. */
  shape: string
  values: string[]
  /** Each value's forms, by the operator (or date range) it stands in. */
  forms: Form[][]
}

/** The query's values in a fixed order, with the forms each may take, and its shape. */
export function slotsOf(normalized: { filters: unknown; timeDimensions: unknown }): Slots {
  const values: string[] = []
  const forms: Form[][] = []
  const mark = (operator: string) => (v: unknown) => {
    values.push(String(v))
    forms.push(formsFor(operator))
    return `?${kindOf(String(v))}`
  }
  const filter = (f: unknown): unknown => {
    const o = f as { and?: unknown[]; or?: unknown[]; values?: unknown[]; operator?: string }
    if (o.and) return { and: o.and.map(filter) }
    if (o.or) return { or: o.or.map(filter) }
    return o.values ? { ...o, values: o.values.map(mark(o.operator ?? '')) } : o
  }
  const filters = (normalized.filters as unknown[]).map(filter)
  const timeDimensions = (normalized.timeDimensions as { dateRange?: unknown[] }[]).map((t) => (t.dateRange ? { ...t, dateRange: t.dateRange.map(mark('dateRange')) } : t))
  return { shape: JSON.stringify({ ...normalized, filters, timeDimensions }), values, forms }
}

/**
 * Which value (and form) each of Cube's parameters came from, or null when that is not certain:
 * a parameter matching no value or several, or a value matching no parameter.
 */
export function explainParams(params: readonly unknown[], { values, forms }: Slots, timezone: string): Binding[] | null {
  const used = new Set<number>()
  const bindings: Binding[] = []
  for (const p of params) {
    const param = p instanceof Date ? p.toISOString() : String(p)
    const matches: Binding[] = []
    values.forEach((v, slot) => {
      for (const form of forms[slot]!) if (convert(v, form, timezone) === param) matches.push({ slot, form })
    })
    if (matches.length !== 1) return null
    bindings.push(matches[0]!)
    used.add(matches[0]!.slot)
  }
  return used.size === values.length ? bindings : null
}

/** The parameters for a query's values under a plan's bindings. */
export function bindParams(bindings: readonly Binding[], values: readonly string[], timezone: string): string[] | null {
  const out: string[] = []
  for (const b of bindings) {
    const p = convert(values[b.slot]!, b.form, timezone)
    if (p === null) return null
    out.push(p)
  }
  return out
}

/** Replaces Cube's positional `?` with named ClickHouse parameters, outside quotes and identifiers. */
export function toNamedParams(sql: string, values: unknown[]): { sql: string; params: Record<string, string> } {
  let out = ''
  let n = 0
  let quote: string | null = null
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!
    if (quote) {
      out += ch
      if (ch === '\\') out += sql[++i] ?? ''
      else if (ch === quote) quote = null
    } else if (ch === "'" || ch === '`' || ch === '"') {
      quote = ch
      out += ch
    } else if (ch === '?') {
      out += `{p${n++}:String}`
    } else out += ch
  }
  if (n !== values.length) throw new Error(`SQL has ${n} placeholders for ${values.length} values`)
  return { sql: out, params: Object.fromEntries(values.map((v, i) => [`p${i}`, v instanceof Date ? v.toISOString() : String(v)])) }
}
