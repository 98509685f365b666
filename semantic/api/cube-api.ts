import { reasonText } from '../../infra/contracts/audit-words.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { FairTurns } from '../../infra/warehouse/fair-turns.ts'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { parseJsonBounded } from '../../infra/http/parse-request.ts'
import { applyPolicy, mayView, membersLimit, queryMembers, type SharingRules, type SecurityContext } from '../policy/view-policy.ts'
import { perturbCount } from '../policy/disclosure.ts'
import type { MemberMeta, SemanticModel } from '../cube/compile-model.ts'
import { buildSql, normalizeQuery, QueryError, splitCompareDateRange, TIMEZONE, validateQuery, type CubeQuery } from '../cube/cube-query.ts'
import type { ResultCache } from '../cube/result-cache.ts'
import type { RollupStore } from '../cube/rollups.ts'
import type { ValueName } from '../../infra/catalog/value-names.ts'
import { exportAsk, exportQuestion, type ExportDeps } from './export-question.ts'
import * as clock from '../../infra/time/clock.ts'

/**
 * Cube's REST API (/cubejs-api/v1/load, /meta, /sql, /dry-run) with the same JSON, so
 * `@cubejs-client/core` works unchanged against kho.
 */
export interface CubeApiContext {
  wh: Warehouse
  model: SemanticModel
  secret: string
  audit: AuditLog
  cache: ResultCache<Record<string, unknown>[]>
  /** Bumped whenever the marts change; part of every cache key. */
  dataVersion: () => number
  /** Each dataset's owner, scope and consumers from the catalogue, and the grants in force. */
  sharing: SharingRules
  /** The rollups built, which Cube's compiler may read instead of the marts. */
  rollups: RollupStore
  /** Coded values by their names (indicators, units, agencies): what exports print. */
  names: ValueName
}

/** What running a query needs (no token checks or audit: callers in-process have done theirs). */
export type QueryContext = Pick<CubeApiContext, 'wh' | 'model' | 'cache' | 'dataVersion' | 'secret' | 'sharing' | 'rollups'>

const API = '/cubejs-api/v1'

function annotationOf(model: SemanticModel, names: string[]) {
  const out: Record<string, MemberMeta> = {}
  for (const n of names) {
    const m = model.members.get(n)
    if (m) out[n] = { name: n, title: m.meta.title, shortTitle: m.meta.shortTitle, type: m.meta.type, ...(m.meta.format ? { format: m.meta.format } : {}) }
  }
  return out
}

/** ClickHouse's "2026-01-01 00:00:00.000" as Cube writes local times: "2026-01-01T00:00:00.000". */
function cubeTime(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(value)
  return m ? `${m[1]}T${m[2]}${(m[3] ?? '.000').padEnd(4, '0').slice(0, 4)}` : value
}

/** Answers reach the engine caller by caller (infra/warehouse/fair-turns.ts); the public behind the signed-in. */
const turns = new FairTurns(2)
const engineTurn = <T>(sec: SecurityContext, work: () => Promise<T>) => turns.run(sec.role === 'public' ? 'public' : `${sec.role}:${sec.account}`, sec.role === 'public', work)

/**
 * One query as `sec`, exactly as /load answers it (policy, cache, suppression, annotation); used
 * in-process by briefings so that a workbook's numbers are the API's numbers.
 */
