import cubeCompiler from '@cubejs-backend/schema-compiler'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { SemanticModel } from './compile-model.ts'
import { toNamedParams } from './query-plans.ts'
import { evaluate, loadMemoryTable, type MemoryTable } from './rollup-memory.ts'
import { rollupPlan } from './rollup-plan.ts'

/**
 * Pre-aggregations as Cube defines them (`pre_aggregations` of type rollup in a cube): tables of
 * chosen measures by chosen dimensions, built from the marts after every transform run, and
 * matched to queries by Cube's own compiler (its query builder reads a rollup instead of the marts
 * when the rollup answers the query exactly — PreAggregations' additive and non-additive rules).
 * The engine runs one query at a time; a rollup of a few thousand rows answers in a fraction of
 * what the indicator measures cost over the marts.
 *
 * Access rules are untouched: a query is matched after the view policy has added its row filters
 * and removed what the caller may not see, so a rollup serves a query only when the members and
 * filters the policy left are all in it.
 */
export const ROLLUP_SCHEMA = 'rollups'

/** Which rollups are built and may be read; a query whose rollup is not (yet) built reads the marts. */
export class RollupStore {
  readonly ready = new Set<string>()
  /** Changes whenever `ready` does: part of the plan cache's key. */
  version = 0
  /** The small rollups, also held in memory (rollup-memory.ts), by table. */
  readonly memory = new Map<string, MemoryTable>()
  /** Whether queries may be answered from `memory` (off: every rollup query reaches the engine, as a bench's baseline). */
  inMemory = true
  /** Queries answered from memory (a bench and the tests read it). */
  readonly stats = { memory: 0 }

  constructor(
    /**
     * The time zone the rollups' months and days are cut in: only queries in it read them (a query
     * asking in another zone reads the marts).
     */
    readonly timezone: string,
    /** Off on a cluster (a rollup would be one node's), or to compare with the marts. */
    public enabled = true,
  ) {}

  /**
   * Rows for Cube's SQL from a rollup held in memory, exactly as the engine would return them; or
   * undefined when the SQL does not read one (or reads it in a way left to the engine).
   */
  answer(cubeSql: readonly [string, readonly unknown[]]): Record<string, unknown>[] | undefined {
    if (!this.enabled || !this.inMemory || this.memory.size === 0) return undefined
    const plan = rollupPlan(cubeSql[0])
    const table = plan && this.memory.get(plan.table)
    const rows = table ? evaluate(plan, table, cubeSql[1]) : undefined
    if (rows) this.stats.memory++
    return rows
  }
}

export interface RollupDefinition {
  cube: string
  name: string
  /** `rollups.<cube>_<name>`, as Cube's query builder names it. */
  table: string
}

interface EvaluatedPreAggregation {
  cube: string
  preAggregationName: string
  preAggregation: { type: string }
}

interface CubeQueryObject {
  preAggregations: {
    preAggregationTableName(cube: string, name: string, def: unknown): string
    rollupPreAggregationQuery(cube: string, def: unknown): { buildSqlAndParams(): [string, unknown[]] }
  }
}

const builder = (model: SemanticModel, timezone = 'UTC') =>
  cubeCompiler.createQuery(model.compilers as never, 'clickhouse', { measures: [], useNativeSqlPlanner: false, preAggregationsSchema: ROLLUP_SCHEMA, timezone } as never) as unknown as CubeQueryObject

function preAggregationsOf(model: SemanticModel): EvaluatedPreAggregation[] {
  const evaluator = model.compilers.cubeEvaluator as unknown as { preAggregations(): EvaluatedPreAggregation[] }
  return evaluator.preAggregations().filter((p) => p.preAggregation.type === 'rollup')
}

export function rollupDefinitions(model: SemanticModel): RollupDefinition[] {
  const q = builder(model)
  return preAggregationsOf(model).map((p) => ({ cube: p.cube, name: p.preAggregationName, table: q.preAggregations.preAggregationTableName(p.cube, p.preAggregationName, p.preAggregation) }))
}

export interface RollupBuilt {
  table: string
  rows: number
  ms: number
  /** Held in memory as well (small enough, types rollup-memory.ts evaluates). */
  inMemory?: boolean
  /** Projected from this finer rollup instead of read again from the marts. */
  from?: string
  error?: string
}

