import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { Unsupported, type Operand, type Predicate, type RollupPlan } from './rollup-plan.ts'

/**
 * Small rollups held in memory, so the queries they answer never take a turn on the embedded
 * engine (which runs one query at a time).
 *
 * Cube's query builder writes a rollup query in one narrow shape — `SELECT <column> <alias>, …,
 * sum(<column>) <alias> FROM rollups.<table> AS <x> WHERE <comparisons joined by AND/OR>
 * GROUP BY <aliases> ORDER BY <aliases> LIMIT n OFFSET m` — and this module evaluates exactly that
 * shape over columns loaded from the rollup table, with ClickHouse's meaning for each part (NULLs,
 * LIKE patterns, NULLS LAST ordering, DateTime comparisons). Anything outside it — a HAVING, a
 * function over a column, a sum of several floating-point values (ClickHouse's summation order is
 * not JavaScript's), an ILIKE pattern in a script other than Latin — gives `undefined`, and the engine answers as
 * before. No SQL library does this: the ones on npm parse SQL, none evaluates it with ClickHouse's
 * semantics, and the shape is small enough to check whole against the engine (rollups.test.ts).
 */

/** Rollups with more rows than this stay in ClickHouse only. */
export const MEMORY_ROLLUP_MAX_ROWS = 300_000

type Value = string | number | null

/** A rollup table's columns, as the engine's JSON gives them (64-bit integers as numbers). */
export interface MemoryTable {
  rows: number
  columns: Map<string, Value[]>
  types: Map<string, string>
  /** Row numbers by the values of some text columns (key: the columns), built on first use. */
  indexes: Map<string, Map<string, number[]>>
}

const TEXT = /^(Nullable\()?(LowCardinality\()?(Nullable\()?String\)*$/
const TIME = /^(Nullable\()?DateTime(64\(\d+, 'UTC'\)|\('UTC'\))\)?$/
const INTEGER = /^(Nullable\()?U?Int(8|16|32|64)\)?$/
const FLOAT = /^(Nullable\()?Float(32|64)\)?$/
/** A Float32 summed becomes a Float64 whose digits differ from the Float32 printed: left to the engine. */
const SUMMED_FLOAT = /^(Nullable\()?Float64\)?$/
const nullable = (type: string) => type.startsWith('Nullable(') || type.includes('(Nullable(')

/**
 * Loads a rollup table of `rowCount` rows (its builder has just counted them) into memory, or gives
 * null when it is too large or has types this module does not evaluate.
 */
export async function loadMemoryTable(wh: Warehouse, table: string, rowCount: number, maxRows = MEMORY_ROLLUP_MAX_ROWS): Promise<MemoryTable | null> {
  if (rowCount > maxRows) return null
  const described = await queryRows<{ name: string; type: string }>(wh.client, `DESCRIBE TABLE ${table}`)
  if (!described.every((c) => [TEXT, TIME, INTEGER, FLOAT].some((re) => re.test(c.type)))) return null
  // Column by column: a third of the time rows as objects take to parse and turn into columns.
  const result = await wh.client.query({ query: `SELECT * FROM ${table}`, format: 'JSONColumnsWithMetadata' })
  // (typed by the client as rows; this format's data is an object of columns)
  const { data } = (await result.json()) as unknown as { data: Record<string, Value[]> }
  const rows = data[described[0]?.name ?? '']?.length ?? 0
  // One copy of each repeated text (codes, names, periods repeat on most rows).
  const interned = new Map<string, string>()
  const columns = new Map<string, Value[]>(
    described.map((c) => {
      const column = data[c.name] ?? []
      for (let r = 0; r < column.length; r++) {
        const v = column[r]
        if (typeof v !== 'string') continue
        let s = interned.get(v)
        if (s === undefined) interned.set(v, (s = v))
        column[r] = s
      }
      return [c.name, column]
    }),
  )
  return { rows, columns, types: new Map(described.map((c) => [c.name, c.type])), indexes: new Map() }
}

// ---- evaluation, with ClickHouse's meaning ----

/** UTF-8 byte order, as ClickHouse compares strings (UTF-16 order differs only around surrogates). */
function compareText(a: string, b: string): number {
  if (a === b) return 0
  if (!/[\uD800-\uDFFF]/.test(a + b)) return a < b ? -1 : 1
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** A time as ClickHouse's parseDateTimeBestEffort reads a local 'YYYY-MM-DD[T ]hh:mm:ss[.fff]' (whole seconds), in ms. */
function timeParam(value: unknown): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(String(value))
  if (!m) throw new Unsupported()
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
}
/** A number as ClickHouse's toFloat64 reads a plain decimal; anything else is left to the engine (which refuses it). */
function numberParam(value: unknown): number {
  const text = String(value)
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) throw new Unsupported()
  return Number(text)
}
/** A DateTime column's value ('2026-01-01 00:00:00.000', UTC) in ms. */
const timeValue = (v: Value) => (v === null ? null : Date.parse(String(v).replace(' ', 'T') + 'Z'))

/**
 * ClickHouse's LIKE pattern (% any run, _ one character, \ escapes) as a RegExp, case folded as
 * ILIKE folds it. ClickHouse folds by Unicode's simple case folding, as JavaScript's `iu` does;
 * the two were compared letter by letter and differ outside the Latin script (the ohm sign and
 * omega, for one), so a pattern with other letters is left to the engine. Vietnamese, composed or
 * with combining marks, is Latin.
 */
function likeRegExp(pattern: string): RegExp {
  if (/[^\x00-\u024f\u0300-\u036f\u1e00-\u1eff]/.test(pattern)) throw new Unsupported()
  const literal = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '\\' && i + 1 < pattern.length) out += literal(pattern[++i]!)
    else if (ch === '%') out += '[\\s\\S]*'
    else if (ch === '_') out += '[\\s\\S]'
    else out += literal(ch)
  }
  return new RegExp(`^${out}$`, 'iu')
}

