import { randomUUID } from 'node:crypto'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { quoteIdent } from '../../infra/warehouse/sql.ts'
import { DATA_TABLE_SETTINGS, renderStatement, type ColumnSpec, type DdlTarget, type EngineSpec, type Statement, type TableSpec } from '../../infra/warehouse/ddl.ts'
import { READS_KHO_DAY, type Model, type Project } from '../project/project.ts'
import { compileModel, tableName } from './compile.ts'
import * as clock from '../../infra/time/clock.ts'

/*
 * How a model's table is built: whole and swapped in, by adding the new loads (incremental), by
 * key (only the keys a delivery changed), or by difference (counts over residents corrected by what
 * the changed rows took away and added). runModels (run.ts) picks per model and records how.
 */

export type BuildHow = 'whole' | 'loads' | 'keys' | 'difference'

/** The current rows of the keys a run changed in a model, kept in `<model>__current`. */
export interface ChangedRows {
  column: string
  table: string
  count: number
  /** For a model updated by key: its table as it was before this run (read the changed keys' old rows there). */
  before?: string
  /** The changed keys' old rows, in the columns the models updated by difference read, once taken from `before`. */
  oldRows?: string
}

function tableColumns(wh: Warehouse, database: string, table: string): Promise<ColumnSpec[]> {
  return queryRows<ColumnSpec>(wh.client, 'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position', { db: database, t: table })
}

async function tableExists(wh: Warehouse, m: Model): Promise<boolean> {
  const [row] = await queryRows<{ n: number }>(wh.client, 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}', { db: m.database, name: m.name })
  return Number(row!.n) > 0
}

function engineOf(m: Model): EngineSpec {
  const text = m.config.engine ?? (m.config.materialized === 'incremental' ? `ReplacingMergeTree(${m.config.version ?? ''})` : 'MergeTree')
  const [, kind, args] = /^(\w+)(?:\((.*)\))?$/.exec(text.trim()) ?? []
  if (!kind) throw new Error(`${m.name}: engine "${text}" is not Name(args)`)
  return { kind: kind as EngineSpec['kind'], args: args ? args.split(',').map((a) => a.trim()).filter(Boolean) : [] }
}

/**
 * The table a model materialises into, as the DDL renderer takes it — the same renderer as the
 * migrations, so in a cluster a mart is `<name>_local` on every shard behind a Distributed table,
 * ON CLUSTER, with its own Keeper path per build (`build` names it).
 */
export function modelTableSpec(m: Model, columns: ColumnSpec[], build: string, suffix = ''): TableSpec {
  return {
    database: m.database,
    name: m.name + suffix,
    columns,
    engine: engineOf(m),
    orderBy: m.config.materialized === 'incremental' ? m.config.unique_key! : (m.config.order_by ?? []),
    ...(m.config.partition_by ? { partitionBy: m.config.partition_by } : {}),
    keeperPathSuffix: build,
    settings: DATA_TABLE_SETTINGS,
  }
}

/**
 * The statements that build a model's table beside the live one and swap them, in order: drop a
 * leftover build, create the build table, fill it (the INSERT, which runs between `create` and
 * `swap`), make sure a live table exists, exchange the two, drop the old data, and in a cluster
 * re-create the Distributed front for the new columns.
 */
export function buildStatements(m: Model, columns: ColumnSpec[], target: DdlTarget, build: string) {
  const buildSpec = modelTableSpec(m, columns, build, '__build')
  const live = modelTableSpec(m, columns, build)
  const render = (st: Statement) => renderStatement(st, target)
  return {
    create: [...render({ kind: 'drop_table', table: buildSpec }), ...render({ kind: 'table', spec: buildSpec })],
    swap: [
      ...render({ kind: 'table', spec: live }),
      ...render({ kind: 'exchange_tables', a: buildSpec, b: live }),
      ...render({ kind: 'drop_table', table: buildSpec }),
      ...render({ kind: 'distributed_front', table: live }),
    ],
    abandon: render({ kind: 'drop_table', table: buildSpec }),
  }
}

