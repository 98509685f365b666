import type { Node, SelectStmt } from '@pgsql/types'
import type { SemanticModel } from '../cube/compile-model.ts'

/**
 * Cube's SQL dialect over kho's views, read from the real Postgres parser's tree (libpg-query): one
 * view in FROM is a table; MEASURE(m) or the measure's own aggregate (SUM(value), COUNT(*)) is a
 * measure; other columns are dimensions, grouped; date_trunc('quarter', t) is a granularity;
 * WHERE becomes Cube filters (and/or/not, =, <>, IN, LIKE, BETWEEN, IS NULL, comparisons); ORDER BY,
 * LIMIT and OFFSET pass on. The Cube query then goes the way /load's do (policy, cache, audit).
 */

export class SqlError extends Error {
  constructor(
    /** SQLSTATE: 42601 syntax, 42P01 no such table, 42703 no such column, 0A000 not supported, 42501 refused. */
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(en)
  }
}

/** One column of the answer: its name, the member (or time member) it comes from, and its Postgres type. */
export interface OutColumn {
  name: string
  /** Where the column's value is in a /load row ("truong_hoc.count", "t.ngay.quarter"). */
  key: string
  type: 'text' | 'int8' | 'numeric' | 'timestamp' | 'bool'
}

export interface Translated {
  view: string
  query: Record<string, unknown>
  columns: OutColumn[]
}

type Value = string | null
type Filter = { member: string; operator: string; values?: string[] } | { and: Filter[] } | { or: Filter[] }

const GRAINS = new Set(['day', 'week', 'month', 'quarter', 'year', 'hour', 'minute', 'second'])
const AGGREGATES = new Set(['measure', 'sum', 'count', 'avg', 'min', 'max'])

const unsupported = (what: string, whatEn = what) => new SqlError('0A000', `Chưa hỗ trợ ${what} trong SQL của kho`, `${whatEn} is not supported by kho's SQL`)

/** The string of a String node (identifiers, operator names). */
const str = (n: Node | undefined): string => ((n as { String?: { sval?: string } } | undefined)?.String?.sval ?? '')