type RowTest = (row: number) => boolean

function compile(p: Predicate, table: MemoryTable, params: readonly unknown[]): RowTest {
  if ('and' in p) {
    const parts = p.and.map((x) => compile(x, table, params))
    return (r) => parts.every((f) => f(r))
  }
  if ('or' in p) {
    const parts = p.or.map((x) => compile(x, table, params))
    return (r) => parts.some((f) => f(r))
  }
  // NOT over a NULL comparison is NULL (false) in SQL; Cube writes NOT only around whole filters.
  if ('not' in p) throw new Unsupported()
  const values = table.columns.get(p.column)
  const type = table.types.get(p.column)
  if (!values || !type) throw new Unsupported()
  if (p.op === 'null') return p.negated ? (r) => values[r] !== null : (r) => values[r] === null
  const text = TEXT.test(type)
  const time = TIME.test(type)
  const value = (o: Operand) => ('literal' in o ? o.literal : params[o.param])
  const numeric = INTEGER.test(type) || FLOAT.test(type)
  if (p.op === 'in' && numeric && p.values.every((o) => 'param' in o && o.number)) {
    const set = new Set(p.values.map((o) => numberParam(value(o))))
    return p.negated ? (r) => values[r] !== null && !set.has(values[r] as number) : (r) => values[r] !== null && set.has(values[r] as number)
  }
  if (p.op === 'in') {
    if (!text || p.values.some((o) => 'param' in o && (o.time || o.number))) throw new Unsupported()
    const set = new Set(p.values.map((o) => String(value(o))))
    return p.negated ? (r) => values[r] !== null && !set.has(values[r] as string) : (r) => values[r] !== null && set.has(values[r] as string)
  }
  if (p.op === 'ilike') {
    if (!text) throw new Unsupported()
    const re = likeRegExp(p.parts.map((o) => String(value(o))).join(''))
    return (r) => values[r] !== null && re.test(values[r] as string) !== p.negated
  }
  const cmp = { '=': (c: number) => c === 0, '<>': (c: number) => c !== 0, '>': (c: number) => c > 0, '>=': (c: number) => c >= 0, '<': (c: number) => c < 0, '<=': (c: number) => c <= 0 }[p.op]
  if (time && 'param' in p.value && p.value.time) {
    const at = timeParam(value(p.value))
    return (r) => {
      const t = timeValue(values[r]!)
      return t !== null && cmp(t - at)
    }
  }
  if (numeric && 'param' in p.value && p.value.number) {
    const wanted = numberParam(value(p.value))
    return (r) => values[r] !== null && cmp((values[r] as number) - wanted)
  }
  if (!text || ('param' in p.value && (p.value.time || p.value.number))) throw new Unsupported()
  const wanted = String(value(p.value))
  if (p.op === '=') return (r) => values[r] === wanted
  if (p.op === '<>') return (r) => values[r] !== null && values[r] !== wanted
  return (r) => values[r] !== null && cmp(compareText(values[r] as string, wanted))
}

/** How many column sets of one table get an index, and how many value combinations one lookup may take. */
const MAX_INDEXES = 16
const MAX_LOOKUPS = 256

/** The key of a row (or of wanted values) in an index: the values joined, NULL as its own mark. */
const keyOf = (values: readonly Value[]) => values.map((v) => (v === null ? '\u0000' : String(v))).join('\u0001')

function indexOn(table: MemoryTable, columns: string[]): Map<string, number[]> | null {
  const name = columns.join(',')
  let index = table.indexes.get(name)
  if (!index) {
    if (table.indexes.size >= MAX_INDEXES) return null
    index = new Map()
    const data = columns.map((c) => table.columns.get(c)!)
    for (let r = 0; r < table.rows; r++) {
      const key = keyOf(data.map((d) => d[r]!))
      const list = index.get(key)
      if (list) list.push(r)
      else index.set(key, [r])
    }
    table.indexes.set(name, index)
  }
  return index
}