/**
 * Builds the table beside the live one and exchanges the two, so readers see the old table or the
 * new one, never one half-built.
 */
async function buildAndSwap(wh: Warehouse, m: Model, sql: string): Promise<number> {
  const build = randomUUID().slice(0, 8)
  const run = async (statements: string[]) => {
    for (const query of statements) await wh.client.command({ query })
  }
  const buildTable = tableName(m, '__build')
  let ddl: ReturnType<typeof buildStatements>
  try {
    if (wh.cluster === null) {
      // One node: created and filled by one CREATE … AS SELECT, so the model's SQL is planned once
      // (planning a mart's joins costs about as much as running them on the demo's data).
      const spec = { ...modelTableSpec(m, [], build, '__build'), asSelect: sql }
      await run([...renderStatement({ kind: 'drop_table', table: spec }, { cluster: null }), ...renderStatement({ kind: 'table', spec }, { cluster: null })])
      const columns = await tableColumns(wh, m.database, `${m.name}__build`)
      ddl = buildStatements(m, columns, { cluster: null }, build)
    } else {
      const columns = (await queryRows<{ name: string; type: string }>(wh.client, `DESCRIBE TABLE (${sql})`)).map((c) => ({ name: c.name, type: c.type }))
      ddl = buildStatements(m, columns, { cluster: wh.cluster }, build)
      await run(ddl.create)
      await wh.client.command({ query: `INSERT INTO ${buildTable} ${sql}` })
    }
  } catch (err) {
    // The live table is untouched; only the half-built one goes.
    await run(renderStatement({ kind: 'drop_table', table: modelTableSpec(m, [], build, '__build') }, { cluster: wh.cluster }))
    throw err
  }
  const [count] = await queryRows<{ n: number }>(wh.client, `SELECT count() AS n FROM ${buildTable}`)
  await run(ddl.swap)
  return Number(count!.n)
}

/** Committed loads of the model's sources it has not taken in yet (all of them on a full build). */
async function pendingLoads(wh: Warehouse, m: Model, all: boolean): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const dataset of m.sources) {
    const rows = await queryRows<{ load_id: string }>(
      wh.client,
      `SELECT load_id FROM meta.loads FINAL WHERE dataset = {dataset:String} AND status = 'committed'
       ${all ? '' : 'AND load_id NOT IN (SELECT load_id FROM meta.model_loads WHERE model = {model:String})'} ORDER BY load_id`,
      { dataset, model: m.name },
    )
    out.set(dataset, rows.map((r) => r.load_id))
  }
  return out
}

/**
 * What this run has built so far: for an incremental model updated by loads, the current rows of
 * the keys they carried (`UNCHANGED` when it took none; `null` when it was rebuilt whole or keeps
 * no current rows); for any other model `null`.
 */
export type Built = Map<string, ChangedRows | typeof UNCHANGED | null>

/** An incremental model that took no new loads in this run. */
const UNCHANGED = 'unchanged'

interface Materialized {
  rows: number
  how: BuildHow
  changedKeys?: ChangedRows
}

export const run = async (wh: Warehouse, statements: string[]) => {
  for (const query of statements) await wh.client.command({ query })
}

/**
 * The changed rows of the upstream (`from`) a by_key or delta model can be updated from: the
 * upstream was updated by loads or by key in this run (not rebuilt), nothing else the model reads
 * was built in this run, and the model's table exists. `null`: build it whole.
 */
async function keyedUpstream(wh: Warehouse, m: Model, built: Built, from: string): Promise<ChangedRows | typeof UNCHANGED | null> {
  // In a cluster the build table would be spread over shards behind a Distributed front; copying
  // its parts shard by shard is not done, so a cluster rebuilds these models whole.
  if (wh.cluster !== null) return null
  const upstream = built.get(from)
  if (!upstream || m.refs.some((r) => r !== from && built.has(r))) return null
  return (await tableExists(wh, m)) ? upstream : null
}

