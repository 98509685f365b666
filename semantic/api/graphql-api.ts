import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  GraphQLError,
  execute,
  validate,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'
import { access, allow } from '../../infra/access/gate.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { parseJsonBounded } from '../../infra/http/parse-request.ts'
import { applyPolicy, queryMembers, type SecurityContext } from '../policy/view-policy.ts'
import { handle, runQuery, visibleMeta, type CubeApiContext } from './cube-api.ts'
import { QueryError, TIMEZONE, validateQuery } from '../cube/cube-query.ts'
import { wallNow } from '../cube/date-range.ts'
import { buildSchema, type Built, type ViewMeta } from './graphql-schema.ts'
import { withinBudget } from './graphql-budget.ts'

/**
 * Cube's GraphQL API (`/cubejs-api/graphql`) over the same model, gate, policy, cache and audit
 * as REST: `cube(where, orderBy, limit, offset, timezone, renewQuery, ungrouped) { <view>(where,
 * orderBy) { <measure> <dimension> <time dimension> { <granularity> value } } }`, with Cube's type
 * and filter names (KtXhMembers, KtXhWhereInput, StringFilter…), so queries written for Cube run
 * unchanged. Each selection becomes one Cube JSON query, answered by runQuery like /load.
 *
 * The schema is built per caller from the views /meta shows them (cached by what they may see):
 * introspection never lists a view or member the caller may not query. graphql-js (the reference
 * implementation, which fastify's GraphQL plugin mercurius runs on too) executes it directly:
 * mercurius holds one schema per registered instance — its FAQ varies a schema by registering an
 * instance per variant behind a route constraint — and here the schema varies with each account's
 * grants. The route stays one of kho's, declared to the gate and audited like every other.
 */


/** A local time ("2026-01-01T00:00:00.000" in the query's zone) as the instant Cube's GraphQL gives (ISO, UTC). */
export function instantOf(local: string, timezone: string): string {
  const guess = Date.parse(`${local.replace(' ', 'T')}Z`)
  if (Number.isNaN(guess)) return local
  let at = guess - (wallNow(timezone, new Date(guess)).getTime() - guess)
  // Once more, where the offset at the guess is not the offset at the answer (a DST change).
  at = guess - (wallNow(timezone, new Date(at)).getTime() - at)
  return new Date(at).toISOString()
}

interface GraphQLContext {
  ctx: CubeApiContext
  sec: SecurityContext
  built: Built
  /** The Cube queries answered, for the audit entry. */
  asked: { members: string[]; filters: unknown; rows: number }[]
}

type Filter = { member: string; operator: string; values?: string[] } | { and: Filter[] } | { or: Filter[] }

/** A where argument (root or a view's) as Cube's filters, as Cube's GraphQL converts it. */
function filtersOf(where: Record<string, unknown>, view: string | null, built: Built): Filter[] {
  const out: Filter[] = []
  for (const [key, value] of Object.entries(where)) {
    if (value === null || value === undefined) continue
    if (key === 'AND' || key === 'OR') {
      const inner = (value as Record<string, unknown>[]).flatMap((w) => filtersOf(w, view, built))
      out.push(key === 'AND' ? { and: inner } : { or: inner })
    } else if (!view) out.push(...filtersOf(value as Record<string, unknown>, key, built))
    else {
      const member = `${view}.${key}`
      for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null || v === undefined) continue
        if (op === 'set') {
          out.push({ member, operator: v === true ? 'set' : 'notSet' })
          continue
        }
        const values = (Array.isArray(v) ? v : [v]).map(String)
        out.push({ member, operator: op === 'in' ? 'equals' : op === 'notIn' ? 'notEquals' : op, values })
      }
    }
  }
  return out
}

/**
 * The fields selected under a node, through fragments, without __typename and without what
 * @skip/@include leave out (the selection is read from the query's syntax, where they still are).
 */
function childrenOf(node: { selectionSet?: SelectionSetNode | undefined }, info: GraphQLResolveInfo): FieldNode[] {
  const variables = info.variableValues
  const kept = (n: SelectionNode) =>
    (n.directives ?? []).every((d) => {
      const arg = d.arguments?.find((a) => a.name.value === 'if')
      const on = arg ? Boolean(arg.value.kind === 'Variable' ? variables[arg.value.name.value] : arg.value.kind === 'BooleanValue' && arg.value.value) : true
      return d.name.value === 'skip' ? !on : d.name.value === 'include' ? on : true
    })
  return (node.selectionSet?.selections ?? []).filter(kept).flatMap((s): FieldNode[] => {
    if (s.kind === 'Field') return s.name.value === '__typename' ? [] : [s]
    if (s.kind === 'InlineFragment') return childrenOf(s, info)
    const fragment = info.fragments[s.name.value]
    return fragment ? childrenOf(fragment, info) : []
  })
}

