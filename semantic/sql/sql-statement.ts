import { loadModule, parseSync } from 'libpg-query'
import type { Node, SelectStmt } from '@pgsql/types'
import type { Caller } from '../../infra/access/caller.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { validateQuery, QueryError } from '../cube/cube-query.ts'
import { queryMembers } from '../policy/view-policy.ts'
import { runQuery, type CubeApiContext } from '../api/cube-api.ts'
import { CATALOG_SECONDS, CatalogError, type CatalogDb } from './catalog-db.ts'
import { SqlError, tablesOf, translateStatement, type OutColumn } from './sql-to-cube.ts'
import { commandComplete, dataRow, emptyQuery, errorResponse, OID, parameterDescription, rowDescription } from './wire.ts'

/**
 * One statement of a SQL connection, read by the real Postgres parser (libpg-query, the parser of
 * Postgres itself compiled to WebAssembly: what a BI tool writes is read as Postgres reads it) and
 * sent where it belongs: a SELECT over kho's views to the semantic layer as a Cube query (the same
 * policy, cache and audit as /load), the questions tools ask about the server to the catalog, the
 * session's own statements (SET, BEGIN…) answered here, and anything that writes refused.
 */

/** What a statement answers: its row description (or none), its rows and its completion, as wire messages. */
export interface StatementResult {
  description: Buffer | null
  rows: Buffer[]
  complete: Buffer
}

/** A failure already in the wire's words (the catalog's own ErrorResponse, or one of ours). */
export class WireFailure extends Error {
  constructor(readonly message_: Buffer) {
    super('statement failed')
  }
}

export interface SqlSessionDeps {
  api: CubeApiContext
  catalog: CatalogDb
}

/** The session a statement runs in: who, from where, the purpose declared, the transaction's state. */
export interface SqlSession {
  caller: Caller
  client: string
  transaction: 'I' | 'T' | 'E'
}

let parser: Promise<void> | null = null
/** Loads the parser's WebAssembly once, when the SQL API starts (not in every service that imports this). */
export const parserReady = () => (parser ??= loadModule())

export interface ParsedStatement {
  sql: string
  node: Node | null
}

/** The statements of a query string; a syntax error as Postgres words it. */
export function parseStatements(sql: string): ParsedStatement[] {
  if (sql.trim() === '' || sql.trim() === ';') return [{ sql, node: null }]
  let tree
  try {
    tree = parseSync(sql)
  } catch (err) {
    throw new SqlError('42601', `Lỗi cú pháp SQL: ${(err as Error).message}`, `syntax error: ${(err as Error).message}`)
  }
  return (tree.stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0
    return { sql: s.stmt_len ? sql.slice(start, start + s.stmt_len) : sql.slice(start), node: s.stmt ?? null }
  })
}

const READ_ONLY = new SqlError('25006', 'API SQL của kho chỉ để đọc: không ghi, sửa, xóa hay tạo bảng được; kết nối vẫn dùng tiếp được', "kho's SQL API is read-only: nothing can be written, changed, deleted or created; the connection stays usable")
const WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CreateStmt', 'CreateTableAsStmt', 'DropStmt', 'AlterTableStmt', 'TruncateStmt', 'CopyStmt', 'GrantStmt', 'GrantRoleStmt', 'IndexStmt', 'ViewStmt', 'CreateSchemaStmt', 'CreateFunctionStmt', 'RenameStmt', 'CommentStmt', 'VacuumStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt', 'CreatedbStmt', 'DropdbStmt', 'DoStmt', 'CallStmt', 'LockStmt', 'RefreshMatViewStmt', 'CreateExtensionStmt', 'CreateSeqStmt', 'AlterSeqStmt', 'CreateTrigStmt', 'RuleStmt'])
const TEXT_OIDS: Record<OutColumn['type'], number> = { text: OID.text, int8: OID.int8, numeric: OID.numeric, timestamp: OID.timestamp, bool: OID.bool }

const kindOf = (node: Node | null) => (node ? Object.keys(node)[0]! : '')