export async function runQuery(ctx: QueryContext, asked: CubeQuery, sec: SecurityContext) {
  const decision = applyPolicy(ctx.model, asked, sec, ctx.sharing)
  const q = decision.query
  // Protected counts are perturbed by their cells' keys, which the query fetches alongside.
  const keys = decision.protect.map((p) => p.cellKey)
  const built = buildSql(ctx.model, keys.length ? { ...q, measures: [...q.measures, ...keys] } : q, 'rows', ctx.rollups)
  const key = ctx.cache.key(built.sql, built.params, ctx.dataVersion())
  const live = queryMembers(q).some((m) => ctx.sharing.policy(m.split('.')[0]!)?.live)
  // A rollup held in memory answers without a turn on the engine; otherwise the caller waits its turn.
  const read = () => Promise.resolve(ctx.rollups.answer(built.cubeSql) ?? engineTurn(sec, () => queryRows<Record<string, unknown>>(ctx.wh.client, built.sql, built.params)))
  const rows = await ctx.cache.get(key, read, q.renewQuery === true || live)
  const timeMembers = new Set(q.timeDimensions.filter((t) => t.granularity).map((t) => `${t.dimension}.${t.granularity}`))
  const data = rows.map((row) => {
    const out: Record<string, unknown> = {}
    for (const [alias, value] of Object.entries(row)) {
      const member = built.aliasToMember[alias] ?? alias
      if (timeMembers.has(member)) {
        out[member] = cubeTime(value)
        out[member.slice(0, member.lastIndexOf('.'))] = cubeTime(value)
      } else out[member] = value
    }
    for (const p of decision.protect) {
      const v = out[p.measure]
      if (v !== null && v !== undefined) out[p.measure] = perturbCount(Number(v), String(out[p.cellKey] ?? ''), ctx.secret)
      delete out[p.cellKey]
    }
    return out
  })
  let total: number | undefined
  if (q.total) {
    const counting = buildSql(ctx.model, q, 'total', ctx.rollups)
    const [count] = await engineTurn(sec, () => queryRows<{ total_count: string | number }>(ctx.wh.client, counting.sql, counting.params))
    total = Number(count!.total_count)
  }
  const normalized = normalizeQuery(q)
  const timeDimensions: Record<string, MemberMeta> = {}
  for (const t of q.timeDimensions) {
    const base = annotationOf(ctx.model, [t.dimension])[t.dimension]
    if (base && t.granularity) {
      timeDimensions[`${t.dimension}.${t.granularity}`] = { ...base, name: `${t.dimension}.${t.granularity}` }
      timeDimensions[t.dimension] = base
    }
  }
  return {
    query: { ...q, ...normalized, limit: normalized.rowLimit, queryType: 'regularQuery' },
    lastRefreshTime: clock.now().toISOString(),
    data,
    annotation: {
      measures: annotationOf(ctx.model, q.measures),
      dimensions: annotationOf(ctx.model, q.dimensions),
      segments: annotationOf(ctx.model, q.segments),
      timeDimensions,
    },
    dataSource: 'default',
    dbType: 'clickhouse',
    external: false,
    slowQuery: false,
    ...(total !== undefined ? { total } : {}),
  }
}

/**
 * Rows as Cube's `responseFormat` asks: `compact` is { members, dataset: one array per row },
 * `columnar` { members, columns: one array per member }; `@cubejs-client/core` reads both back.
 */
function inResponseFormat(rows: Record<string, unknown>[], format: string | undefined, asked: string[]): unknown {
  if (format !== 'compact' && format !== 'columnar') return rows
  const members = rows.length ? Object.keys(rows[0]!) : [...new Set(asked)]
  return format === 'compact' ? { members, dataset: rows.map((r) => members.map((m) => r[m])) } : { members, columns: members.map((m) => rows.map((r) => r[m])) }
}

/** The query from GET ?query=<json> or a POST body { query }; one query or an array of them. */
function queriesOf(req: FastifyRequest): unknown[] {
  const body = req.body as { query?: unknown } | undefined
  let raw: unknown = body?.query ?? (req.query as { query?: string }).query
  if (typeof raw === 'string') {
    const parsed = parseJsonBounded(raw)
    if (!parsed.ok) throw new QueryError(`Tham số "query" không hợp lệ: ${parsed.vi}`, `The "query" parameter is invalid: ${parsed.en}`)
    raw = parsed.value
  }
  if (raw === undefined || raw === null) throw new QueryError('Thiếu tham số "query"', 'The "query" parameter is missing')
  return Array.isArray(raw) ? raw : [raw]
}

/**
 * How many queries one request may carry (REST's multi queries and compared ranges, GraphQL's
 * `cube` fields): each takes a turn on the serial engine, so a request is bounded and each query
 * counts against the caller's rate — the public's the fewest.
 */
export const QUERIES_PER_REQUEST = { public: 3, signedIn: 25 }

/** The most queries a caller may send in one request. */
export const queriesAllowed = (sec: SecurityContext) => (sec.role === 'public' ? QUERIES_PER_REQUEST.public : QUERIES_PER_REQUEST.signedIn)

const isMulti = (req: FastifyRequest) =>
  ((req.body as { queryType?: string } | undefined)?.queryType ?? (req.query as { queryType?: string }).queryType) === 'multi'

interface Outcome {
  members: string[]
  filters: unknown
  rowCount: number
}

