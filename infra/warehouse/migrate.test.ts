import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTempWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from './client.ts'
import { DATA_TABLE_SETTINGS, type DdlTarget, renderStatement, type TableSpec } from './ddl.ts'
import { migrate, MigrationError } from './migrate.ts'
import { migrations } from './migrations.ts'

let wh: TempWarehouse
beforeAll(() => {
  wh = openTempWarehouse()
})
afterAll(() => wh.dispose())

async function schemaSnapshot() {
  return queryRows<{ database: string; name: string; create_table_query: string }>(
    wh.client,
    `SELECT database, name, create_table_query FROM system.tables
     WHERE database IN ('raw', 'std', 'marts', 'meta') ORDER BY database, name`,
  )
}

describe('migrate on the embedded warehouse', () => {
  it('creates the four layers and records every version, then changes nothing on a second run', async () => {
    const first = await migrate(wh)
    expect(first.applied.map((a) => a.version)).toEqual(migrations.map((m) => m.version))

    const databases = await queryRows<{ name: string }>(wh.client, 'SELECT name FROM system.databases')
    expect(databases.map((d) => d.name)).toEqual(expect.arrayContaining(['raw', 'std', 'marts', 'meta']))
    const before = await schemaSnapshot()
    expect(before.map((t) => `${t.database}.${t.name}`)).toEqual(
      expect.arrayContaining(['meta.schema_migrations', 'meta.agencies', 'meta.datasets', 'meta.loads']),
    )

    const second = await migrate(wh)
    expect(second.applied).toEqual([])
    expect(await schemaSnapshot()).toEqual(before)
    const recorded = await queryRows<{ n: string }>(wh.client, 'SELECT count() AS n FROM meta.schema_migrations')
    expect(Number(recorded[0]!.n)).toBe(migrations.length)
  })

  it('refuses to start when an applied migration was edited', async () => {
    const edited = migrations.map((m) =>
      m.version === 1 ? { ...m, statements: [...m.statements, { kind: 'sql' as const, sql: 'SELECT 1' }] } : m,
    )
    await expect(migrate(wh, edited)).rejects.toThrow(MigrationError)
    await expect(migrate(wh, edited)).rejects.toThrow(/Migration 1 \(layers\).*edited/)
  })

  it('applies a new version on top and only that one', async () => {
    const next = [
      ...migrations,
      { version: migrations.length + 1, name: 'probe', statements: [{ kind: 'sql' as const, sql: 'CREATE TABLE IF NOT EXISTS meta.probe{on_cluster} (x UInt8) ENGINE = MergeTree ORDER BY x' }] },
    ]
    const result = await migrate(wh, next)
    expect(result.applied.map((a) => a.name)).toEqual(['probe'])
  })
})

describe('cluster-mode DDL', () => {
  const cluster = { cluster: 'kho_cluster' }
  // Every statement of every migration but the backfills, which copy rows and reach the other
  // nodes by replication (checked on their own below).
  const ddlOf = (all: typeof migrations, target: DdlTarget) =>
    all.flatMap((m) => m.statements.filter((s) => s.kind !== 'backfill').flatMap((s) => renderStatement(s, target)))
  const martSpec: TableSpec = {
    database: 'marts',
    name: 'fct_indicator_value',
    columns: [
      { name: 'indicator', type: 'LowCardinality(String)' },
      { name: 'value', type: 'Float64' },
      { name: 'version', type: 'UInt64' },
    ],
    engine: { kind: 'ReplacingMergeTree', args: ['version'] },
    orderBy: ['indicator'],
    shardingKey: 'cityHash64(indicator)',
  }

  it('renders databases and meta tables ON CLUSTER with Replicated engines', () => {
    const sql = ddlOf(migrations, cluster)
    expect(sql[0]).toBe("CREATE DATABASE IF NOT EXISTS `raw` ON CLUSTER 'kho_cluster'")
    const loads = sql.find((s) => s.includes('`meta`.`loads`'))!
    expect(loads).toContain("CREATE TABLE IF NOT EXISTS `meta`.`loads` ON CLUSTER 'kho_cluster'")
    expect(loads).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/meta/loads', '{replica}', updated_at)",
    )
    for (const statement of sql) expect(statement).toContain("ON CLUSTER 'kho_cluster'")
    expect(sql.join('\n')).not.toMatch(/ENGINE = (MergeTree|ReplacingMergeTree)\b/)
  })

  it('runs a backfill as it is, once, on the node that migrates', () => {
    const backfills = migrations.flatMap((m) => m.statements.filter((s) => s.kind === 'backfill'))
    expect(backfills.length).toBeGreaterThan(0)
    for (const b of backfills) {
      const [sql, ...more] = renderStatement(b, cluster)
      expect(more).toEqual([])
      expect(sql).toMatch(/^INSERT INTO /)
      expect(sql).not.toContain('ON CLUSTER')
    }
  })

  it('puts a Distributed table in front of sharded marts', () => {
    const [local, distributed] = renderStatement({ kind: 'table', spec: martSpec }, cluster)
    expect(local).toContain("CREATE TABLE IF NOT EXISTS `marts`.`fct_indicator_value_local` ON CLUSTER 'kho_cluster'")
    expect(local).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/marts/fct_indicator_value_local', '{replica}', version)",
    )
    expect(distributed).toBe(
      "CREATE TABLE IF NOT EXISTS `marts`.`fct_indicator_value` ON CLUSTER 'kho_cluster' AS `marts`.`fct_indicator_value_local`\n" +
        "ENGINE = Distributed('kho_cluster', 'marts', 'fct_indicator_value_local', cityHash64(indicator))",
    )
    const alter = renderStatement({ kind: 'add_column', table: martSpec, column: { name: 'plan', type: 'Float64' } }, cluster)
    expect(alter).toEqual([
      "ALTER TABLE `marts`.`fct_indicator_value_local` ON CLUSTER 'kho_cluster' ADD COLUMN IF NOT EXISTS `plan` Float64",
      "ALTER TABLE `marts`.`fct_indicator_value` ON CLUSTER 'kho_cluster' ADD COLUMN IF NOT EXISTS `plan` Float64",
    ])
  })

  it('renders SQL that ClickHouse itself parses', async () => {
    const sql = [
      ...ddlOf(migrations, cluster),
      ...renderStatement({ kind: 'table', spec: martSpec }, cluster),
      ...renderStatement({ kind: 'modify_settings', table: { ...martSpec, settings: DATA_TABLE_SETTINGS } }, cluster),
    ]
    for (const statement of sql) {
      // formatQuery runs ClickHouse's parser without executing: a syntax error throws.
      const [row] = await queryRows<{ f: string }>(wh.client, 'SELECT formatQuery({q:String}) AS f', { q: statement })
      expect(row!.f).toContain('ON CLUSTER kho_cluster')
    }
  })
})
