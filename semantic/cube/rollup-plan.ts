/**
 * Cube's rollup SQL as a plan rollup-memory.ts evaluates: the one narrow shape Cube's query builder
 * writes over a rollup table (see there), parsed once per text; anything else is no plan.
 */
type Token = { t: 'id' | 'word' | 'str' | 'num' | 'param' | 'punct'; v: string }

function tokenize(sql: string): Token[] | null {
  const out: Token[] = []
  const re = /\s+|`([^`]*)`|([A-Za-z_][A-Za-z0-9_.]*)|'((?:[^'\\]|\\.)*)'|(\d+(?:\.\d+)?)|(\?)|(<>|!=|>=|<=|[(),=<>*])/gy
  let m: RegExpExecArray | null
  let at = 0
  while (at < sql.length) {
    re.lastIndex = at
    if (!(m = re.exec(sql))) return null
    at = re.lastIndex
    if (m[1] !== undefined) out.push({ t: 'id', v: m[1] })
    else if (m[2] !== undefined) out.push({ t: 'word', v: m[2] })
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3].replace(/\\(.)/g, '$1') })
    else if (m[4] !== undefined) out.push({ t: 'num', v: m[4] })
    else if (m[5] !== undefined) out.push({ t: 'param', v: '?' })
    else if (m[6] !== undefined) out.push({ t: 'punct', v: m[6] })
  }
  return out
}

/** A value in a comparison: the n-th parameter, or a literal. */
export type Operand = { param: number; time?: true; number?: true } | { literal: string }
export type Predicate =
  | { and: Predicate[] }
  | { or: Predicate[] }
  | { not: Predicate }
  | { column: string; op: '=' | '<>' | '>' | '>=' | '<' | '<='; value: Operand }
  | { column: string; op: 'in'; values: Operand[]; negated: boolean }
  | { column: string; op: 'null'; negated: boolean }
  | { column: string; op: 'ilike'; parts: Operand[]; negated: boolean }

export interface RollupPlan {
  table: string
  select: { alias: string; column: string; sum: boolean }[]
  where: Predicate | null
  grouped: boolean
  order: { alias: string; desc: boolean }[]
  limit: number | null
  offset: number
}

/** A part of the SQL outside the shape: the engine answers it (also thrown while evaluating). */
export class Unsupported extends Error {}

function parse(sql: string): RollupPlan {
  const tokens = tokenize(sql)
  if (!tokens) throw new Unsupported()
  let i = 0
  let params = 0
  const peek = (v?: string) => (v === undefined ? tokens[i] : tokens[i] && tokens[i]!.v.toUpperCase() === v ? tokens[i] : undefined)
  const take = (v: string) => {
    if (!peek(v)) throw new Unsupported()
    return tokens[i++]!
  }
  const takeIf = (v: string) => (peek(v) ? tokens[i++] : undefined)
  const kind = (t: Token['t']) => {
    const tok = tokens[i]
    if (tok?.t !== t) throw new Unsupported()
    i++
    return tok.v
  }

  take('SELECT')
  const select: RollupPlan['select'] = []
  do {
    if (peek('SUM') && tokens[i + 1]?.v === '(') {
      i += 2
      const column = kind('id')
      take(')')
      select.push({ column, alias: kind('id'), sum: true })
    } else {
      const column = kind('id')
      select.push({ column, alias: kind('id'), sum: false })
    }
  } while (takeIf(','))
  take('FROM')
  const table = kind('word')
  take('AS')
  kind('id')

  /** A parameter, alone or as the one argument of a conversion Cube wraps it in. */
  const operand = (): Operand => {
    if (tokens[i]?.t === 'param') return i++, { param: params++ }
    if (tokens[i]?.t === 'str') return { literal: tokens[i++]!.v }
    const read = peek('PARSEDATETIMEBESTEFFORT') ? { time: true as const } : peek('TOFLOAT64') ? { number: true as const } : null
    if (!read) throw new Unsupported()
    i++
    take('(')
    if (tokens[i]?.t !== 'param') throw new Unsupported()
    i++
    take(')')
    return { param: params++, ...read }
  }
  /** `(a, b, …)`: operands in parentheses. */
  const operandList = (): Operand[] => {
    take('(')
    const list: Operand[] = []
    do list.push(operand())
    while (takeIf(','))
    take(')')
    return list
  }
  const primary = (): Predicate => {
    if (takeIf('NOT')) return { not: primary() }
    if (takeIf('(')) {
      const inner = or()
      take(')')
      return inner
    }
    const column = kind('id')
    if (takeIf('IS')) {
      const negated = !!takeIf('NOT')
      take('NULL')
      return { column, op: 'null', negated }
    }
    const negated = !!takeIf('NOT')
    if (takeIf('IN')) return { column, op: 'in', values: operandList(), negated }
    if (takeIf('ILIKE')) {
      take('CONCAT')
      return { column, op: 'ilike', parts: operandList(), negated }
    }
    if (negated) throw new Unsupported()
    const op = tokens[i]?.t === 'punct' ? tokens[i++]!.v : ''
    if (!['=', '<>', '!=', '>', '>=', '<', '<='].includes(op)) throw new Unsupported()
    return { column, op: (op === '!=' ? '<>' : op) as '=', value: operand() }
  }
  const and = (): Predicate => {
    const parts = [primary()]
    while (takeIf('AND')) parts.push(primary())
    return parts.length === 1 ? parts[0]! : { and: parts }
  }
  const or = (): Predicate => {
    const parts = [and()]
    while (takeIf('OR')) parts.push(and())
    return parts.length === 1 ? parts[0]! : { or: parts }
  }
  const where = takeIf('WHERE') ? or() : null

  let grouped = false
  if (takeIf('GROUP')) {
    take('BY')
    const keys: string[] = []
    do keys.push(kind('id'))
    while (takeIf(','))
    const plain = select.filter((s) => !s.sum).map((s) => s.alias)
    if (keys.length !== plain.length || !plain.every((a) => keys.includes(a))) throw new Unsupported()
    grouped = true
  } else if (select.some((s) => !s.sum)) throw new Unsupported()
  const order: RollupPlan['order'] = []
  if (takeIf('ORDER')) {
    take('BY')
    do {
      const alias = kind('id')
      if (!select.some((s) => s.alias === alias)) throw new Unsupported()
      const desc = !!takeIf('DESC')
      if (!desc) takeIf('ASC')
      order.push({ alias, desc })
    } while (takeIf(','))
  }
  let limit: number | null = null
  let offset = 0
  if (takeIf('LIMIT')) limit = Number(kind('num'))
  if (takeIf('OFFSET')) offset = Number(kind('num'))
  // Anything left (HAVING, SETTINGS, a second statement) is not this shape.
  if (i !== tokens.length) throw new Unsupported()
  return { table, select, where, grouped, order, limit, offset }
}

const plans = new Map<string, RollupPlan | null>()

/** Cube's SQL as a plan this module evaluates, or null (the engine answers); kept by text. */
export function rollupPlan(sql: string): RollupPlan | null {
  let plan = plans.get(sql)
  if (plan === undefined) {
    try {
      plan = parse(sql)
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err
      plan = null
    }
    if (plans.size >= 2000) plans.delete(plans.keys().next().value!)
    plans.set(sql, plan)
  }
  return plan
}
