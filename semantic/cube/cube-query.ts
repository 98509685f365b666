import cubeCompiler from '@cubejs-backend/schema-compiler'
import { z } from 'zod'
import { HttpError } from '../../infra/http/http-error.ts'
import type { SemanticModel } from './compile-model.ts'
import { bindParams, explainParams, slotsOf, toNamedParams, type Binding } from './query-plans.ts'
import { rollupsRead, ROLLUP_SCHEMA, type RollupStore } from './rollups.ts'
import { ACCEPTED_EN, ACCEPTED_VI, DateRangeError, parseDateRange } from './date-range.ts'
import * as clock from '../../infra/time/clock.ts'

/**
 * Cube REST queries (the same JSON as Cube's /cubejs-api/v1/load): validated here against the
 * compiled model, turned into ClickHouse SQL by Cube's own query builder, with every user value
 * passed as a query parameter.
 */
export const TIMEZONE = 'Asia/Ho_Chi_Minh'
/**
 * The engine's settings for every statement that answers a query: a time limit, so one caller's
 * query cannot hold the serial engine for everyone (QUERY_SECONDS); and extended results for
 * date functions, so a time dimension bucketed by month or year keeps a date before 1970 (a
 * birth date) instead of clamping it to 1970.
 */
export const QUERY_SECONDS = 20
/**
 * Written into each answering statement's own SETTINGS clause, never passed as the client's
 * settings: the embedded engine's connection turns those into `SET` on its one session, so a
 * query's 20 s limit stayed on every later statement — a mart build at scale 100 was killed at 20 s
 * — and its extended date results on every transform.
 */
const ANSWER_SETTINGS = `max_execution_time = ${QUERY_SECONDS}, enable_extended_results_for_datetime_functions = 1`

export const DEFAULT_LIMIT = 10_000
export const MAX_LIMIT = 100_000

const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const
const OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith',
  'gt', 'gte', 'lt', 'lte', 'set', 'notSet', 'inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate',
] as const

type Operator = (typeof OPERATORS)[number]
interface MemberFilter {
  member: string
  operator: Operator
  values?: string[]
}
type Filter = MemberFilter | { and: Filter[] } | { or: Filter[] }

/** How deeply and/or filters may nest. */
export const MAX_FILTER_DEPTH = 8

const isoDate = z.iso.date()
const isoLocalTime = z.iso.datetime({ local: true })

/**
 * A calendar date (YYYY-MM-DD), optionally with a time, that exists (2026-02-30 and 2026-13-45 do
 * not): zod's ISO checks, with the space ClickHouse writes between date and time taken as `T`.
 */
export function isCalendarDate(value: string): boolean {
  if (Number(value.slice(0, 4)) < 1000) return false
  return value.length === 10 ? isoDate.safeParse(value).success : isoLocalTime.safeParse(value.replace(' ', 'T')).success
}

/** Checks a filter tree and gives each problem its own message (a schema union would only say "invalid"). */
function parseFilter(raw: unknown, at: string, depth = 1): Filter {
  const bad = (vi: string, en: string) => new QueryError(`${at}: ${vi}`, `${at}: ${en}`)
  if (depth > MAX_FILTER_DEPTH) throw bad(`bộ lọc lồng quá ${MAX_FILTER_DEPTH} cấp`, `filters nest deeper than ${MAX_FILTER_DEPTH} levels`)
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('bộ lọc phải là đối tượng', 'a filter must be an object')
  const f = raw as Record<string, unknown>
  for (const op of ['and', 'or'] as const) {
    if (op in f) {
      if (!Array.isArray(f[op])) throw bad(`"${op}" phải là mảng bộ lọc`, `"${op}" must be an array of filters`)
      const inner = (f[op] as unknown[]).map((x, i) => parseFilter(x, `${at}.${op}[${i}]`, depth + 1))
      return op === 'and' ? { and: inner } : { or: inner }
    }
  }
  const member = f.member ?? f.dimension
  if (typeof member !== 'string') throw bad('thiếu "member"', '"member" is missing')
  if (!OPERATORS.includes(f.operator as Operator)) {
    throw bad(`toán tử "${String(f.operator)}" không hợp lệ; dùng: ${OPERATORS.join(', ')}`, `operator "${String(f.operator)}" is invalid; use: ${OPERATORS.join(', ')}`)
  }
  const operator = f.operator as Operator
  let values: string[] | undefined
  if (f.values !== undefined) {
    if (!Array.isArray(f.values) || f.values.length > 10_000 || f.values.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
      throw bad('"values" phải là mảng chuỗi hoặc số', '"values" must be an array of strings or numbers')
    }
    values = f.values.map(String)
  }
  if (operator !== 'set' && operator !== 'notSet' && (!values || values.length === 0)) {
    throw bad(`toán tử ${operator} cần "values"`, `operator ${operator} needs "values"`)
  }
  return { member, operator, ...(values ? { values } : {}) }
}