/**
 * The rows that the equalities and INs on text columns ANDed at the top of the WHERE narrow the
 * scan to (every other condition is still tested on each), or null to scan every row.
 */
function candidates(where: Predicate | null, table: MemoryTable, params: readonly unknown[]): number[] | null {
  const conjuncts = !where ? [] : 'and' in where ? where.and : [where]
  const wanted = new Map<string, Set<string>>()
  for (const c of conjuncts) {
    if (!('column' in c) || !TEXT.test(table.types.get(c.column) ?? '')) continue
    const operands = c.op === '=' ? [c.value] : c.op === 'in' && !c.negated ? c.values : null
    if (!operands || operands.some((o) => 'param' in o && (o.time || o.number))) continue
    const values = new Set(operands.map((o) => String('literal' in o ? o.literal : params[o.param])))
    const before = wanted.get(c.column)
    wanted.set(c.column, before ? new Set([...values].filter((v) => before.has(v))) : values)
  }
  if (wanted.size === 0) return null
  let columns = [...wanted.keys()].sort()
  const combinations = columns.reduce((n, c) => n * wanted.get(c)!.size, 1)
  // Too many combinations: the column with the fewest values alone.
  if (combinations > MAX_LOOKUPS) columns = [columns.reduce((a, b) => (wanted.get(a)!.size <= wanted.get(b)!.size ? a : b))]
  if (wanted.get(columns[0]!)!.size > MAX_LOOKUPS) return null
  const index = indexOn(table, columns)
  if (!index) return null
  let keys: string[][] = [[]]
  for (const c of columns) keys = keys.flatMap((k) => [...wanted.get(c)!].map((v) => [...k, v]))
  return keys.flatMap((k) => index.get(keyOf(k)) ?? [])
}

/** NULLs last whichever the direction, as ClickHouse orders by default. */
function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return compareText(String(a), String(b))
}

/**
 * The rows the engine would return for a plan over a table in memory, in its column order; or
 * undefined where ClickHouse's answer could differ (the engine answers then).
 */
export function evaluate(plan: RollupPlan, table: MemoryTable, params: readonly unknown[]): Record<string, Value>[] | undefined {
  try {
    const test = plan.where ? compile(plan.where, table, params) : () => true
    const columns = plan.select.map((s) => {
      const values = table.columns.get(s.column)
      const type = table.types.get(s.column)
      if (!values || !type || (s.sum && !INTEGER.test(type) && !SUMMED_FLOAT.test(type))) throw new Unsupported()
      return { ...s, values, float: SUMMED_FLOAT.test(type), nullable: nullable(type) }
    })
    const keys = columns.filter((c) => !c.sum)
    const sums = columns.filter((c) => c.sum)
    const groups = new Map<string, { first: number; totals: (number | null)[]; counts: number[] }>()
    const narrowed = candidates(plan.where, table, params)
    const count = narrowed ? narrowed.length : table.rows
    for (let n = 0; n < count; n++) {
      const r = narrowed ? narrowed[n]! : n
      if (!test(r)) continue
      const key = keyOf(keys.map((k) => k.values[r]!))
      let g = groups.get(key)
      if (!g) groups.set(key, (g = { first: r, totals: sums.map(() => null), counts: sums.map(() => 0) }))
      sums.forEach((s, j) => {
        const v = s.values[r]
        if (v === null) return
        g!.totals[j] = (g!.totals[j] ?? 0) + Number(v)
        g!.counts[j]!++
      })
    }
    // ClickHouse adds floats in its own order: more than one float in a sum is left to it.
    if ([...groups.values()].some((g) => sums.some((s, j) => s.float && g.counts[j]! > 1))) throw new Unsupported()
    if (!plan.grouped && groups.size === 0) groups.set('', { first: -1, totals: sums.map((s) => (s.nullable ? null : 0)), counts: sums.map(() => 0) })
    let out = [...groups.values()].map((g) => {
      const row: Record<string, Value> = {}
      let j = 0
      // A sum of no values is NULL (all NULL, or NaN read back as null); of no rows at all, 0 unless Nullable.
      for (const c of columns) row[c.alias] = c.sum ? g.totals[j++]! : c.values[g.first]!
      return row
    })
    if (plan.order.length) out.sort((a, b) => {
      for (const o of plan.order) {
        const c = compareValues(a[o.alias]!, b[o.alias]!)
        if (c !== 0) return a[o.alias] === null || b[o.alias] === null ? c : o.desc ? -c : c
      }
      return 0
    })
    if (plan.offset || plan.limit !== null) out = out.slice(plan.offset, plan.limit === null ? undefined : plan.offset + plan.limit)
    return out
  } catch (err) {
    if (err instanceof Unsupported) return undefined
    throw err
  }
}
