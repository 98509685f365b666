import { randomUUID } from 'node:crypto'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { Knex } from 'knex'
import { quoteIdent, sqlBuilder } from '../../infra/warehouse/sql.ts'
import type { ColumnTest, Model, Project } from '../project/project.ts'
import { tableName } from './compile.ts'
import type { ChangedRows } from './build-strategies.ts'

export interface TestResult {
  test: string
  model: string
  column: string
  status: 'pass' | 'fail' | 'error'
  failures: number
  sample: Record<string, unknown>[]
  error: string
}

const SAMPLE_ROWS = 10

/** How a model is read by tests: deduplicated (FINAL) when rows replace each other. */
function readable(m: Model): Knex.Raw {
  return sqlBuilder.raw(m.config.materialized === 'incremental' ? `${tableName(m)} FINAL` : tableName(m))
}

function refTable(project: Project, ref: string): Model {
  const name = /ref\(\s*'([a-z0-9_]+)'\s*\)/.exec(ref)?.[1] ?? ref
  const m = project.models.get(name)
  if (!m) throw new Error(`relationships: no model named ${name}`)
  return m
}

/** The current rows of the keys a run changed in a model: its tests read only those. */
export type ChangedKeys = Pick<ChangedRows, 'column' | 'table'>

/**
 * The rows a test reads: the whole model, or only the current rows of the keys this run changed —
 * the other rows are those that passed before. They are kept beside the model, so reading them
 * does not go through the model's millions of rows.
 */
function rowsRead(m: Model, changed: ChangedKeys | undefined): Knex.Raw {
  if (!changed) return readable(m)
  return sqlBuilder.raw(m.config.materialized === 'incremental' ? `${changed.table} FINAL` : changed.table)
}

/**
 * The rows a unique test reads. On the changed keys' column: the model's rows of those keys — a
 * keyed update that left an old row beside a new one shows here, not in the new rows alone (an
 * incremental model read FINAL cannot repeat a key, so its new rows do). On another column:
 * every row, since an unchanged row may hold the same value.
 */
function uniqueRowsRead(m: Model, column: string, changed: ChangedKeys | undefined): Knex.Raw {
  if (!changed || changed.column !== column) return readable(m)
  if (m.config.materialized === 'incremental') return rowsRead(m, changed)
  const col = quoteIdent(column)
  return sqlBuilder.raw(`(SELECT * FROM ${readable(m).toString()} WHERE ${col} IN (SELECT ${col} FROM ${changed.table}))`)
}

/** The SQL selecting the rows that fail one column test (values quoted by the SQL builder). */
function failingRowsSql(project: Project, m: Model, column: string, test: ColumnTest, changed?: ChangedKeys, targetBuilt: (model: string) => boolean = () => true): { name: string; sql: string } {
  const rows = () => sqlBuilder.select('*').from(rowsRead(m, changed))
  if (test === 'not_null') return { name: `not_null(${column})`, sql: rows().whereNull(column).toString() }
  if (test === 'unique') {
    const q = sqlBuilder.select(column).count({ occurrences: '*' }).from(uniqueRowsRead(m, column, changed)).groupBy(column).having('occurrences', '>', 1)
    return { name: `unique(${column})`, sql: q.toString() }
  }
  if ('accepted_values' in test) {
    return { name: `accepted_values(${column})`, sql: rows().whereNotIn(column, test.accepted_values.values).toString() }
  }
  if ('relationships' in test) {
    const to = refTable(project, test.relationships.to)
    const keys = sqlBuilder.select(test.relationships.field).from(readable(to))
    // The changed keys' rows alone, unless the target was built in this run too (its keys may have gone).
    const from = targetBuilt(to.name) ? readable(m) : rowsRead(m, changed)
    return { name: `relationships(${column} → ${to.name}.${test.relationships.field})`, sql: sqlBuilder.select('*').from(from).whereNotNull(column).whereNotIn(column, keys).toString() }
  }
  return { name: `expression(${column}: ${test.expression})`, sql: rows().whereRaw(`NOT (${test.expression})`).toString() }
}

async function evaluate(wh: Warehouse, base: Omit<TestResult, 'status' | 'failures' | 'sample' | 'error'>, sql: string): Promise<TestResult> {
  try {
    const [count] = await queryRows<{ n: number }>(wh.client, `SELECT count() AS n FROM (${sql})`)
    const failures = Number(count!.n)
    const sample = failures > 0 ? await queryRows<Record<string, unknown>>(wh.client, `${sql} LIMIT ${SAMPLE_ROWS}`) : []
    return { ...base, status: failures > 0 ? 'fail' : 'pass', failures, sample, error: '' }
  } catch (err) {
    return { ...base, status: 'error', failures: 0, sample: [], error: (err as Error).message.slice(0, 1000) }
  }
}

/**
 * Runs the tests declared in YAML beside the models (not_null, unique, accepted_values,
 * relationships, expression) and the singular SQL tests (queries returning failing rows); stores
 * each result with up to 10 failing rows in meta.test_results.
 */
export async function runDataTests(wh: Warehouse, project: Project, models?: Set<string>, changedKeys: ReadonlyMap<string, ChangedKeys> = new Map()): Promise<{ runId: string; results: TestResult[] }> {
  const runId = randomUUID()
  const results: TestResult[] = []
  for (const m of project.models.values()) {
    if (models && !models.has(m.name)) continue
    for (const c of m.columns) {
      for (const t of c.tests) {
        const { name, sql } = failingRowsSql(project, m, c.name, t, changedKeys.get(m.name), (target) => !models || models.has(target))
        results.push(await evaluate(wh, { test: name, model: m.name, column: c.name }, sql))
      }
    }
    for (const t of m.modelTests) {
      const sql = sqlBuilder.select('*').from(rowsRead(m, changedKeys.get(m.name))).whereRaw(`NOT (${t.expression})`).toString()
      results.push(await evaluate(wh, { test: `expression(${t.expression})`, model: m.name, column: '' }, sql))
    }
  }
  for (const t of project.singularTests) {
    if (models && !t.refs.some((r) => models.has(r))) continue
    const sql = t.sql.replace(/\{\{\s*ref\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g, (_m, name: string) => readable(project.models.get(name)!).toString())
    results.push(await evaluate(wh, { test: t.name, model: t.refs[0] ?? '', column: '' }, sql))
  }
  if (results.length) {
    await wh.client.insert({
      table: 'meta.test_results',
      values: results.map((r) => ({ run_id: runId, test: r.test, model: r.model, column: r.column, status: r.status, failures: r.failures, sample: JSON.stringify(r.error ? { error: r.error } : r.sample) })),
      format: 'JSONEachRow',
    })
  }
  return { runId, results }
}