const dateRange = z.union([z.tuple([z.string(), z.string()]), z.string()])
const querySchema = z.strictObject({
  measures: z.array(z.string()).default([]),
  dimensions: z.array(z.string()).default([]),
  segments: z.array(z.string()).default([]),
  timeDimensions: z
    .array(
      z.strictObject({
        dimension: z.string(),
        granularity: z.enum(GRANULARITIES).optional(),
        dateRange: dateRange.optional(),
        compareDateRange: z.array(dateRange).min(2).optional(),
      }),
    )
    .default([]),
  filters: z.array(z.unknown()).default([]),
  order: z.union([z.record(z.string(), z.enum(['asc', 'desc'])), z.array(z.tuple([z.string(), z.enum(['asc', 'desc'])]))]).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  offset: z.number().int().min(0).optional(),
  total: z.boolean().optional(),
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, 'múi giờ không hợp lệ / unknown time zone')
    .optional(),
  ungrouped: z.boolean().optional(),
  renewQuery: z.boolean().optional(),
  responseFormat: z.enum(['default', 'compact', 'columnar']).optional(),
})
export type CubeQuery = Omit<z.infer<typeof querySchema>, 'filters'> & { filters: Filter[] }

/** A query the API cannot answer as asked: a 400 with the reason. */
export class QueryError extends HttpError {
  constructor(vi: string, en: string) {
    super(400, 'bad_query', vi, en)
  }
}

/** A date range as given ([from, to]) or a relative phrase read as Cube reads it, or in Vietnamese (date-range.ts). */
export function resolveDateRange(range: string | [string, string], timezone = TIMEZONE, now = clock.now()): [string, string] {
  if (Array.isArray(range)) return range
  try {
    return parseDateRange(range, timezone, now)
  } catch (err) {
    if (!(err instanceof DateRangeError)) throw err
    throw new QueryError(`Khoảng thời gian "${range}" không hợp lệ; dùng: ${ACCEPTED_VI}`, `Invalid date range "${range}"; use: ${ACCEPTED_EN}`)
  }
}