/**
 * A rollup's SELECT runs once over a few ten thousand rows: compiling its expressions to machine
 * code (ClickHouse's JIT) costs more than it saves — ~200 ms of a 560 ms build of the demo's largest.
 */
const ONCE = { compile_expressions: 0, compile_aggregate_expressions: 0 } as const

/** The tables a rollup's SQL reads. */
const tablesRead = (sql: string) => new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+`?(\w+)`?\.`?(\w+)`?/gi)].map((m) => `${m[1]}.${m[2]}`))

interface Column {
  name: string
  type: string
}

/** A rollup about to be built: its SQL as Cube wrote it, the columns it gives, and how it groups. */
interface Planned {
  table: string
  named: { sql: string; params: Record<string, string> }
  /** The columns of the SELECT, as the engine describes them (before times are made local). */
  columns: Column[]
  /** The GROUP BY aliases, or null when the SQL does not end in Cube's GROUP BY of aliases. */
  groupBy: string[] | null
  /** What the rows are read from: the SQL from its FROM to its GROUP BY (tables, joins, filters). */
  source: string
}

/** Cube's rollup SQL ends `FROM … GROUP BY `a`, `b``: the part read and the grouping aliases. */
function grouping(sql: string): { source: string; groupBy: string[] | null } {
  const m = /\sFROM\s([\s\S]*?)\sGROUP BY\s((?:`[^`]+`(?:,\s*)?)+)\s*$/.exec(sql)
  return m ? { source: m[1]!, groupBy: [...m[2]!.matchAll(/`([^`]+)`/g)].map((g) => g[1]!) } : { source: sql, groupBy: null }
}

/**
 * A rollup built earlier in this run that this one can be projected from: it reads the same rows
 * the same way, holds every column of this one with the same type, and groups by more. Whether
 * its extra dimensions split none of this one's groups (a period has one year; a unit one level)
 * is then counted on its rows by projectFrom.
 */
function finerBuilt(plan: Planned, built: readonly Planned[]): Planned | undefined {
  if (!plan.groupBy?.length) return undefined
  return built.find((b) => b.source === plan.source && b.groupBy && plan.groupBy!.every((g) => b.groupBy!.includes(g)) && plan.columns.every((c) => b.columns.some((d) => d.name === c.name && d.type === c.type)))
}

/**
 * Builds the rollups of the model beside the ones in use and exchanges them, so a reader sees the
 * old rollup or the new one: all of them, or (given the tables a transform run rebuilt) those
 * reading a rebuilt table and those not built yet. A rollup that fails to build (its marts not
 * built yet) is not ready, and its queries read the marts. The finer rollups are built first: a
 * coarser one whose groups they do not split is projected from one (a few ms instead of its own
 * pass over the marts — the demo's by-period and by-unit rollups).
 */