async function countRows(wh: Warehouse, sql: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(wh.client, `SELECT count() AS n FROM (${sql})`)
  return Number(row!.n)
}

/**
 * The live table's columns, when the model's SQL still gives the same ones (names, types, order);
 * `null` when it changed them and the table must be built whole.
 */
async function liveColumnsIfSame(wh: Warehouse, m: Model, project: Project): Promise<ColumnSpec[] | null> {
  const live = await tableColumns(wh, m.database, m.name)
  const described = await queryRows<ColumnSpec>(wh.client, `DESCRIBE TABLE (${compileModel(m, project)})`)
  const same = live.length === described.length && live.every((c, i) => c.name === described[i]!.name && c.type === described[i]!.type)
  return same ? live : null
}

/**
 * Adds an incremental model's new rows (`sql`, over the loads it takes) and keeps the current rows
 * of the keys they carry in `<model>__current`, a table like the model's (so FINAL picks the same
 * winner): the new rows, and any older row of those keys that still wins — an earlier delivery that
 * carried a later update. Its data tests read these rows, and a by_key model downstream is updated
 * from them, instead of either reading the whole model FINAL: 10,000 keys spread over 20 million
 * rows touch every granule, so reading them from the model costs as much as reading it all.
 */
async function addKeepingCurrent(wh: Warehouse, m: Model, sql: string, key: string): Promise<Materialized> {
  const current = tableName(m, '__current')
  const col = quoteIdent(key)
  await run(wh, [`DROP TABLE IF EXISTS ${current}`, `CREATE TABLE ${current} AS ${tableName(m)}`, `INSERT INTO ${current} ${sql}`])
  const rows = await countRows(wh, `SELECT 1 FROM ${current}`)
  const version = m.config.version && quoteIdent(m.config.version)
  // An older row can still win only if it carries a greater version than some new row (on a tie
  // the later insert wins); usually every new row is newer than anything held, and the search for
  // older winners — reading the keys of the whole model — is skipped.
  const [newest] = version && rows > 0 ? await queryRows<{ yes: number }>(wh.client, `SELECT (SELECT min(${version}) FROM ${current}) >= (SELECT max(${version}) FROM ${tableName(m)}) AS yes`) : [{ yes: 1 }]
  await run(wh, [`INSERT INTO ${tableName(m)} SELECT * FROM ${current}`])
  if (version && !Number(newest!.yes)) {
    await run(wh, [
      `INSERT INTO ${current} SELECT * FROM ${tableName(m)} WHERE ${col} IN (
         SELECT o.${col} FROM (SELECT ${col}, max(${version}) AS top FROM ${tableName(m)} WHERE ${col} IN (SELECT ${col} FROM ${current}) GROUP BY ${col}) AS o
         INNER JOIN (SELECT ${col}, max(${version}) AS top FROM ${current} GROUP BY ${col}) AS n ON n.${col} = o.${col}
         WHERE o.top > n.top)`,
    ])
  }
  const keys = await countRows(wh, `SELECT DISTINCT ${col} FROM ${current}`)
  return { rows, how: 'loads', changedKeys: { column: key, table: current, count: keys } }
}

/**
 * Rebuilds only the keys whose upstream rows this run's loads changed, still swapping whole tables:
 * the model's rows for those keys are computed from the upstream's current rows of them alone and
 * kept in `<model>__current` (for the data tests); the build table takes the live table's parts
 * (hard links: no data is copied), loses the changed keys' rows (a lightweight delete: a row mask,
 * parts untouched), gains the new rows, and is exchanged with the live table. The model's columns
 * must be those of the live table; if the SQL changed them, it is built whole (`null`).
 */