/** Validates a query against the model; every problem is a QueryError (HTTP 400), never a 500. */
export function validateQuery(model: SemanticModel, raw: unknown): CubeQuery {
  const parsed = querySchema.safeParse(raw)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')
    throw new QueryError(`Truy vấn không hợp lệ: ${detail}`, `Invalid query: ${detail}`)
  }
  const q: CubeQuery = { ...parsed.data, filters: parsed.data.filters.map((f, i) => parseFilter(f, `filters[${i}]`)) }
  const kindVi: Record<string, string> = { measure: 'chỉ số (measure)', dimension: 'chiều (dimension)', segment: 'phân đoạn (segment)' }
  const expect = (name: string, kinds: string[], where: string) => {
    const m = model.members.get(name)
    if (!m || !kinds.includes(m.kind)) {
      throw new QueryError(
        `${where}: "${name}" không phải ${kinds.map((k) => kindVi[k]).join(' hay ')} có trong mô hình (xem /cubejs-api/v1/meta)`,
        `${where}: "${name}" is not a known ${kinds.join(' or ')} (see /cubejs-api/v1/meta)`,
      )
    }
    return m
  }
  q.measures.forEach((n) => expect(n, ['measure'], 'measures'))
  q.dimensions.forEach((n) => expect(n, ['dimension'], 'dimensions'))
  q.segments.forEach((n) => expect(n, ['segment'], 'segments'))
  for (const td of q.timeDimensions) {
    if (expect(td.dimension, ['dimension'], 'timeDimensions').meta.type !== 'time') {
      throw new QueryError(`timeDimensions: "${td.dimension}" không phải chiều thời gian`, `timeDimensions: "${td.dimension}" is not a time dimension`)
    }
  }
  const walk = (f: Filter) => {
    if ('and' in f) return f.and.forEach(walk)
    if ('or' in f) return f.or.forEach(walk)
    checkFilterValues(f, expect(f.member, ['measure', 'dimension'], 'filters').meta.type)
  }
  q.filters.forEach(walk)
  for (const td of q.timeDimensions) {
    if (td.dateRange !== undefined) checkDateRange(td.dateRange, `timeDimensions "${td.dimension}".dateRange`, q.timezone ?? TIMEZONE)
    td.compareDateRange?.forEach((r, i) => checkDateRange(r, `timeDimensions "${td.dimension}".compareDateRange[${i}]`, q.timezone ?? TIMEZONE))
  }
  const orderKeys = Array.isArray(q.order) ? q.order.map(([k]) => k) : Object.keys(q.order ?? {})
  // Cube orders by what the query returns; ordering by another member would reach a view the query
  // does not join (the engine then fails), so it is refused here with the reason.
  const returned = new Set([...q.measures, ...q.dimensions, ...q.timeDimensions.flatMap((t) => [t.dimension, ...(t.granularity ? [`${t.dimension}.${t.granularity}`] : [])])])
  for (const k of orderKeys) {
    // A member may itself be named like a granularity (kt_xh.year): only a name that is not a member loses its suffix.
    expect(model.members.has(k) ? k : k.replace(/\.(second|minute|hour|day|week|month|quarter|year)$/, ''), ['measure', 'dimension'], 'order')
    if (!returned.has(k)) throw new QueryError(`order: "${k}" không có trong measures, dimensions hay timeDimensions của truy vấn`, `order: "${k}" is not among the query's measures, dimensions or timeDimensions`)
  }
  if (q.measures.length + q.dimensions.length + q.timeDimensions.filter((t) => t.granularity).length === 0) {
    throw new QueryError('Truy vấn cần ít nhất một chỉ số hoặc chiều', 'A query needs at least one measure or dimension')
  }
  return q
}

const DATE_OPERATORS: Operator[] = ['inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate']
const COMPARISONS: Operator[] = ['gt', 'gte', 'lt', 'lte']
const TEXT_OPERATORS: Operator[] = ['contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith']

/** A date range: two real dates (from ≤ to) or a relative range this API knows. */
function checkDateRange(range: string | [string, string], at: string, timezone: string) {
  if (typeof range === 'string') return void resolveDateRange(range, timezone)
  const wrong = range.find((d) => !isCalendarDate(d))
  if (wrong !== undefined) {
    throw new QueryError(`${at}: "${wrong}" không phải ngày có thật (YYYY-MM-DD)`, `${at}: "${wrong}" is not a real calendar date (YYYY-MM-DD)`)
  }
  if (range[0].slice(0, 10) > range[1].slice(0, 10)) throw new QueryError(`${at}: ngày bắt đầu sau ngày kết thúc`, `${at}: the range starts after it ends`)
}