export function translateSelect(stmt: SelectStmt, model: SemanticModel, params: Value[]): Translated {
  if (stmt.withClause) throw unsupported('WITH (CTE)', 'WITH (a CTE)')
  if (stmt.op && stmt.op !== 'SETOP_NONE') throw unsupported('UNION, INTERSECT, EXCEPT')
  if (stmt.havingClause) throw unsupported('HAVING (dùng WHERE trên chỉ số đo)', 'HAVING (use WHERE on the measure)')
  if (stmt.distinctClause) throw unsupported('DISTINCT (các chiều đã được gộp)', 'DISTINCT (dimensions are grouped already)')
  const from = stmt.fromClause ?? []
  if (from.length !== 1 || !('RangeVar' in from[0]!)) throw unsupported('truy vấn không có đúng một khung nhìn trong FROM (JOIN, truy vấn con)', 'a FROM without exactly one view (joins, subqueries)')
  const range = (from[0] as { RangeVar: { relname?: string; schemaname?: string; alias?: { aliasname?: string } } }).RangeVar
  const view = range.relname ?? ''
  if (range.schemaname && range.schemaname !== 'public') throw new SqlError('42P01', `Không có bảng "${range.schemaname}.${view}"`, `relation "${range.schemaname}.${view}" does not exist`)
  const viewMeta = model.meta.find((v) => v.name === view)
  if (!viewMeta) throw new SqlError('42P01', `Không có khung nhìn "${view}"`, `relation "${view}" does not exist`)
  const alias = range.alias?.aliasname
  const memberKind = (m: string) => model.members.get(m)

  /** A column reference as a member of the view ("ma_xa", "truong_hoc.ma_xa", "t.ma_xa"). */
  const memberOf = (n: Node): string => {
    const fields = (n as { ColumnRef?: { fields?: Node[] } }).ColumnRef?.fields
    if (!fields) throw unsupported('biểu thức này', 'this expression')
    const names = fields.map(str)
    if ('A_Star' in (fields.at(-1) as object)) throw unsupported('SELECT * (hãy nêu các cột)', 'SELECT * (name the columns)')
    const [qualifier, column] = names.length === 2 ? names : [null, names[0]!]
    if (qualifier !== null && qualifier !== view && qualifier !== alias) throw new SqlError('42P01', `Không có bảng "${qualifier}" trong FROM`, `missing FROM-clause entry for table "${qualifier}"`)
    const member = `${view}.${column}`
    if (!memberKind(member)) throw new SqlError('42703', `Khung nhìn "${view}" không có cột "${column}"`, `column "${column}" does not exist in "${view}"`)
    return member
  }
  const typeOf = (member: string): OutColumn['type'] => {
    const m = memberKind(member)!
    const t = (m.meta as { type?: string; aggType?: string }).type
    const agg = (m.meta as { aggType?: string }).aggType
    if (m.kind === 'measure') return agg === 'count' || agg === 'countDistinct' || agg === 'countDistinctApprox' ? 'int8' : 'numeric'
    return t === 'number' ? 'numeric' : t === 'time' ? 'timestamp' : t === 'boolean' ? 'bool' : 'text'
  }
  const valueOf = (n: Node): Value => {
    if ('A_Const' in n) {
      const c = n.A_Const as { isnull?: boolean; sval?: { sval?: string }; ival?: { ival?: number }; fval?: { fval?: string }; boolval?: { boolval?: boolean } }
      if (c.isnull) return null
      if (c.sval) return c.sval.sval ?? ''
      if (c.ival) return String(c.ival.ival ?? 0)
      if (c.fval) return c.fval.fval ?? '0'
      if (c.boolval) return String(c.boolval.boolval ?? false)
      return ''
    }
    if ('ParamRef' in n) {
      const i = ((n.ParamRef as { number?: number }).number ?? 0) - 1
      if (i < 0 || i >= params.length) throw new SqlError('08P01', `Thiếu giá trị cho tham số $${i + 1}`, `no value for parameter $${i + 1}`)
      return params[i]!
    }
    if ('TypeCast' in n) return valueOf((n.TypeCast as { arg: Node }).arg)
    throw unsupported('giá trị không phải hằng (chỉ hằng hoặc tham số $n)', 'a value that is not a constant (constants or $n parameters only)')
  }

  // --- SELECT list ---
  const columns: OutColumn[] = []
  const measures: string[] = []
  const dimensions: string[] = []
  const timeDimensions: { dimension: string; granularity: string }[] = []
  /** An output expression's member key, for ORDER BY by name or position. */
  const keyOfTarget: { name: string; key: string; member: string }[] = []
  const measureOf = (fn: string, args: Node[], star: boolean): string => {
    if (star || (fn === 'count' && args.length === 0)) {
      const count = viewMeta.measures.find((m) => (m as { aggType?: string }).aggType === 'count' || m.type === 'count')
      if (!count) throw new SqlError('42883', `Khung nhìn "${view}" không có chỉ số đếm`, `"${view}" has no count measure`)
      return count.name
    }
    if (args.length !== 1) throw unsupported(`${fn}() với nhiều đối số`, `${fn}() with several arguments`)
    const m = memberOf(args[0]!)
    if (memberKind(m)!.kind !== 'measure') throw new SqlError('42803', `"${m}" là chiều, không phải chỉ số đo: không gộp được bằng ${fn.toUpperCase()}`, `"${m}" is a dimension, not a measure: ${fn.toUpperCase()} cannot aggregate it`)
    return m
  }
  const timeOf = (args: Node[]): { member: string; grain: string } => {
    const grain = (valueOf(args[0]!) ?? '').toLowerCase()
    if (!GRAINS.has(grain)) throw new SqlError('22023', `date_trunc: không có đơn vị "${grain}"`, `date_trunc: unit "${grain}" not recognized`)
    const member = memberOf(args[1]!)
    if (typeOf(member) !== 'timestamp') throw new SqlError('42883', `date_trunc cần cột thời gian; "${member}" không phải`, `date_trunc needs a time column; "${member}" is not one`)
    return { member, grain }
  }
  for (const t of stmt.targetList ?? []) {
    const target = (t as { ResTarget: { name?: string; val: Node } }).ResTarget
    const val = target.val
    if ('ColumnRef' in val) {
      const member = memberOf(val)
      const name = target.name ?? member.slice(view.length + 1)
      const kind = memberKind(member)!.kind
      if (kind === 'measure') measures.push(member)
      else dimensions.push(member)
      columns.push({ name, key: member, type: typeOf(member) })
      keyOfTarget.push({ name, key: member, member })
    } else if ('FuncCall' in val) {
      const f = val.FuncCall as { funcname?: Node[]; args?: Node[]; agg_star?: boolean; agg_distinct?: boolean }
      const fn = str(f.funcname?.at(-1)).toLowerCase()
      if (f.agg_distinct) throw unsupported('COUNT(DISTINCT …) (dùng chỉ số đếm phân biệt của khung nhìn)', "COUNT(DISTINCT …) (use the view's distinct-count measure)")
      if (AGGREGATES.has(fn)) {
        const member = measureOf(fn, f.args ?? [], f.agg_star === true)
        measures.push(member)
        columns.push({ name: target.name ?? fn, key: member, type: typeOf(member) })
        keyOfTarget.push({ name: target.name ?? fn, key: member, member })
      } else if (fn === 'date_trunc') {
        const { member, grain } = timeOf(f.args ?? [])
        timeDimensions.push({ dimension: member, granularity: grain })
        const key = `${member}.${grain}`
        columns.push({ name: target.name ?? 'date_trunc', key, type: 'timestamp' })
        keyOfTarget.push({ name: target.name ?? 'date_trunc', key, member })
      } else throw unsupported(`hàm ${fn}()`, `function ${fn}()`)
    } else throw unsupported('biểu thức này trong SELECT', 'this expression in SELECT')
  }
  if (columns.length === 0) throw new SqlError('42601', 'SELECT cần ít nhất một cột', 'SELECT needs at least one column')

  // --- GROUP BY: only what is selected (Cube groups by every dimension asked) ---
  for (const g of stmt.groupClause ?? []) {
    if ('A_Const' in g) continue // GROUP BY 1, 2: positions of selected columns
    if ('ColumnRef' in g) {
      const names = ((g.ColumnRef as { fields?: Node[] }).fields ?? []).map(str)
      if (keyOfTarget.some((k) => k.name === names.at(-1))) continue
      const member = memberOf(g)
      if (!dimensions.includes(member)) throw new SqlError('42803', `Cột "${member}" trong GROUP BY phải có trong SELECT`, `column "${member}" in GROUP BY must be selected`)
      continue
    }
    if ('FuncCall' in g) continue // date_trunc(…) grouped as selected
    throw unsupported('biểu thức này trong GROUP BY', 'this expression in GROUP BY')
  }

  // --- WHERE ---
  const filters: Filter[] = []
  const NEGATE: Record<string, string> = { equals: 'notEquals', notEquals: 'equals', contains: 'notContains', notContains: 'contains', startsWith: 'notStartsWith', notStartsWith: 'startsWith', endsWith: 'notEndsWith', notEndsWith: 'endsWith', set: 'notSet', notSet: 'set', gt: 'lte', lte: 'gt', lt: 'gte', gte: 'lt', afterDate: 'beforeOrOnDate', beforeOrOnDate: 'afterDate', beforeDate: 'afterOrOnDate', afterOrOnDate: 'beforeDate', inDateRange: 'notInDateRange', notInDateRange: 'inDateRange' }
  const negate = (f: Filter): Filter => {
    if ('and' in f) return { or: f.and.map(negate) }
    if ('or' in f) return { and: f.or.map(negate) }
    return { ...f, operator: NEGATE[f.operator]! }
  }
  /** A date or time as drivers send it ("2026-01-01 +00" from pgjdbc's setDate), as kho's filters read it. */
  const moment = (v: Value): Value => {
    const m = v === null ? null : /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(?:[+-]\d{2}(?::?\d{2})?|Z)?$/.exec(v.trim())
    return m ? (m[2] && !/^00:00(:00(\.0+)?)?$/.test(m[2]) ? `${m[1]}T${m[2]}` : m[1]!) : v
  }
  const compare = (member: string, op: string, raw: Value): Filter => {
    const time = typeOf(member) === 'timestamp'
    const value = time ? moment(raw) : raw
    const ops: Record<string, string> = time ? { '<': 'beforeDate', '<=': 'beforeOrOnDate', '>': 'afterDate', '>=': 'afterOrOnDate' } : { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' }
    if (op === '=' || op === '<>' || op === '!=') {
      if (value === null) return { member, operator: op === '=' ? 'notSet' : 'set' }
      if (time) return op === '=' ? { member, operator: 'inDateRange', values: [value, value] } : { member, operator: 'notInDateRange', values: [value, value] }
      return { member, operator: op === '=' ? 'equals' : 'notEquals', values: [value] }
    }
    if (!ops[op]) throw unsupported(`toán tử ${op}`, `operator ${op}`)
    if (value === null) throw new SqlError('22004', `So sánh ${op} với NULL`, `comparison ${op} with NULL`)
    return { member, operator: ops[op]!, values: [value] }
  }
  const like = (member: string, pattern: Value, negated: boolean): Filter => {
    const p = pattern ?? ''
    const inner = p.replace(/^%/, '').replace(/%$/, '')
    if (/[%_]/.test(inner)) throw unsupported(`mẫu LIKE "${p}" (chỉ %x%, x%, %x)`, `the LIKE pattern "${p}" (only %x%, x%, %x)`)
    const op = p.startsWith('%') && p.endsWith('%') && p.length > 1 ? 'contains' : p.endsWith('%') ? 'startsWith' : p.startsWith('%') ? 'endsWith' : 'equals'
    const f: Filter = { member, operator: op, values: [inner] }
    return negated ? negate(f) : f
  }
  const filterOf = (n: Node): Filter => {
    if ('BoolExpr' in n) {
      const b = n.BoolExpr as { boolop: string; args?: Node[] }
      const args = (b.args ?? []).map(filterOf)
      if (b.boolop === 'AND_EXPR') return { and: args }
      if (b.boolop === 'OR_EXPR') return { or: args }
      return negate(args[0]!)
    }
    if ('NullTest' in n) {
      const t = n.NullTest as { arg: Node; nulltesttype: string }
      return { member: memberOf(t.arg), operator: t.nulltesttype === 'IS_NULL' ? 'notSet' : 'set' }
    }
    if ('A_Expr' in n) {
      const e = n.A_Expr as { kind: string; name?: Node[]; lexpr?: Node; rexpr?: Node }
      const op = str(e.name?.[0])
      // A constant on the left ("2025 = nam") reads as on the right.
      const [col, other, flipped] = e.lexpr && 'ColumnRef' in e.lexpr ? [e.lexpr, e.rexpr!, false] : [e.rexpr!, e.lexpr!, true]
      const member = memberOf(col)
      switch (e.kind) {
        case 'AEXPR_OP': {
          const mirrored = flipped ? ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op : op
          return compare(member, mirrored, valueOf(other))
        }
        case 'AEXPR_IN': {
          const values = ((other as { List?: { items?: Node[] } }).List?.items ?? []).map(valueOf).filter((v): v is string => v !== null)
          return { member, operator: op === '<>' ? 'notEquals' : 'equals', values }
        }
        case 'AEXPR_LIKE':
          return like(member, valueOf(other), op === '!~~')
        case 'AEXPR_BETWEEN':
        case 'AEXPR_NOT_BETWEEN': {
          const [lo, hi] = ((other as { List?: { items?: Node[] } }).List?.items ?? []).map(valueOf)
          const f: Filter = typeOf(member) === 'timestamp' ? { member, operator: 'inDateRange', values: [moment(lo ?? '') ?? '', moment(hi ?? '') ?? ''] } : { and: [compare(member, '>=', lo ?? null), compare(member, '<=', hi ?? null)] }
          return e.kind === 'AEXPR_NOT_BETWEEN' ? negate(f) : f
        }
        default:
          throw unsupported(`phép so sánh ${e.kind}`, `the comparison ${e.kind}`)
      }
    }
    throw unsupported('điều kiện này trong WHERE', 'this condition in WHERE')
  }
  if (stmt.whereClause) {
    const f = filterOf(stmt.whereClause)
    filters.push(...('and' in f ? f.and : [f]))
  }

  // --- ORDER BY, LIMIT, OFFSET ---
  const order: [string, 'asc' | 'desc'][] = []
  for (const s of stmt.sortClause ?? []) {
    const by = (s as { SortBy: { node: Node; sortby_dir?: string } }).SortBy
    const dir = by.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc'
    let key: string
    if ('A_Const' in by.node) {
      const i = Number(valueOf(by.node)) - 1
      if (!keyOfTarget[i]) throw new SqlError('42P10', `ORDER BY ${i + 1} không phải vị trí một cột`, `ORDER BY position ${i + 1} is not in select list`)
      key = keyOfTarget[i]!.key
    } else if ('ColumnRef' in by.node && keyOfTarget.some((k) => k.name === str(((by.node as { ColumnRef: { fields: Node[] } }).ColumnRef.fields).at(-1)))) {
      key = keyOfTarget.find((k) => k.name === str(((by.node as { ColumnRef: { fields: Node[] } }).ColumnRef.fields).at(-1)))!.key
    } else if ('FuncCall' in by.node) {
      const f = by.node.FuncCall as { funcname?: Node[]; args?: Node[]; agg_star?: boolean }
      const fn = str(f.funcname?.at(-1)).toLowerCase()
      key = fn === 'date_trunc' ? (({ member, grain }) => `${member}.${grain}`)(timeOf(f.args ?? [])) : measureOf(fn, f.args ?? [], f.agg_star === true)
    } else key = memberOf(by.node)
    // A granularity is ordered by its time dimension.
    const t = timeDimensions.find((x) => key === `${x.dimension}.${x.granularity}`)
    order.push([t ? t.dimension : key, dir])
  }
  const count = (n: Node | undefined, what: string): number | undefined => {
    if (!n) return undefined
    const v = Number(valueOf(n))
    if (!Number.isInteger(v) || v < 0) throw new SqlError('2201W', `${what} phải là số nguyên không âm`, `${what} must be a non-negative integer`)
    return v
  }
  const limit = count(stmt.limitCount, 'LIMIT')
  const offset = count(stmt.limitOffset, 'OFFSET')

  const query: Record<string, unknown> = {
    measures,
    dimensions,
    ...(timeDimensions.length ? { timeDimensions } : {}),
    filters,
    ...(order.length ? { order } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
  }
  return { view, query, columns }
}

/** The views a statement reads from (FROM … at the top level), to tell kho's views from the catalog. */
export function tablesOf(stmt: SelectStmt): { schema: string | null; name: string }[] {
  return (stmt.fromClause ?? []).flatMap((f) => ('RangeVar' in f ? [{ schema: (f.RangeVar as { schemaname?: string }).schemaname ?? null, name: (f.RangeVar as { relname?: string }).relname ?? '' }] : []))
}

type Ctes = Map<string, SelectStmt>

/**
 * A statement as BI tools write it around a question: the question itself, or the question in a
 * subquery or a CTE that an outer SELECT narrows — Superset's `SELECT … FROM (…) AS virtual_table
 * LIMIT 1000`, a tool's `WITH q AS (…) SELECT * FROM q WHERE …`. The outer SELECT may pick and
 * rename the inner columns (or `*`), filter on them (the filter joins the inner WHERE: on a
 * dimension before grouping, on a measure after, as Cube reads it), order and limit them.
 */
export function translateStatement(stmt: SelectStmt, model: SemanticModel, params: Value[], outerCtes: Ctes = new Map()): Translated {
  const ctes: Ctes = new Map(outerCtes)
  for (const c of stmt.withClause?.ctes ?? []) {
    const cte = (c as { CommonTableExpr: { ctename: string; ctequery: Node } }).CommonTableExpr
    if (!('SelectStmt' in cte.ctequery)) throw unsupported('CTE không phải SELECT', 'a CTE that is not a SELECT')
    ctes.set(cte.ctename, cte.ctequery.SelectStmt as SelectStmt)
  }
  const from = stmt.fromClause ?? []
  const one = from.length === 1 ? from[0]! : null
  let inner: SelectStmt | null = null
  if (one && 'RangeSubselect' in one) inner = ((one.RangeSubselect as { subquery: Node }).subquery as { SelectStmt?: SelectStmt }).SelectStmt ?? null
  else if (one && 'RangeVar' in one) {
    const rv = one.RangeVar as { relname?: string; schemaname?: string }
    if (!rv.schemaname && ctes.has(rv.relname ?? '')) inner = ctes.get(rv.relname ?? '')!
  }
  if (!inner) return translateSelect({ ...stmt, withClause: undefined }, model, params)
  return narrow(stmt, inner, model, params, ctes)
}

function narrow(outer: SelectStmt, inner: SelectStmt, model: SemanticModel, params: Value[], ctes: Ctes): Translated {
  if (outer.groupClause?.length || outer.havingClause || outer.distinctClause) throw unsupported('GROUP BY, HAVING hay DISTINCT ở truy vấn ngoài', 'GROUP BY, HAVING or DISTINCT around a subquery')
  // The inner columns by their output names, as expressions the inner SELECT can filter on.
  const innerTargets = (inner.targetList ?? []).map((t) => (t as { ResTarget: { name?: string; val: Node } }).ResTarget)
  const outputName = (t: { name?: string; val: Node }) => t.name ?? ('ColumnRef' in t.val ? str(((t.val.ColumnRef as { fields?: Node[] }).fields ?? []).at(-1)) : str(((t.val as { FuncCall?: { funcname?: Node[] } }).FuncCall?.funcname ?? []).at(-1)).toLowerCase())
  const exprOf = new Map(innerTargets.map((t) => [outputName(t), t.val]))
  const rewrite = (n: Node): Node => {
    if ('ColumnRef' in n) {
      const name = str(((n.ColumnRef as { fields?: Node[] }).fields ?? []).at(-1))
      const e = exprOf.get(name)
      if (!e) throw new SqlError('42703', `Không có cột "${name}" trong truy vấn con`, `column "${name}" does not exist in the subquery`)
      // A measure's column filters on the measure itself (MEASURE(m) → m).
      if ('FuncCall' in e) {
        const args = (e.FuncCall as { args?: Node[] }).args ?? []
        if (args.length === 1 && 'ColumnRef' in args[0]!) return args[0]!
        throw unsupported(`lọc theo cột "${name}" của truy vấn con`, `filtering on the subquery's column "${name}"`)
      }
      return e
    }
    if (Array.isArray(n)) return n.map(rewrite) as unknown as Node
    if (n && typeof n === 'object') return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v && typeof v === 'object' ? rewrite(v as Node) : v])) as unknown as Node
    return n
  }
  const where = outer.whereClause ? rewrite(outer.whereClause) : null
  const merged: SelectStmt = where ? { ...inner, whereClause: inner.whereClause ? ({ BoolExpr: { boolop: 'AND_EXPR', args: [inner.whereClause, where] } } as Node) : where } : inner
  const t = translateStatement(merged, model, params, ctes)
  // The outer columns: all (*), or some of the inner ones, renamed.
  const star = (outer.targetList ?? []).some((x) => 'A_Star' in ((((x as { ResTarget: { val: Node } }).ResTarget.val as { ColumnRef?: { fields?: Node[] } }).ColumnRef?.fields ?? []).at(-1) ?? {}))
  const columns = star
    ? t.columns
    : (outer.targetList ?? []).map((x) => {
        const r = (x as { ResTarget: { name?: string; val: Node } }).ResTarget
        if (!('ColumnRef' in r.val)) throw unsupported('biểu thức ở truy vấn ngoài (chỉ chọn cột của truy vấn con)', "expressions around a subquery (only its columns may be picked)")
        const name = str(((r.val.ColumnRef as { fields?: Node[] }).fields ?? []).at(-1))
        const c = t.columns.find((col) => col.name === name)
        if (!c) throw new SqlError('42703', `Không có cột "${name}" trong truy vấn con`, `column "${name}" does not exist in the subquery`)
        return { ...c, name: r.name ?? name }
      })
  const query = { ...t.query }
  if (outer.sortClause?.length) {
    query.order = outer.sortClause.map((s) => {
      const by = (s as { SortBy: { node: Node; sortby_dir?: string } }).SortBy
      const col = 'A_Const' in by.node ? columns[Number((by.node.A_Const as { ival?: { ival?: number } }).ival?.ival ?? 0) - 1] : columns.find((c) => c.name === str(((by.node as { ColumnRef?: { fields?: Node[] } }).ColumnRef?.fields ?? []).at(-1)))
      if (!col) throw unsupported('ORDER BY ngoài theo biểu thức này', 'this ORDER BY around a subquery')
      const time = (t.query.timeDimensions as { dimension: string; granularity: string }[] | undefined)?.find((x) => col.key === `${x.dimension}.${x.granularity}`)
      return [time ? time.dimension : col.key, by.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc']
    })
  }
  const num = (n: Node | undefined) => {
    if (!n) return undefined
    const c = (n as { A_Const?: { ival?: { ival?: number } } }).A_Const
    if (c) return c.ival?.ival ?? 0
    const p = (n as { ParamRef?: { number?: number } }).ParamRef
    if (p) return Number(params[(p.number ?? 1) - 1])
    throw unsupported('LIMIT không phải hằng', 'a LIMIT that is not a constant')
  }
  const limit = num(outer.limitCount)
  const offset = num(outer.limitOffset)
  if (offset !== undefined && (query.limit !== undefined || query.offset !== undefined)) throw unsupported('OFFSET ngoài một truy vấn con đã có LIMIT', 'an OFFSET around a subquery that has a LIMIT')
  if (limit !== undefined) query.limit = query.limit === undefined ? limit : Math.min(Number(query.limit), limit)
  if (offset !== undefined) query.offset = offset
  return { view: t.view, query, columns }
}