/** Whether a SELECT reads one of kho's views (FROM a table of the model, in public or no schema), in it or in a subquery or CTE it narrows. */
export function readsViews(node: Node | null, api: CubeApiContext): boolean {
  if (kindOf(node) !== 'SelectStmt') return false
  const reads = (s: SelectStmt): boolean =>
    tablesOf(s).some((t) => (t.schema === null || t.schema === 'public') && api.model.meta.some((v) => v.name === t.name)) ||
    (s.fromClause ?? []).some((f) => 'RangeSubselect' in f && reads(((f.RangeSubselect as { subquery: Node }).subquery as { SelectStmt: SelectStmt }).SelectStmt ?? {})) ||
    (s.withClause?.ctes ?? []).some((c) => reads((((c as { CommonTableExpr: { ctequery: Node } }).CommonTableExpr.ctequery as { SelectStmt?: SelectStmt }).SelectStmt ?? {}) as SelectStmt))
  return reads((node as { SelectStmt: SelectStmt }).SelectStmt)
}

/** A value from kho's answer as Postgres writes it in text. */
function text(v: unknown, type: OutColumn['type']): string | null {
  if (v === null || v === undefined) return null
  if (type === 'timestamp') return String(v).replace('T', ' ').replace(/\.000$/, '').replace(/Z$/, '')
  if (type === 'bool') return v === true || v === 'true' || v === 1 || v === '1' ? 't' : 'f'
  return String(v)
}

/** Runs one statement of the session; throws WireFailure or SqlError. */
export async function runStatement(deps: SqlSessionDeps, session: SqlSession, st: ParsedStatement, params: (string | null)[], formats: readonly number[] = []): Promise<StatementResult> {
  const kind = kindOf(st.node)
  if (!st.node) return { description: null, rows: [], complete: emptyQuery() }
  if (WRITES.has(kind)) throw READ_ONLY
  switch (kind) {
    case 'SelectStmt':
      return readsViews(st.node, deps.api) ? selectViews(deps, session, st, params, formats) : catalog(deps, st.sql, params, formats)
    case 'VariableShowStmt':
      return catalog(deps, st.sql, params, formats)
    case 'VariableSetStmt': {
      // The purpose that lets personal data out, declared for the session (or in the start-up options).
      const set = (st.node as { VariableSetStmt: { name?: string; args?: Node[] } }).VariableSetStmt
      if (set.name?.toLowerCase() === 'kho.purpose') {
        const value = set.args?.[0] && 'A_Const' in set.args[0] ? ((set.args[0].A_Const as { sval?: { sval?: string } }).sval?.sval ?? '') : ''
        session.caller = { ...session.caller, purpose: value }
      }
      return { description: null, rows: [], complete: commandComplete('SET') }
    }
    case 'TransactionStmt': {
      const t = (st.node as { TransactionStmt: { kind: string } }).TransactionStmt.kind
      const tags: Record<string, [string, 'I' | 'T' | null]> = {
        TRANS_STMT_BEGIN: ['BEGIN', 'T'], TRANS_STMT_START: ['START TRANSACTION', 'T'], TRANS_STMT_COMMIT: ['COMMIT', 'I'], TRANS_STMT_ROLLBACK: ['ROLLBACK', 'I'],
        TRANS_STMT_SAVEPOINT: ['SAVEPOINT', null], TRANS_STMT_RELEASE: ['RELEASE', null], TRANS_STMT_ROLLBACK_TO: ['ROLLBACK', null],
      }
      const [tag, next] = tags[t] ?? ['BEGIN', null]
      if (next) session.transaction = next
      // Nothing is written, so a transaction holds nothing to commit: each tag is answered as Postgres would.
      return { description: null, rows: [], complete: commandComplete(tag) }
    }
    case 'DiscardStmt':
      return { description: null, rows: [], complete: commandComplete('DISCARD ALL') }
    case 'DeallocateStmt':
      return { description: null, rows: [], complete: commandComplete('DEALLOCATE') }
    default:
      throw new SqlError('0A000', `Chưa hỗ trợ câu lệnh ${kind.replace(/Stmt$/, '')} trong SQL của kho`, `${kind.replace(/Stmt$/, '')} is not supported by kho's SQL`)
  }
}