/** A filter's values must suit its member: numbers for number members, real dates for dates. */
function checkFilterValues(f: MemberFilter, type: string | undefined) {
  const at = `filters "${f.member}" ${f.operator}`
  const values = f.values ?? []
  if (DATE_OPERATORS.includes(f.operator)) {
    if (type !== 'time') throw new QueryError(`${at}: toán tử ngày chỉ dùng cho chiều thời gian`, `${at}: date operators apply to time dimensions only`)
    if (f.operator.endsWith('DateRange') && values.length !== 2) throw new QueryError(`${at}: cần đúng hai ngày`, `${at}: needs exactly two dates`)
    if (!f.operator.endsWith('DateRange') && values.length !== 1) throw new QueryError(`${at}: cần đúng một ngày`, `${at}: needs exactly one date`)
    const wrong = values.find((v) => !isCalendarDate(v))
    if (wrong !== undefined) throw new QueryError(`${at}: "${wrong}" không phải ngày có thật (YYYY-MM-DD)`, `${at}: "${wrong}" is not a real calendar date (YYYY-MM-DD)`)
    return
  }
  if (COMPARISONS.includes(f.operator) && type !== 'number' && type !== 'time') {
    throw new QueryError(`${at}: so sánh lớn/nhỏ chỉ dùng cho số hoặc thời gian`, `${at}: comparisons apply to numbers and times only`)
  }
  if (type === 'number' && f.operator !== 'set' && f.operator !== 'notSet') {
    const wrong = values.find((v) => v.trim() === '' || !Number.isFinite(Number(v)))
    if (wrong !== undefined) throw new QueryError(`${at}: "${wrong}" không phải số`, `${at}: "${wrong}" is not a number`)
  }
  if (type === 'time' && TEXT_OPERATORS.includes(f.operator)) {
    throw new QueryError(`${at}: toán tử chữ không dùng cho chiều thời gian; dùng bằng, trước, sau hoặc trong khoảng ngày`, `${at}: text operators do not apply to time dimensions; use equals, before, after or a date range`)
  }
  // Any value compared with a time is a real date: the engine refuses 2026-02-30 with an error of its own.
  if (type === 'time' && f.operator !== 'set' && f.operator !== 'notSet') {
    const wrong = values.find((v) => !isCalendarDate(v))
    if (wrong !== undefined) throw new QueryError(`${at}: "${wrong}" không phải ngày có thật (YYYY-MM-DD)`, `${at}: "${wrong}" is not a real calendar date (YYYY-MM-DD)`)
  }
}

/** The query as Cube's query builder takes it (the gateway's normalisation). */
export function normalizeQuery(q: CubeQuery) {
  const order = Array.isArray(q.order) ? q.order : Object.entries(q.order ?? {})
  return {
    measures: q.measures,
    dimensions: q.dimensions,
    segments: q.segments,
    timeDimensions: q.timeDimensions.map((td) => ({
      dimension: td.dimension,
      ...(td.granularity ? { granularity: td.granularity } : {}),
      ...(td.dateRange ? { dateRange: resolveDateRange(td.dateRange, q.timezone ?? TIMEZONE) } : {}),
    })),
    filters: q.filters,
    // Without an order Cube's own default applies (time ascending, else the first measure descending).
    ...(q.order ? { order: order.map(([id, dir]) => ({ id, desc: dir === 'desc' })) } : {}),
    rowLimit: q.limit ?? DEFAULT_LIMIT,
    offset: q.offset ?? 0,
    timezone: q.timezone ?? TIMEZONE,
    ...(q.ungrouped ? { ungrouped: true } : {}),
  }
}

/** A query with compareDateRange becomes one query per range (Cube's compareDateRangeQuery). */
export function splitCompareDateRange(q: CubeQuery): CubeQuery[] {
  const i = q.timeDimensions.findIndex((t) => t.compareDateRange)
  if (i < 0) return [q]
  return q.timeDimensions[i]!.compareDateRange!.map((range) => ({
    ...q,
    timeDimensions: q.timeDimensions.map((t, j) => (j === i ? { dimension: t.dimension, ...(t.granularity ? { granularity: t.granularity } : {}), dateRange: range } : t)),
  }))
}

export interface BuiltSql {
  /** ClickHouse SQL with {pN:String} parameters. */
  sql: string
  params: Record<string, string>
  /** Cube's SQL and positional parameters, as /sql returns them. */
  cubeSql: [string, unknown[]]
  aliasToMember: Record<string, string>
}

/** A compiled plan: Cube's SQL for a shape (and its ClickHouse form), and where each parameter comes from (query-plans.ts). */
interface Plan {
  cubeSqlText: string
  /** The ClickHouse SQL, its parameters named p0, p1… in Cube's order. */
  sql: string
  bindings: Binding[]
  aliasToMember: Record<string, string>
}