export async function buildRollups(wh: Warehouse, model: SemanticModel, store: RollupStore, rebuilt?: ReadonlySet<string>): Promise<RollupBuilt[]> {
  if (!store.enabled) return []
  const out: RollupBuilt[] = []
  const failed = (table: string, started: number, err: unknown) => {
    store.memory.delete(table)
    if (store.ready.delete(table)) store.version++
    out.push({ table, rows: 0, ms: Date.now() - started, error: (err as Error).message.slice(0, 500) })
  }
  await wh.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ROLLUP_SCHEMA}` })
  const plans: Planned[] = []
  for (const p of preAggregationsOf(model)) {
    const started = Date.now()
    // A query object of its own for each: Cube caches a rollup's SQL by a key two rollups of one cube share.
    const q = builder(model, store.timezone)
    const table = q.preAggregations.preAggregationTableName(p.cube, p.preAggregationName, p.preAggregation)
    try {
      const [sql, params] = q.preAggregations.rollupPreAggregationQuery(p.cube, p.preAggregation).buildSqlAndParams()
      if (rebuilt && store.ready.has(table) && ![...tablesRead(sql)].some((t) => rebuilt.has(t))) continue
      const named = toNamedParams(sql, params)
      const columns = await queryRows<Column>(wh.client, `DESCRIBE TABLE (${named.sql})`, named.params)
      plans.push({ table, named, columns, ...grouping(sql) })
    } catch (err) {
      failed(table, started, err)
    }
  }
  const built: Planned[] = []
  for (const plan of [...plans].sort((a, b) => (b.groupBy?.length ?? 0) - (a.groupBy?.length ?? 0))) {
    const { table } = plan
    const build = `${table}__build`
    const started = Date.now()
    try {
      await wh.client.command({ query: `DROP TABLE IF EXISTS ${build} SYNC` })
      const finer = finerBuilt(plan, built)
      const projected = !!finer && (await projectFrom(wh, plan, finer, build))
      if (!projected) {
        // Outer joins as the marts' queries have them (cube-query.ts): unmatched rows hold NULLs.
        await wh.client.command({ query: `CREATE TABLE ${build} ENGINE = MergeTree ORDER BY tuple() AS ${withLocalTimes(plan)} SETTINGS join_use_nulls = 1`, query_params: plan.named.params, clickhouse_settings: ONCE })
      }
      await wh.client.command({ query: `CREATE TABLE IF NOT EXISTS ${table} AS ${build}` })
      await wh.client.command({ query: `EXCHANGE TABLES ${build} AND ${table}` })
      await wh.client.command({ query: `DROP TABLE IF EXISTS ${build} SYNC` })
      built.push(plan)
      const [count] = await queryRows<{ n: string }>(wh.client, `SELECT count() AS n FROM ${table}`)
      const held = await loadMemoryTable(wh, table, Number(count!.n))
      if (held) store.memory.set(table, held)
      else store.memory.delete(table)
      if (!store.ready.has(table)) {
        store.ready.add(table)
        store.version++
      }
      out.push({ table, rows: Number(count!.n), ms: Date.now() - started, inMemory: !!held, ...(projected ? { from: finer!.table } : {}) })
    } catch (err) {
      await wh.client.command({ query: `DROP TABLE IF EXISTS ${build} SYNC` }).catch(() => undefined)
      failed(table, started, err)
    }
  }
  return out
}

/**
 * Builds `plan` as a projection of the finer rollup when that one's extra dimensions split none of
 * plan's groups (as many rows as distinct values of plan's dimensions): each row is then one of
 * plan's groups, its measures aggregated over the same rows of the marts. False when they do.
 */
async function projectFrom(wh: Warehouse, plan: Planned, finer: Planned, build: string): Promise<boolean> {
  const keys = plan.groupBy!.map((g) => `\`${g}\``).join(', ')
  const [grain] = await queryRows<{ rows: string; keys: string }>(wh.client, `SELECT count() AS rows, uniqExact(tuple(${keys})) AS keys FROM ${finer.table}`)
  if (Number(grain!.rows) !== Number(grain!.keys)) return false
  await wh.client.command({ query: `CREATE TABLE ${build} ENGINE = MergeTree ORDER BY tuple() AS SELECT ${plan.columns.map((c) => `\`${c.name}\``).join(', ')} FROM ${finer.table}` })
  return true
}

/**
 * The rollup's SELECT with its times as local wall-clock times: Cube's query builder filters a
 * rollup's time columns with local times (as Cube Store keeps them), where the marts are filtered
 * with UTC instants; so '2025-11-01 00:00' in the province's zone is kept as that time, in UTC.
 */
function withLocalTimes({ named, columns }: Planned): string {
  const replace = columns.flatMap((c) => {
    const zoned = /DateTime(64)?\((?:(\d+), )?'[^']+'\)/.exec(c.type)
    if (!zoned) return []
    const column = `\`${c.name}\``
    return [zoned[1] ? `toDateTime64(toString(${column}), ${zoned[2] ?? 3}, 'UTC') AS ${column}` : `toDateTime(toString(${column}), 'UTC') AS ${column}`]
  })
  return replace.length ? `SELECT * REPLACE (${replace.join(', ')}) FROM (${named.sql})` : named.sql
}

/** The rollup tables a compiled query reads. */
export function rollupsRead(sql: string): string[] {
  return [...sql.matchAll(new RegExp(`\\b${ROLLUP_SCHEMA}\\.(\\w+)`, 'g'))].map((m) => `${ROLLUP_SCHEMA}.${m[1]}`)
}
