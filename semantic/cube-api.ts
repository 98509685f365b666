import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import type { MemberMeta, SemanticModel } from './compile-model.ts'
import { buildSql, normalizeQuery, QueryError, TIMEZONE, validateQuery, type CubeQuery } from './cube-query.ts'

/**
 * Cube's REST API (/cubejs-api/v1/load, /meta, /sql, /dry-run) with the same JSON, so
 * `@cubejs-client/core` works unchanged against kho.
 */
export interface CubeApiContext {
  wh: Warehouse
  model: SemanticModel
}

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

async function runOne(ctx: CubeApiContext, q: CubeQuery) {
  const built = buildSql(ctx.model, q)
  const rows = await queryRows<Record<string, unknown>>(ctx.wh.client, built.sql, built.params)
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
    return out
  })
  let total: number | undefined
  if (q.total) {
    const all = buildSql(ctx.model, { ...q, limit: undefined, offset: undefined, total: false })
    const unlimited = all.sql.replace(/\s+LIMIT\s+\d+(\s+OFFSET\s+\d+)?\s*$/i, '')
    const [count] = await queryRows<{ n: number }>(ctx.wh.client, `SELECT count() AS n FROM (${unlimited})`, all.params)
    total = Number(count!.n)
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
    lastRefreshTime: new Date().toISOString(),
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

/** The query from GET ?query=<json> or a POST body { query }; one query or an array of them. */
function queriesOf(req: FastifyRequest): unknown[] {
  const body = req.body as { query?: unknown } | undefined
  let raw = body?.query ?? (req.query as { query?: string }).query
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw)
    } catch {
      throw new QueryError('Tham số "query" không phải JSON hợp lệ', 'The "query" parameter is not valid JSON')
    }
  }
  if (raw === undefined || raw === null) throw new QueryError('Thiếu tham số "query"', 'The "query" parameter is missing')
  return Array.isArray(raw) ? raw : [raw]
}

const isMulti = (req: FastifyRequest) =>
  ((req.body as { queryType?: string } | undefined)?.queryType ?? (req.query as { queryType?: string }).queryType) === 'multi'

async function handle(req: FastifyRequest, reply: FastifyReply, work: () => Promise<unknown>) {
  try {
    return await work()
  } catch (err) {
    if (err instanceof QueryError) return reply.code(400).send({ error: err.vi, message_en: err.en, code: 'bad_query' })
    throw err
  }
}

export function cubeApiRoutes(app: FastifyInstance, ctx: CubeApiContext) {
  const load = (req: FastifyRequest, reply: FastifyReply) =>
    handle(req, reply, async () => {
      const queries = queriesOf(req).map((raw) => validateQuery(ctx.model, raw))
      const results = await Promise.all(queries.map((q) => runOne(ctx, q)))
      if (!isMulti(req) && results.length === 1) return results[0]
      return { queryType: results.length > 1 ? 'blendingQuery' : 'regularQuery', results, pivotQuery: { ...results[0]!.query, queryType: 'regularQuery' } }
    })
  app.get(`${API}/load`, load)
  app.post(`${API}/load`, load)

  app.get(`${API}/meta`, async () => ({ cubes: ctx.model.meta }))

  const sql = (req: FastifyRequest, reply: FastifyReply) =>
    handle(req, reply, async () => {
      const q = validateQuery(ctx.model, queriesOf(req)[0])
      const built = buildSql(ctx.model, q)
      return {
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
    })
  app.get(`${API}/sql`, sql)
  app.post(`${API}/sql`, sql)

  const dryRun = (req: FastifyRequest, reply: FastifyReply) =>
    handle(req, reply, async () => {
      const queries = queriesOf(req).map((raw) => validateQuery(ctx.model, raw))
      const normalizedQueries = queries.map((q) => ({ ...q, ...normalizeQuery(q), queryType: 'regularQuery' }))
      return { queryType: 'regularQuery', normalizedQueries, queryOrder: normalizedQueries.map((q) => q.order ?? []), pivotQuery: normalizedQueries[0], transformedQueries: [] }
    })
  app.get(`${API}/dry-run`, dryRun)
  app.post(`${API}/dry-run`, dryRun)
}