async function updateByKey(wh: Warehouse, m: Model, project: Project, upstream: ChangedRows | typeof UNCHANGED): Promise<Materialized | null> {
  const { column, from } = m.config.by_key!
  const live = await liveColumnsIfSame(wh, m, project)
  if (!live) return null
  // The upstream took no new rows: nothing to change.
  if (upstream === UNCHANGED) return { rows: await countRows(wh, `SELECT 1 FROM ${tableName(m)}`), how: 'keys' }
  const col = quoteIdent(column)
  const current = tableName(m, '__current')
  const buildTable = tableName(m, '__build')
  // The model's SQL over the upstream's current rows of the changed keys: a by_key model's rows of
  // a key come from the upstream's rows of that key alone.
  const sql = compileModel(m, project, null, new Map([[from, upstream.table]]))
  await run(wh, [`DROP TABLE IF EXISTS ${current}`, `CREATE TABLE ${current} AS ${tableName(m)}`, `INSERT INTO ${current} SELECT * FROM (${sql}) WHERE ${col} IN (SELECT ${col} FROM ${upstream.table})`])
  const changedKeys: ChangedRows = { column, table: current, count: upstream.count }
  if (upstream.count === 0) return { rows: await countRows(wh, `SELECT 1 FROM ${tableName(m)}`), how: 'keys', changedKeys }
  const ddl = buildStatements(m, live, { cluster: null }, randomUUID().slice(0, 8))
  try {
    await run(wh, [`DROP TABLE IF EXISTS ${buildTable}`, `CREATE TABLE ${buildTable} AS ${tableName(m)}`])
    const partitions = await queryRows<{ id: string }>(wh.client, `SELECT DISTINCT partition_id AS id FROM system.parts WHERE database = {db:String} AND table = {t:String} AND active`, { db: m.database, t: m.name })
    await run(wh, partitions.map((p) => `ALTER TABLE ${buildTable} ATTACH PARTITION ID '${p.id.replace(/'/g, "\\'")}' FROM ${tableName(m)}`))
    await run(wh, [`DELETE FROM ${buildTable} WHERE ${col} IN (SELECT ${col} FROM ${upstream.table})`, `INSERT INTO ${buildTable} SELECT * FROM ${current}`])
  } catch (err) {
    await run(wh, ddl.abandon)
    throw err
  }
  const rows = await countRows(wh, `SELECT 1 FROM ${buildTable}`)
  // The table as it was stays beside the new one until the run ends, as `<model>__before` (its
  // parts are shared with the new table: nothing is copied): a model updated by difference reads
  // the changed keys' old rows there.
  const before = tableName(m, '__before')
  await run(wh, [`EXCHANGE TABLES ${buildTable} AND ${tableName(m)}`, `DROP TABLE IF EXISTS ${before} SYNC`, `RENAME TABLE ${buildTable} TO ${before}`])
  return { rows, how: 'keys', changedKeys: { ...changedKeys, before } }
}

/** Whether the model's table was last built whole today (by kho's clock, Vietnam day), by meta.runs. */
async function builtWholeToday(wh: Warehouse, m: Model): Promise<boolean> {
  const [row] = await queryRows<{ n: number }>(
    wh.client,
    `SELECT count() AS n FROM meta.runs WHERE model = {model:String} AND status = 'success' AND how = 'whole' AND toDate(started_at, 'Asia/Ho_Chi_Minh') = {day:Date}`,
    { model: m.name, day: clock.today() },
  )
  return Number(row!.n) > 0
}

/**
 * The columns of `table` the SQL reads, as the engine resolves them (EXPLAIN QUERY TREE: every
 * column node names the table node it comes from); every column when the SQL does not read the
 * table. Asked of the engine because a model's SQL may read a table through `select *` of a CTE,
 * which no text search of the SQL can follow (nor the plan's own listing, which names a union's
 * columns after its first branch).
 */