/**
 * Runs an API call as the caller the gate resolved and audits it: a bad query is a 400, a refusal
 * a 403, each with its reason; every call, allowed or not, goes to meta.audit.
 */
export async function handle(
  ctx: CubeApiContext,
  endpoint: string,
  req: FastifyRequest,
  work: (sec: SecurityContext) => Promise<{ body: unknown; outcome: Outcome }>,
) {
  const started = performance.now()
  const sec = req.caller
  const audit = (outcome: 'ok' | 'denied' | 'error', reason: string, o: Partial<Outcome> = {}) =>
    ctx.audit.recordRequest(req, {
      endpoint,
      members: o.members ?? [],
      datasets: ctx.sharing.datasetsOf(o.members ?? []),
      filters: o.filters ?? null,
      query: (req.body as { query?: unknown } | undefined)?.query ?? (req.query as { query?: unknown }).query ?? null,
      rowCount: o.rowCount ?? 0,
      durationMs: performance.now() - started,
      outcome,
      reason,
    })
  try {
    const { body, outcome } = await work(sec)
    audit('ok', '', outcome)
    return body
  } catch (err) {
    if (err instanceof HttpError) {
      audit(err.status === 401 || err.status === 403 ? 'denied' : 'error', reasonText(err.vi, err.en))
      throw err
    }
    audit('error', (err as Error).message)
    // A model's table not built yet (a fresh warehouse before its first transform run) is not a crash.
    const e = err as { code?: string; type?: string; message?: string }
    if (e.code === '60' || e.type === 'UNKNOWN_TABLE' || /^Unknown table expression identifier/.test(e.message ?? '')) {
      throw new HttpError(
        503,
        'not_built',
        'Dữ liệu của mô hình chưa được dựng; chạy "kho transform run" hoặc chờ lần dựng tự động',
        'The model’s tables are not built yet; run "kho transform run" or wait for the automatic run',
      )
    }
    throw err
  }
}

/** The views (and members) a context may see, for /meta. */
export function visibleMeta(model: SemanticModel, sec: SecurityContext, sharing: SharingRules) {
  const personal = (m: { meta?: { personal?: boolean } }) => m.meta?.personal === true
  // Where rows came from is asked by traces (semantic/trace), not offered on pages.
  const provenance = (m: { meta?: { provenance?: boolean } }) => m.meta?.provenance === true
  return model.meta
    .filter((view) => mayView(view.name, sec, sharing))
    .map((view) => {
      // A grant that names members shows only those.
      const limit = membersLimit(view.name, sec, sharing)
      const shown = (m: { name: string }) => !limit || limit.includes(m.name)
      return {
        ...view,
        measures: view.measures.filter(shown),
        dimensions: view.dimensions.filter((d) => shown(d) && !provenance(d as { meta?: { provenance?: boolean } }) && (sec.personalData || !personal(d as { meta?: { personal?: boolean } }))),
        segments: view.segments.filter(shown),
      }
    })
}