/** Plans by model and query shape: Cube's query builder is the costly part of a request. */
const plans = new WeakMap<SemanticModel, Map<string, Plan>>()
const PLAN_CACHE_SIZE = 2000
/** How often a query was answered by a cached plan, or compiled (a bench reads them). */
export const planStats = { hits: 0, compiled: 0 }

/**
 * `rows` is the query itself; `total` counts all its rows, ignoring limit and offset, through
 * Cube's own total query (as Cube answers `total: true`).
 */
export type BuildMode = 'rows' | 'total'

/** Whether buildSql may answer from cached plans (off: every query compiled, as a bench's baseline). */
export const planCache = { enabled: true }

/**
 * The SQL for a query: from a cached plan of its shape, else compiled by Cube's query builder —
 * reading a rollup where one answers the query and is built (`rollups`), else the marts.
 */
export function buildSql(model: SemanticModel, q: CubeQuery, mode: BuildMode = 'rows', rollups?: RollupStore): BuiltSql {
  const normalized = normalizeQuery(q)
  const slots = slotsOf(normalized)
  const useRollups = !!rollups?.enabled && rollups.ready.size > 0 && rollups.timezone === normalized.timezone
  const key = `${mode}:${useRollups ? rollups!.version : '-'}:${slots.shape}`
  let cache = plans.get(model)
  if (!cache) plans.set(model, (cache = new Map()))
  const plan = planCache.enabled ? cache.get(key) : undefined
  const params = plan && bindParams(plan.bindings, slots.values, normalized.timezone)
  if (plan && params) {
    planStats.hits++
    // The SQL text is the plan's; only the values are this query's (no scan of the SQL again).
    return { sql: plan.sql, params: Object.fromEntries(params.map((v, i) => [`p${i}`, v])), cubeSql: [plan.cubeSqlText, params], aliasToMember: plan.aliasToMember }
  }
  planStats.compiled++
  let built = buildSqlUncached(model, q, mode, useRollups)
  // A rollup not built yet (a fresh warehouse, a rollup new to the model): the marts answer.
  if (useRollups && rollupsRead(built.sql).some((t) => !rollups!.ready.has(t))) built = buildSqlUncached(model, q, mode, false)
  const bindings = explainParams(built.cubeSql[1], slots, normalized.timezone)
  if (bindings) {
    cache.set(key, { cubeSqlText: built.cubeSql[0], sql: built.sql, bindings, aliasToMember: built.aliasToMember })
    if (cache.size > PLAN_CACHE_SIZE) cache.delete(cache.keys().next().value!)
  }
  return built
}

/** The ClickHouse form of Cube's SQL and parameters. */
function finish(cubeSql: [string, unknown[]], aliasToMember: Record<string, string>): BuiltSql {
  const named = toNamedParams(cubeSql[0], cubeSql[1])
  // Cube's SQL assumes standard outer joins: a row with no match has NULLs, not ClickHouse's
  // default values ('' and 0) — else `set` on a joined member counts every unmatched row and an
  // unmatched row groups under ''.
  return { ...named, sql: `${named.sql}\nSETTINGS join_use_nulls = 1, ${ANSWER_SETTINGS}`, cubeSql, aliasToMember }
}

/** Cube's query builder on the query, every time (a test compares plans with it). */
export function buildSqlUncached(model: SemanticModel, q: CubeQuery, mode: BuildMode, useRollups = false): BuiltSql {
  const options = {
    ...normalizeQuery(q),
    useNativeSqlPlanner: false,
    // Rollups are "external" pre-aggregations to Cube: disabling those keeps every query on the marts.
    preAggregationsSchema: ROLLUP_SCHEMA,
    disableExternalPreAggregations: !useRollups,
    ...(mode === 'total' ? { totalQuery: true, rowLimit: null, offset: undefined } : {}),
  }
  let query: { buildSqlAndParams(): [string, unknown[]]; aliasNameToMember: Record<string, string> }
  try {
    query = cubeCompiler.createQuery(model.compilers as never, 'clickhouse', options as never) as never
    return finish(query.buildSqlAndParams(), query.aliasNameToMember)
  } catch (err) {
    if ((err as { type?: string }).type === 'UserError') throw new QueryError(`Truy vấn không hợp lệ: ${(err as Error).message}`, (err as Error).message)
    throw err
  }
}