/** A statement's columns and parameters before it runs (Describe of a prepared statement). */
export async function describeStatement(deps: SqlSessionDeps, st: ParsedStatement, types: number[]): Promise<Buffer[]> {
  const count = Math.max(types.length, ...[...st.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])), 0)
  if (readsViews(st.node, deps.api)) {
    // Placeholders stand for the values to come: the columns do not depend on them.
    const t = translateStatement((st.node as { SelectStmt: SelectStmt }).SelectStmt, deps.api.model, Array.from({ length: count }, () => '0'))
    return [parameterDescription(Array.from({ length: count }, (_, i) => types[i] || OID.text)), rowDescription(t.columns.map((c) => ({ name: c.name, oid: TEXT_OIDS[c.type] })))]
  }
  if (kindOf(st.node) === 'SelectStmt' || kindOf(st.node) === 'VariableShowStmt') {
    const out = await deps.catalog.describe(st.sql, types)
    const failed = out.find((m) => m[0] === 0x45)
    if (failed) throw new WireFailure(failed)
    return out.filter((m) => m[0] === 0x74 || m[0] === 0x54 || m[0] === 0x6e)
  }
  return [parameterDescription(Array.from({ length: count }, () => OID.text)), Buffer.from([0x6e, 0, 0, 0, 4])]
}

async function catalog(deps: SqlSessionDeps, sql: string, params: (string | null)[], formats: readonly number[]): Promise<StatementResult> {
  let out: Buffer[]
  try {
    out = params.length > 0 || formats.some((f) => f !== 0) ? await deps.catalog.extended(sql, params, formats) : await deps.catalog.query(sql)
  } catch (err) {
    if (err instanceof CatalogError && err.message === 'timeout') {
      throw new SqlError('57014', `Câu lệnh chạy quá ${CATALOG_SECONDS} giây nên đã dừng`, `canceling statement due to statement timeout (${CATALOG_SECONDS} s)`)
    }
    throw err
  }
  const failed = out.find((m) => m[0] === 0x45)
  if (failed) throw new WireFailure(failed)
  const description = out.find((m) => m[0] === 0x54) ?? null
  const complete = out.find((m) => m[0] === 0x43 || m[0] === 0x49) ?? commandComplete('SELECT 0')
  return { description, rows: out.filter((m) => m[0] === 0x44), complete }
}

async function selectViews(deps: SqlSessionDeps, session: SqlSession, st: ParsedStatement, params: (string | null)[], formats: readonly number[]): Promise<StatementResult> {
  const started = performance.now()
  const caller = session.caller
  let members: string[] = []
  const audit = (outcome: 'ok' | 'denied' | 'error', reason: string, rowCount = 0, filters: unknown = null) =>
    deps.api.audit.recordCaller(caller, session.client, {
      endpoint: 'sql',
      members,
      datasets: deps.api.sharing.datasetsOf(members),
      filters,
      // The SQL as it was sent, with its parameters: what an auditor reads.
      query: params.length ? { sql: st.sql, params } : { sql: st.sql },
      rowCount,
      durationMs: performance.now() - started,
      outcome,
      reason,
    })
  try {
    const t = translateStatement((st.node as { SelectStmt: SelectStmt }).SelectStmt, deps.api.model, params)
    const q = validateQuery(deps.api.model, t.query)
    members = queryMembers(q)
    const answer = await runQuery(deps.api, q, caller)
    const oids = t.columns.map((c) => TEXT_OIDS[c.type])
    const rows = answer.data.map((r) => dataRow(t.columns.map((c) => text((r as Record<string, unknown>)[c.key], c.type)), oids, formats))
    audit('ok', '', rows.length, q.filters)
    return { description: rowDescription(t.columns.map((c, i) => ({ name: c.name, oid: oids[i]! })), formats), rows, complete: commandComplete(`SELECT ${rows.length}`) }
  } catch (err) {
    if (err instanceof SqlError) {
      audit('error', `${err.vi} / ${err.en}`)
      throw err
    }
    if (err instanceof HttpError) {
      const denied = err.status === 401 || err.status === 403
      audit(denied ? 'denied' : 'error', `${err.vi} / ${err.en}`)
      // The policy's refusal (403) and a query Cube would refuse (400), in Postgres's codes.
      throw new SqlError(denied ? '42501' : err instanceof QueryError ? '42601' : err.status === 503 ? '55000' : '22023', err.vi, err.en)
    }
    audit('error', (err as Error).message)
    throw err
  }
}

/** A SqlError as the wire says it: Vietnamese first, English in the detail. */
export const sqlErrorMessage = (e: SqlError) => errorResponse({ code: e.code, message: e.vi, detail: e.en })