export async function columnsRead(wh: Warehouse, sql: string, database: string, table: string, columns: ColumnSpec[]): Promise<ColumnSpec[]> {
  const tree = (await queryRows<{ explain: string }>(wh.client, `EXPLAIN QUERY TREE ${sql}`)).map((r) => r.explain)
  const sources = new Set<string>()
  for (const line of tree) {
    const node = /\bTABLE id: (\d+),.*\btable_name: (\S+)$/.exec(line.trim())
    if (node && node[2] === `${database}.${table}`) sources.add(node[1]!)
  }
  if (!sources.size) return columns
  const read = new Set<string>()
  for (const line of tree) {
    const node = /\bCOLUMN id: \d+, column_name: (.+?), result_type: .*, source_id: (\d+)$/.exec(line.trim())
    if (node && sources.has(node[2]!)) read.add(node[1]!)
  }
  return columns.filter((c) => read.has(c.name))
}

/**
 * Takes the changed keys' old rows out of the upstream's table as it was (`<from>__old`, in
 * memory), in just the columns the models updated by difference from it read: 10,000 keys spread
 * over 20 million rows make every read of them go through the whole key column, so they are read
 * once; and the wide columns (names, addresses) no count needs would be read in nearly every granule
 * (0.35 s against 1.1 s at scale 100).
 */
async function keepOldRows(wh: Warehouse, project: Project, from: string, upstream: ChangedRows, before: string): Promise<string> {
  const source = project.models.get(from)!
  const columns = await tableColumns(wh, source.database, source.name)
  const read = new Set([upstream.column])
  for (const m of project.models.values()) {
    if (m.config.delta?.from !== from) continue
    const sql = compileModel(m, project, null, new Map([[from, before]]))
    for (const c of await columnsRead(wh, sql, source.database, `${source.name}__before`, columns)) read.add(c.name)
  }
  const key = quoteIdent(upstream.column)
  const old = tableName(source, '__old')
  await run(wh, [
    `DROP TABLE IF EXISTS ${old}`,
    `CREATE TABLE ${old} ENGINE = Memory AS SELECT ${columns.filter((c) => read.has(c.name)).map((c) => quoteIdent(c.name)).join(', ')} FROM ${before} WHERE ${key} IN (SELECT ${key} FROM ${upstream.table})`,
  ])
  return old
}

/** Column types a difference can be taken of and added back. */
const SUMMABLE = /^(U?Int(8|16|32|64)|Float(32|64)|Decimal)/

/**
 * Updates an aggregate (config delta) by the difference a keyed update of its upstream made: the
 * model's own SQL over the changed keys' new rows (`<from>__current`) is added to the live table
 * and its SQL over their old rows (in `<from>__before`) is taken away, group by group; groups left
 * with nothing go. The result is the table a whole build makes — the model declares its columns
 * sums of independent rows — without reading the millions of rows that did not change. Built whole
 * (`null`) when the columns changed, a column is not a number, the upstream was not updated by key,
 * or the SQL reads the date and the table was not last built whole today (yesterday's ages are not
 * today's).
 */
