import { quoteIdent } from './sql.ts'

/**
 * DDL described once and rendered for either target: one embedded/standalone node, or a
 * cluster (ON CLUSTER, Replicated* engines, and a Distributed table in front of sharded marts).
 */
export type Database = 'raw' | 'std' | 'marts' | 'meta'

export interface ColumnSpec {
  name: string
  type: string
  /** SQL expression for DEFAULT. */
  default?: string
  comment?: string
}

export interface EngineSpec {
  /** MergeTree family name without the Replicated prefix, e.g. 'MergeTree', 'ReplacingMergeTree'. */
  kind: 'MergeTree' | 'ReplacingMergeTree' | 'SummingMergeTree' | 'AggregatingMergeTree'
  args?: string[]
}

export interface TableSpec {
  database: Database
  name: string
  columns: ColumnSpec[]
  engine: EngineSpec
  orderBy: string[]
  partitionBy?: string
  comment?: string
  /**
   * Cluster placement. 'replicated': every node holds the whole table (catalogue, loads, raw, std).
   * 'sharded': rows spread over shards behind a Distributed table (marts, where queries fan out).
   * Defaults by database: marts are sharded, the rest replicated.
   */
  placement?: 'replicated' | 'sharded'
  /** Distributed sharding key for sharded tables; rand() when absent. */
  shardingKey?: string
  /**
   * Appended to the Keeper path of a replicated table: a table built beside the live one and then
   * exchanged with it (the transform runner) keeps its path, so each build needs its own.
   */
  keeperPathSuffix?: string
  /**
   * On a single node: the table is created and filled by this SELECT in one statement, its columns
   * those the SELECT gives (columns is then empty), so the engine plans the SELECT once.
   */
  asSelect?: string
  /** MergeTree settings of the table (SETTINGS k = v, …), e.g. DATA_TABLE_SETTINGS. */
  settings?: Readonly<Record<string, number>>
}

/**
 * The last part of the disk is kept for kho's own records: a table holding data (raw, std, marts)
 * refuses inserts while less than this is free, while meta tables (loads, runs, audit, alerts)
 * still write. So a full disk fails a delivery or a mart build cleanly, and the failure is still
 * recorded, alerted and answered instead of failing to be written too.
 */
export const DATA_DISK_RESERVE_BYTES = 64 * 1024 * 1024
export const DATA_TABLE_SETTINGS: Readonly<Record<string, number>> = Object.freeze({ min_free_disk_bytes_to_perform_insert: DATA_DISK_RESERVE_BYTES })

export type Statement =
  | { kind: 'database'; name: Database }
  | { kind: 'table'; spec: TableSpec }
  | { kind: 'add_column'; table: TableSpec; column: ColumnSpec }
  /** Changes a column's type in place (ClickHouse rewrites the column). */
  | { kind: 'modify_column'; table: TableSpec; column: ColumnSpec }
  /** Gives an existing table the settings its spec has now (a table created before they were added). */
  | { kind: 'modify_settings'; table: TableSpec }
  /** Escape hatch; `{on_cluster}` is replaced by ` ON CLUSTER '<name>'` or nothing. */
  | { kind: 'sql'; sql: string }
  /**
   * Copies rows already there into a new table, once. Not DDL: it runs on the node that migrates
   * and reaches the others by replication, so it never carries ON CLUSTER.
   */
  | { kind: 'backfill'; sql: string }
  /** Drops a table (and, for a sharded one in a cluster, its per-shard tables). */
  | { kind: 'drop_table'; table: TableSpec }
  /** Swaps two tables' data atomically: the stored (per-shard) tables, which Distributed tables front by name. */
  | { kind: 'exchange_tables'; a: TableSpec; b: TableSpec }
  | { kind: 'view'; database: Database; name: string; sql: string }
  /**
   * In a cluster, re-creates a sharded table's Distributed front from its per-shard table (after an
   * exchange changed the columns); nothing on a single node.
   */
  | { kind: 'distributed_front'; table: TableSpec }

export interface DdlTarget {
  cluster: string | null
}

export const SINGLE_NODE: DdlTarget = { cluster: null }

/** Suffix of the per-shard table that a Distributed table fronts. */
export const LOCAL_SUFFIX = '_local'

const qualified = (db: string, table: string) => `${quoteIdent(db)}.${quoteIdent(table)}`

function onCluster(target: DdlTarget): string {
  return target.cluster ? ` ON CLUSTER ${quoteString(target.cluster)}` : ''
}

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** Where a table lives in a cluster (see TableSpec.placement). */
export function placementOf(spec: TableSpec): 'replicated' | 'sharded' {
  return spec.placement ?? (spec.database === 'marts' ? 'sharded' : 'replicated')
}

function columnSql(c: ColumnSpec): string {
  let sql = `${quoteIdent(c.name)} ${c.type}`
  if (c.default !== undefined) sql += ` DEFAULT ${c.default}`
  if (c.comment) sql += ` COMMENT ${quoteString(c.comment)}`
  return sql
}

