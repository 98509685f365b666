import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql'

/**
 * The GraphQL schema of what one caller may see, in Cube's names and shapes (KtXhMembers,
 * KtXhWhereInput, StringFilter, TimeDimension…), so queries written for Cube's GraphQL run unchanged.
 */
const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const


const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'Thời điểm ISO 8601 (UTC) / an ISO 8601 instant (UTC)',
  serialize: (v) => String(v),
  parseValue: (v) => String(v),
  parseLiteral: (node) => ('value' in node ? String(node.value) : null),
})

const list = (t: GraphQLScalarType) => new GraphQLList(t)
const FILTERS = {
  number: new GraphQLInputObjectType({
    name: 'FloatFilter',
    fields: { equals: { type: GraphQLFloat }, notEquals: { type: GraphQLFloat }, in: { type: list(GraphQLFloat) }, notIn: { type: list(GraphQLFloat) }, set: { type: GraphQLBoolean }, gt: { type: GraphQLFloat }, lt: { type: GraphQLFloat }, gte: { type: GraphQLFloat }, lte: { type: GraphQLFloat } },
  }),
  string: new GraphQLInputObjectType({
    name: 'StringFilter',
    fields: Object.fromEntries([
      ['equals', { type: GraphQLString }], ['notEquals', { type: GraphQLString }], ['set', { type: GraphQLBoolean }],
      ...['in', 'notIn', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'].map((op) => [op, { type: list(GraphQLString) }]),
    ]),
  }),
  time: new GraphQLInputObjectType({
    name: 'DateTimeFilter',
    fields: Object.fromEntries([
      ...['equals', 'notEquals', 'in', 'notIn', 'inDateRange', 'notInDateRange'].map((op) => [op, { type: list(GraphQLString) }]),
      ...['beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'].map((op) => [op, { type: GraphQLString }]),
      ['set', { type: GraphQLBoolean }],
    ]),
  }),
}
const OrderBy = new GraphQLEnumType({ name: 'OrderBy', values: { asc: {}, desc: {} } })
const TimeDimension = new GraphQLObjectType({ name: 'TimeDimension', fields: Object.fromEntries(['value', ...GRANULARITIES].map((g) => [g, { type: DateTime }])) })

/** Cube's names: kt_xh → KtXh for types; fields keep the view's and members' own names. */
const typeName = (view: string) => view.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())
const memberName = (full: string) => full.split('.').slice(1).join('')

export interface ViewMeta {
  name: string
  measures: { name: string; type?: string; description?: string }[]
  dimensions: { name: string; type?: string; description?: string }[]
}

/** Where each member of the schema comes from, to turn a selection into a Cube query. */
export interface Built {
  schema: GraphQLSchema
  kinds: Map<string, 'measure' | 'dimension'>
  types: Map<string, string>
}

/** The schema for these views; `resolveCube` answers the root `cube` field. */
export function buildSchema<C>(views: ViewMeta[], resolveCube: GraphQLFieldResolver<unknown, C>): Built {
  const kinds = new Map<string, 'measure' | 'dimension'>()
  const types = new Map<string, string>()
  const shown = views.filter((v) => v.measures.length + v.dimensions.length > 0)
  const rootWhere: GraphQLInputFieldConfigMap = {}
  const rootOrder: GraphQLInputFieldConfigMap = {}
  const result: GraphQLFieldConfigMap<unknown, unknown> = {}
  for (const view of shown) {
    const T = typeName(view.name)
    const members = [...view.measures.map((m) => ({ ...m, kind: 'measure' as const })), ...view.dimensions.map((d) => ({ ...d, kind: 'dimension' as const }))]
    for (const m of members) {
      kinds.set(m.name, m.kind)
      types.set(m.name, m.type ?? 'string')
    }
    const output = (t: string | undefined): GraphQLOutputType => (t === 'time' ? TimeDimension : t === 'number' ? GraphQLFloat : GraphQLString)
    const where: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${T}WhereInput`,
      fields: () => ({
        AND: { type: new GraphQLList(new GraphQLNonNull(where)) },
        OR: { type: new GraphQLList(new GraphQLNonNull(where)) },
        ...Object.fromEntries(members.map((m) => [memberName(m.name), { type: FILTERS[m.type === 'time' ? 'time' : m.type === 'number' ? 'number' : 'string'] }])),
      }),
    })
    const order = new GraphQLInputObjectType({ name: `${T}OrderByInput`, fields: Object.fromEntries(members.map((m) => [memberName(m.name), { type: OrderBy }])) })
    const type = new GraphQLObjectType({ name: `${T}Members`, fields: Object.fromEntries(members.map((m) => [memberName(m.name), { type: output(m.type), ...(m.description ? { description: m.description } : {}) }])) })
    rootWhere[view.name] = { type: where }
    rootOrder[view.name] = { type: order }
    result[view.name] = { type: new GraphQLNonNull(type), args: { where: { type: where }, orderBy: { type: order } } }
  }
  const RootWhere: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: 'RootWhereInput',
    fields: () => ({ AND: { type: new GraphQLList(new GraphQLNonNull(RootWhere)) }, OR: { type: new GraphQLList(new GraphQLNonNull(RootWhere)) }, ...rootWhere }),
  })
  // A caller who may see no view still gets a valid (empty) schema.
  const Result = new GraphQLObjectType({ name: 'Result', fields: Object.keys(result).length ? result : { _empty: { type: GraphQLString } } })
  const query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      cube: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Result))),
        args: {
          where: { type: RootWhere },
          limit: { type: GraphQLInt },
          offset: { type: GraphQLInt },
          timezone: { type: GraphQLString },
          renewQuery: { type: GraphQLBoolean },
          ungrouped: { type: GraphQLBoolean },
          ...(Object.keys(rootOrder).length ? { orderBy: { type: new GraphQLInputObjectType({ name: 'RootOrderByInput', fields: rootOrder }) } } : {}),
        },
        resolve: resolveCube,
      },
    },
  })
  return { schema: new GraphQLSchema({ query, types: [DateTime] }), kinds, types }
}