async function updateByDifference(wh: Warehouse, m: Model, project: Project, upstream: ChangedRows | typeof UNCHANGED): Promise<Materialized | null> {
  const { from, group_by } = m.config.delta!
  const live = await liveColumnsIfSame(wh, m, project)
  if (!live) return null
  const measures = live.filter((c) => !group_by.includes(c.name))
  if (group_by.some((g) => !live.some((c) => c.name === g)) || measures.some((c) => !SUMMABLE.test(c.type))) return null
  if (READS_KHO_DAY.test(m.sql) && !(await builtWholeToday(wh, m))) return null
  if (upstream === UNCHANGED || upstream.count === 0) return { rows: await countRows(wh, `SELECT 1 FROM ${tableName(m)}`), how: 'difference' }
  if (!upstream.before) return null
  upstream.oldRows ??= await keepOldRows(wh, project, from, upstream, upstream.before)
  const oldRows = upstream.oldRows
  const groups = group_by.map(quoteIdent)
  // Measures as signed numbers by position (d0, d1, …): an alias named like its column would be
  // read as itself inside the same SELECT.
  const signed = (sign: '' | '-') => measures.map((c, i) => `${sign}${/^U?Int/.test(c.type) ? `toInt64(${quoteIdent(c.name)})` : quoteIdent(c.name)} AS d${i}`)
  const part = (sql: string, sign: '' | '-') => `SELECT ${[...groups, ...signed(sign)].join(', ')} FROM (${sql})`
  const sums = new Map(measures.map((c, i) => [c.name, `CAST(sum(d${i}) AS ${c.type})`]))
  const sql = [
    `SELECT ${live.map((c) => (sums.has(c.name) ? `${sums.get(c.name)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ')}`,
    `FROM (${[
      part(`SELECT * FROM ${tableName(m)}`, ''),
      part(compileModel(m, project, null, new Map([[from, upstream.table]])), ''),
      part(compileModel(m, project, null, new Map([[from, oldRows]])), '-'),
    ].join(' UNION ALL ')})`,
    `GROUP BY ${groups.join(', ')}`,
    `HAVING ${measures.map((_c, i) => `sum(d${i}) != 0`).join(' OR ')}`,
  ].join('\n')
  return { rows: await buildAndSwap(wh, m, sql), how: 'difference' }
}

export async function materialize(wh: Warehouse, m: Model, project: Project, fullRefresh: boolean, built: Built): Promise<Materialized> {
  switch (m.config.materialized) {
    case 'view':
      for (const query of renderStatement({ kind: 'view', database: m.database, name: m.name, sql: compileModel(m, project) }, { cluster: wh.cluster })) await wh.client.command({ query })
      built.set(m.name, null)
      return { rows: 0, how: 'whole' }
    case 'table': {
      // A model updated by key or by difference reads the changed rows of one upstream, when it may.
      const from = fullRefresh ? undefined : (m.config.by_key ?? m.config.delta)?.from
      const upstream = from ? await keyedUpstream(wh, m, built, from) : null
      const result = upstream && (await (m.config.by_key ? updateByKey : updateByDifference)(wh, m, project, upstream))
      built.set(m.name, result?.how === 'keys' ? (result.changedKeys ?? UNCHANGED) : null)
      return result || { rows: await buildAndSwap(wh, m, compileModel(m, project)), how: 'whole' }
    }
    case 'incremental': {
      const rebuild = fullRefresh || !(await tableExists(wh, m))
      // The loads are fixed before the SQL runs, so a load committed meanwhile waits for the next run.
      const loads = await pendingLoads(wh, m, rebuild)
      const taken = [...loads.values()].flat()
      let result: Materialized = { rows: 0, how: 'loads' }
      const key = m.config.unique_key!
      // Current rows are kept for one-column keys on one node, with the engine that picks them.
      const keepsCurrent = key.length === 1 && wh.cluster === null && engineOf(m).kind === 'ReplacingMergeTree'
      if (rebuild) result = { rows: await buildAndSwap(wh, m, compileModel(m, project, loads)), how: 'whole' }
      else if (taken.length && keepsCurrent) result = await addKeepingCurrent(wh, m, compileModel(m, project, loads), key[0]!)
      else if (taken.length) {
        const before = await countRows(wh, `SELECT 1 FROM ${tableName(m)}`)
        await run(wh, [`INSERT INTO ${tableName(m)} ${compileModel(m, project, loads)}`])
        result = { rows: (await countRows(wh, `SELECT 1 FROM ${tableName(m)}`)) - before, how: 'loads' }
      }
      if (taken.length) await wh.client.insert({ table: 'meta.model_loads', values: taken.map((load_id) => ({ model: m.name, load_id })), format: 'JSONEachRow' })
      built.set(m.name, rebuild ? null : taken.length === 0 ? UNCHANGED : (result.changedKeys ?? null))
      return result
    }
  }
}