function engineSql(spec: TableSpec, target: DdlTarget, storedName: string): string {
  const args = spec.engine.args ?? []
  if (!target.cluster) return `${spec.engine.kind}${args.length ? `(${args.join(', ')})` : ''}`
  // Keeper path: one replica set per shard for sharded tables, one for the whole cluster otherwise.
  const shardPart = placementOf(spec) === 'sharded' ? '{shard}' : 'all'
  const zkPath = quoteString(`/clickhouse/tables/${shardPart}/${spec.database}/${storedName}${spec.keeperPathSuffix ? `/${spec.keeperPathSuffix}` : ''}`)
  return `Replicated${spec.engine.kind}(${[zkPath, "'{replica}'", ...args].join(', ')})`
}

function createTableSql(spec: TableSpec, target: DdlTarget): string[] {
  const sharded = target.cluster !== null && placementOf(spec) === 'sharded'
  const storedName = sharded ? spec.name + LOCAL_SUFFIX : spec.name
  if (spec.asSelect !== undefined && target.cluster !== null) throw new Error(`${spec.name}: CREATE … AS SELECT is for a single node`)
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${qualified(spec.database, storedName)}${onCluster(target)}`,
    ...(spec.asSelect === undefined ? [`(\n  ${spec.columns.map(columnSql).join(',\n  ')}\n)`] : []),
    `ENGINE = ${engineSql(spec, target, storedName)}`,
  ]
  if (spec.partitionBy) lines.push(`PARTITION BY ${spec.partitionBy}`)
  lines.push(`ORDER BY (${spec.orderBy.join(', ')})`)
  if (spec.settings) lines.push(`SETTINGS ${settingsSql(spec.settings)}`)
  if (spec.comment) lines.push(`COMMENT ${quoteString(spec.comment)}`)
  if (spec.asSelect !== undefined) lines.push(`AS ${spec.asSelect}`)
  const statements = [lines.join('\n')]
  if (sharded) statements.push(distributedSql(spec, target, 'CREATE TABLE IF NOT EXISTS'))
  return statements
}

export function settingsSql(settings: Readonly<Record<string, number>>): string {
  return Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join(', ')
}

function distributedSql(spec: TableSpec, target: DdlTarget, create: string): string {
  const storedName = spec.name + LOCAL_SUFFIX
  return (
    `${create} ${qualified(spec.database, spec.name)}${onCluster(target)}` +
    ` AS ${qualified(spec.database, storedName)}\n` +
    `ENGINE = Distributed(${[target.cluster!, spec.database, storedName].map(quoteString).join(', ')}, ` +
    `${spec.shardingKey ?? 'rand()'})`
  )
}

/** The SQL statements, in order, that carry out one described statement on the target. */
export function renderStatement(statement: Statement, target: DdlTarget): string[] {
  switch (statement.kind) {
    case 'database':
      return [`CREATE DATABASE IF NOT EXISTS ${quoteIdent(statement.name)}${onCluster(target)}`]
    case 'table':
      return createTableSql(statement.spec, target)
    case 'add_column':
    case 'modify_column': {
      const { table, column } = statement
      const sharded = target.cluster !== null && placementOf(table) === 'sharded'
      const names = sharded ? [table.name + LOCAL_SUFFIX, table.name] : [table.name]
      const change = statement.kind === 'add_column' ? 'ADD COLUMN IF NOT EXISTS' : 'MODIFY COLUMN'
      return names.map((name) => `ALTER TABLE ${qualified(table.database, name)}${onCluster(target)} ${change} ${columnSql(column)}`)
    }
    case 'modify_settings': {
      const { table } = statement
      if (!table.settings) return []
      const sharded = target.cluster !== null && placementOf(table) === 'sharded'
      return [`ALTER TABLE ${qualified(table.database, sharded ? table.name + LOCAL_SUFFIX : table.name)}${onCluster(target)} MODIFY SETTING ${settingsSql(table.settings)}`]
    }
    case 'sql':
      return [statement.sql.replaceAll('{on_cluster}', onCluster(target))]
    case 'backfill':
      return [statement.sql]
    case 'drop_table': {
      const { table } = statement
      const sharded = target.cluster !== null && placementOf(table) === 'sharded'
      const names = sharded ? [table.name, table.name + LOCAL_SUFFIX] : [table.name]
      return names.map((name) => `DROP TABLE IF EXISTS ${qualified(table.database, name)}${onCluster(target)} SYNC`)
    }
    case 'exchange_tables': {
      const stored = (t: TableSpec) => (target.cluster !== null && placementOf(t) === 'sharded' ? t.name + LOCAL_SUFFIX : t.name)
      const { a, b } = statement
      return [`EXCHANGE TABLES ${qualified(a.database, stored(a))} AND ${qualified(b.database, stored(b))}${onCluster(target)}`]
    }
    case 'distributed_front': {
      const { table } = statement
      if (target.cluster === null || placementOf(table) !== 'sharded') return []
      return [distributedSql(table, target, 'CREATE OR REPLACE TABLE')]
    }
    case 'view':
      return [`CREATE OR REPLACE VIEW ${qualified(statement.database, statement.name)}${onCluster(target)} AS ${statement.sql}`]
    default:
      return assertUnreachable(statement)
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