export function cubeApiRoutes(app: FastifyInstance, ctx: CubeApiContext) {
  const load = (req: FastifyRequest) =>
    handle(ctx, 'load', req, async (sec) => {
      const asked = queriesOf(req).map((raw) => validateQuery(ctx.model, raw))
      const compare = asked.length === 1 && asked[0]!.timeDimensions.some((t) => t.compareDateRange)
      const queries = asked.flatMap(splitCompareDateRange)
      const most = queriesAllowed(sec)
      if (queries.length > most) throw new QueryError(`Yêu cầu có ${queries.length} truy vấn, tối đa ${most}`, `The request carries ${queries.length} queries, at most ${most}`)
      req.chargeRate?.(queries.length)
      const results = await Promise.all(queries.map((q) => runQuery(ctx, q, sec)))
      const outcome = {
        members: queries.flatMap(queryMembers),
        filters: results.map((r) => r.query.filters),
        rowCount: results.reduce((n, r) => n + r.data.length, 0),
      }
      const queryType = compare ? 'compareDateRangeQuery' : results.length > 1 ? 'blendingQuery' : 'regularQuery'
      for (const r of results) Object.assign(r, { data: inResponseFormat(r.data, r.query.responseFormat, [...r.query.dimensions, ...Object.keys(r.annotation.timeDimensions), ...r.query.measures]) })
      const body =
        !isMulti(req) && queryType === 'regularQuery'
          ? results[0]
          : { queryType, results, pivotQuery: { ...results[0]!.query, queryType } }
      return { body, outcome }
    })
  // Open to everyone: the view policy decides per view, the public seeing open views only.
  app.get(`${API}/load`, allow(access.public), load)
  app.post(`${API}/load`, allow(access.public), load)

  app.get(`${API}/meta`, allow(access.public), (req) =>
    handle(ctx, 'meta', req, async (sec) => ({ body: { cubes: visibleMeta(ctx.model, sec, ctx.sharing) }, outcome: { members: [], filters: null, rowCount: 0 } })),
  )

  const sql = (req: FastifyRequest) =>
    handle(ctx, 'sql', req, async (sec) => {
      const q = applyPolicy(ctx.model, validateQuery(ctx.model, queriesOf(req)[0]), sec, ctx.sharing).query
      const built = buildSql(ctx.model, q, 'rows', ctx.rollups)
      const body = {
        sql: {
          sql: built.cubeSql,
          clickhouse: { sql: built.sql, params: built.params },
          aliasNameToMember: built.aliasToMember,
          order: normalizeQuery(q).order,
          dataSource: 'default',
          external: false,
          timezone: TIMEZONE,
        },
      }
      return { body, outcome: { members: queryMembers(q), filters: q.filters, rowCount: 0 } }
    })
  app.get(`${API}/sql`, allow(access.public), sql)
  app.post(`${API}/sql`, allow(access.public), sql)

  const dryRun = (req: FastifyRequest) =>
    handle(ctx, 'dry-run', req, async (sec) => {
      const queries = queriesOf(req).map((raw) => applyPolicy(ctx.model, validateQuery(ctx.model, raw), sec, ctx.sharing).query)
      const normalizedQueries = queries.map((q) => ({ ...q, ...normalizeQuery(q), queryType: 'regularQuery' }))
      const body = { queryType: 'regularQuery', normalizedQueries, queryOrder: normalizedQueries.map((q) => q.order ?? []), pivotQuery: normalizedQueries[0], transformedQueries: [] }
      return { body, outcome: { members: queries.flatMap(queryMembers), filters: queries.map((q) => q.filters), rowCount: 0 } }
    })
  app.get(`${API}/dry-run`, allow(access.public), dryRun)
  app.post(`${API}/dry-run`, allow(access.public), dryRun)

  // kho's own: a question's result as a file to download (export-question.ts), under the same policy and audit as /load.
  app.post('/api/export', allow(access.public), (req, reply) =>
    handle(ctx, 'export', req, async (caller) => {
      // A file leaves kho: a view-only grant does not reach it.
      const sec = { ...caller, takesAway: true }
      const asked = (req.body as { format?: unknown } | undefined)?.format ?? 'xlsx'
      if (asked !== 'xlsx' && asked !== 'csv') throw new QueryError(`Định dạng "${String(asked).slice(0, 20)}" không có; chọn xlsx hoặc csv`, `No format "${String(asked).slice(0, 20)}"; choose xlsx or csv`)
      const parsed = exportAsk.safeParse(req.body ?? {})
      if (!parsed.success) throw new QueryError('Yêu cầu xuất tệp không hợp lệ (tiêu đề tối đa 200 ký tự, ngôn ngữ vi hoặc en, bảng chéo gồm hàng và cột)', 'The export request is invalid (a title of at most 200 characters, language vi or en, a pivot of rows and columns)')
      const deps: ExportDeps = {
        ask: (q) => runQuery(ctx, q, sec),
        model: ctx.model,
        names: ctx.names,
        viewTitle: (view, lang) => {
          const v = ctx.model.meta.find((m) => m.name === view)
          return (lang === 'en' ? (v as { meta?: { title_en?: string } } | undefined)?.meta?.title_en : undefined) ?? v?.title ?? view
        },
      }
      const out = await exportQuestion(deps, { ...parsed.data, query: queriesOf(req)[0] }, sec)
      reply
        .type(parsed.data.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        // An ASCII name for every client, the same name in UTF-8 for those that read filename*.
        .header('content-disposition', `attachment; filename="${out.fileName}"; filename*=UTF-8''${encodeURIComponent(out.fileName)}`)
      return { body: out.file, outcome: { members: queryMembers(out.query), filters: out.query.filters, rowCount: out.rows } }
    }),
  )
}