function argumentOf(node: FieldNode, name: string, variables: Readonly<Record<string, unknown>>): unknown {
  const value = node.arguments?.find((a) => a.name.value === name)?.value
  const read = (v: ValueNode): unknown => {
    switch (v.kind) {
      case 'Variable':
        return variables[v.name.value]
      case 'ListValue':
        return v.values.map(read)
      case 'ObjectValue':
        return Object.fromEntries(v.fields.map((f) => [f.name.value, read(f.value)]))
      case 'NullValue':
        return null
      case 'IntValue':
      case 'FloatValue':
        return Number(v.value)
      case 'StringValue':
      case 'BooleanValue':
      case 'EnumValue':
        return v.value
    }
  }
  return value ? read(value) : undefined
}

async function resolveCube(args: Record<string, unknown>, context: GraphQLContext, info: GraphQLResolveInfo) {
  const { built } = context
  const measures: string[] = []
  const dimensions: string[] = []
  const timeDimensions: { dimension: string; granularity?: string; dateRange?: unknown }[] = []
  const order: [string, 'asc' | 'desc'][] = []
  let filters = args.where ? filtersOf(args.where as Record<string, unknown>, null, built) : []
  for (const [view, members] of Object.entries((args.orderBy as Record<string, Record<string, 'asc' | 'desc'>> | undefined) ?? {})) {
    for (const [m, dir] of Object.entries(members ?? {})) order.push([`${view}.${m}`, dir])
  }
  for (const viewNode of childrenOf(info.fieldNodes[0]!, info)) {
    const view = viewNode.name.value
    const viewOrder = argumentOf(viewNode, 'orderBy', info.variableValues) as Record<string, 'asc' | 'desc'> | undefined
    for (const [m, dir] of Object.entries(viewOrder ?? {})) order.push([`${view}.${m}`, dir])
    const viewWhere = argumentOf(viewNode, 'where', info.variableValues) as Record<string, unknown> | undefined
    if (viewWhere) filters = [...filtersOf(viewWhere, view, built), ...filters]
    // A date range on a time dimension goes to the time dimension, where rollups can answer it (as Cube does).
    const ranges = new Map<string, string[]>()
    filters = filters.filter((f) => {
      if ('member' in f && f.operator === 'inDateRange' && !ranges.has(f.member)) return !ranges.set(f.member, f.values ?? [])
      return true
    })
    for (const memberNode of childrenOf(viewNode, info)) {
      const member = `${view}.${memberNode.name.value}`
      if (built.kinds.get(member) === 'measure') measures.push(member)
      else if (built.types.get(member) === 'time' && childrenOf(memberNode, info).length) {
        for (const g of childrenOf(memberNode, info)) {
          if (g.name.value === 'value') dimensions.push(member)
          else timeDimensions.push({ dimension: member, granularity: g.name.value, ...(ranges.has(member) ? { dateRange: rangeOf(ranges.get(member)!) } : {}) })
        }
      } else dimensions.push(member)
    }
    for (const [dimension, values] of ranges) if (!timeDimensions.some((t) => t.dimension === dimension)) timeDimensions.push({ dimension, dateRange: rangeOf(values) })
  }
  const raw = {
    measures, dimensions, timeDimensions, filters,
    ...(order.length ? { order } : {}),
    ...(args.limit != null ? { limit: args.limit } : {}),
    ...(args.offset != null ? { offset: args.offset } : {}),
    ...(args.timezone ? { timezone: args.timezone } : {}),
    ...(args.renewQuery ? { renewQuery: true } : {}),
    ...(args.ungrouped ? { ungrouped: true } : {}),
  }
  const q = validateQuery(context.ctx.model, raw)
  const result = await runQuery(context.ctx, q, context.sec)
  context.asked.push({ members: queryMembers(q), filters: result.query.filters, rows: result.data.length })
  const timezone = (args.timezone as string | undefined) ?? TIMEZONE
  const asked = new Set(dimensions)
  return result.data.map((row) => {
    const out: Record<string, Record<string, unknown>> = {}
    const put = (path: string[], value: unknown) => {
      let at: Record<string, unknown> = out
      for (const p of path.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>
      at[path.at(-1)!] = value
    }
    for (const [key, value] of Object.entries(row)) {
      const path = key.split('.')
      const time = built.types.get(path.slice(0, 2).join('.')) === 'time'
      const shown = time && typeof value === 'string' ? instantOf(value, timezone) : value
      if (path.length === 3) put(path, shown)
      else if (time) {
        if (asked.has(key)) put([...path, 'value'], shown)
      } else put(path, shown)
    }
    return out
  })
}

/** Cube's GraphQL takes a relative range as one string and two dates as a list. */
const rangeOf = (values: string[]) => (values.length === 1 && !/^\d{4}-\d{2}-\d{2}/.test(values[0]!) ? values[0]! : values)

const schemas = new Map<string, Built>()

/** The schema of what a caller may see, kept by that view list. */
function schemaFor(ctx: CubeApiContext, sec: SecurityContext): Built {
  const views = visibleMeta(ctx.model, sec, ctx.sharing) as ViewMeta[]
  const key = JSON.stringify(views.map((v) => [v.name, v.measures.map((m) => m.name), v.dimensions.map((d) => d.name)]))
  let built = schemas.get(key)
  if (!built) {
    built = buildSchema<GraphQLContext>(views, (_root, args, context, info) => resolveCube(args, context, info))
    if (schemas.size >= 100) schemas.delete(schemas.keys().next().value!)
    schemas.set(key, built)
  }
  return built
}

/** The GraphQL request from a POST body or GET parameters. */
function requestOf(req: FastifyRequest): { query: string; variables: Record<string, unknown>; operationName?: string } {
  const source = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined
  const query = source?.query
  if (typeof query !== 'string' || !query.trim()) throw new QueryError('Thiếu truy vấn GraphQL ("query")', 'The GraphQL "query" is missing')
  let variables = source?.variables ?? {}
  if (typeof variables === 'string') {
    const parsed = parseJsonBounded(variables)
    if (!parsed.ok) throw new QueryError(`Tham số "variables" không hợp lệ: ${parsed.vi}`, `The "variables" parameter is invalid: ${parsed.en}`)
    variables = parsed.value ?? {}
  }
  if (typeof variables !== 'object' || Array.isArray(variables)) throw new QueryError('"variables" phải là một đối tượng JSON', '"variables" must be a JSON object')
  return { query, variables: variables as Record<string, unknown>, ...(typeof source?.operationName === 'string' ? { operationName: source.operationName } : {}) }
}

/** A resolver's failure as a GraphQL error that says what REST would: status, code, both languages. */
/**
 * A failure of kho's own inside an error GraphQL reports: neither a refusal kho gave (HttpError) nor
 * GraphQL's own judgement of the request (a GraphQLError, e.g. a variable of the wrong type).
 */
const internalOf = (err: GraphQLError): Error | null => {
  const original = err.originalError
  return original && !(original instanceof HttpError) && !(original instanceof GraphQLError) ? original : null
}

function errorOf(err: GraphQLError) {
  const original = err.originalError
  if (original instanceof HttpError) return { message: original.vi, locations: err.locations, path: err.path, extensions: { code: original.code, status: original.status, message_en: original.en } }
  if (internalOf(err)) return { message: 'Lỗi khi trả lời truy vấn', locations: err.locations, path: err.path, extensions: { code: 'internal', status: 500, message_en: 'The query could not be answered' } }
  return { message: err.message, locations: err.locations, extensions: { code: 'bad_graphql', status: 400 } }
}

/**
 * A view the caller's schema leaves out is a field GraphQL does not know; REST refuses the same
 * view with the policy's 403 and reason, and so does this, where the name is one of the model's views.
 */
function refusedView(ctx: CubeApiContext, sec: SecurityContext, errors: readonly GraphQLError[]) {
  for (const e of errors) {
    const view = /Cannot query field "(\w+)" on type "Result"/.exec(e.message)?.[1]
    const meta = view && ctx.model.meta.find((v) => v.name === view)
    const member = meta && [...meta.measures, ...meta.dimensions][0]
    if (member) applyPolicy(ctx.model, validateQuery(ctx.model, { [meta.measures.length ? 'measures' : 'dimensions']: [member.name] }), sec, ctx.sharing)
  }
}

export function graphqlRoutes(app: FastifyInstance, ctx: CubeApiContext) {
  const serve = (req: FastifyRequest) =>
    handle(ctx, 'graphql', req, async (sec) => {
      const { query, variables, operationName } = requestOf(req)
      const { document, cubes } = withinBudget(query, sec)
      req.chargeRate?.(cubes)
      const built = schemaFor(ctx, sec)
      const context: GraphQLContext = { ctx, sec, built, asked: [] }
      const invalid = validate(built.schema, document)
      const result = invalid.length > 0 ? { errors: invalid, data: undefined } : await execute({ schema: built.schema, document, variableValues: variables, operationName, contextValue: context })
      const errors = result.errors?.map(errorOf)
      // A query that does not parse or fit the schema is a 400, as a bad REST query is; a refused
      // view is the 403 REST gives. Otherwise the answer, with any field's error beside its data.
      if (!result.data && errors?.length) {
        const first = result.errors![0]!
        if (first.originalError instanceof HttpError) throw first.originalError
        // A failure of kho's own is not the caller's: it goes on as any other route's would (a 500, logged).
        const internal = internalOf(first)
        if (internal) throw internal
        refusedView(ctx, sec, result.errors!)
        throw new QueryError(`Truy vấn GraphQL không hợp lệ: ${errors.map((e) => e.message).join('; ')}`, `Invalid GraphQL query: ${errors.map((e) => e.message).join('; ')}`)
      }
      return {
        body: { data: result.data, ...(errors?.length ? { errors } : {}) },
        outcome: { members: context.asked.flatMap((a) => a.members), filters: context.asked.map((a) => a.filters), rowCount: context.asked.reduce((n, a) => n + a.rows, 0) },
      }
    })
  // Open to everyone, like /load: the view policy decides per view, the public seeing open views only.
  app.get('/cubejs-api/graphql', allow(access.public), serve)
  app.post('/cubejs-api/graphql', allow(access.public), serve)
}
