import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTempWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from './client.ts'
import { migrate, migrationChecksum } from './migrate.ts'
import { currentTable, migrations } from './migrations.ts'

/**
 * Every released migration's checksum, as warehouses in the field have it recorded. A change to a
 * released migration — or to how the DDL renderer writes it — makes those warehouses refuse to
 * start; this list fails first. Add a line here when a new migration is released, never edit one.
 */
const RELEASED: [number, string, string][] = [
  [1, 'layers', '388b99968806f6f2'],
  [2, 'catalogue', '6fe936173df32b24'],
  [3, 'loads', 'ea953fe23d31d425'],
  [4, 'rejects', 'ca0eb96f81788e0b'],
  [5, 'api_keys', 'f9a76aca67b95d73'],
  [6, 'transform_runs', '1caf561adcb943af'],
  [7, 'commune_crosswalk', 'eb4414c245bf64b3'],
  [8, 'accounts_and_audit', 'ebf0ff3ce1ceaa1e'],
  [9, 'calendar', '05ce2b11bd0731f9'],
  [10, 'outlier_reviews', '93be1e20fa377d45'],
  [11, 'job_runs', '8e988bd884e77a57'],
  [12, 'saved_queries', '04993315e2d80bf7'],
  [13, 'open_data', 'b13899c8a3a918c5'],
  [14, 'account_token_version', 'de8d28c12cdbd46c'],
  [15, 'sharing', '7631730458d67891'],
  [16, 'catalog_entries', '8c24ce2594c321f4'],
  [17, 'attachments', 'b7c5f50eb835c50c'],
  [18, 'alerts', 'cce8cb6f7b31c382'],
  [19, 'error_reports', '858866bc470c35b6'],
  [20, 'open_data_living', '29aa2cfd84e963e1'],
  [21, 'run_how', 'de40780447d834f7'],
  [22, 'pull_hosts', 'b6c4cf1feb3de6c9'],
  [23, 'ask_synonyms', 'c53e9611490a9ecf'],
  [24, 'load_delivered_by', 'c1ec74ae066c8d70'],
  [25, 'load_events', '233bd0144356175f'],
]

describe('released migrations', () => {
  it('keep the checksums warehouses recorded when they applied them', () => {
    expect(migrations.slice(0, RELEASED.length).map((m) => [m.version, m.name, migrationChecksum(m)])).toEqual(RELEASED)
  })

  it('cannot be edited at run time', () => {
    const accounts = migrations[7]!.statements[0]!
    expect(accounts.kind).toBe('table')
    expect(() => (accounts as { spec: { columns: unknown[] } }).spec.columns.push({ name: 'x', type: 'String' })).toThrow()
  })

  it('give a table its shape today from the migrations: the create plus the columns added later', () => {
    const accounts = currentTable('meta', 'accounts')
    expect(accounts.columns.map((c) => c.name)).toContain('token_version')
    // The released create itself does not change.
    expect((migrations[7]!.statements[0] as { spec: { columns: { name: string }[] } }).spec.columns.map((c) => c.name)).not.toContain('token_version')
  })
})

describe('upgrading a warehouse of the previous release', () => {
  let wh: TempWarehouse
  beforeAll(() => {
    wh = openTempWarehouse()
  })
  afterAll(() => wh.dispose())

  it('migrates it to the current schema with every row intact', async () => {
    const previous = migrations.slice(0, -1)
    await migrate(wh, previous)
    // Rows of every shape the previous release wrote, in every table it had.
    const tables = await queryRows<{ database: string; name: string }>(
      wh.client,
      // Tables that hold rows (a materialized view's rows are its target table's).
      "SELECT database, name FROM system.tables WHERE database = 'meta' AND name != 'schema_migrations' AND NOT is_temporary AND engine NOT IN ('MaterializedView', 'View') ORDER BY name",
    )
    expect(tables.length).toBeGreaterThan(15)
    const columns = (t: { database: string; name: string }) =>
      queryRows<{ name: string; type: string }>(wh.client, 'SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} ORDER BY position', { d: t.database, t: t.name })
    const structure = async (t: { database: string; name: string }) => (await columns(t)).map((c) => `${c.name} ${c.type}`).join(', ')
    const count = async (t: { database: string; name: string }) => Number((await queryRows<{ n: string }>(wh.client, `SELECT count() AS n FROM ${t.database}.${t.name}`))[0]!.n)
    for (const t of tables) {
      await wh.client.command({ query: `INSERT INTO ${t.database}.${t.name} SELECT * FROM generateRandom({s:String}, 7, 8, 3) LIMIT 25`, query_params: { s: await structure(t) } })
    }
    const before = await Promise.all(tables.map(count))
    const sample = await queryRows<Record<string, unknown>>(wh.client, 'SELECT * FROM meta.accounts ORDER BY username')

    const upgraded = await migrate(wh)
    expect(upgraded.applied.map((a) => a.version)).toEqual([migrations.at(-1)!.version])
    expect(await Promise.all(tables.map(count))).toEqual(before)
    // Each table now has the shape the current migrations give it, and the old rows read through it.
    for (const t of tables) expect((await columns(t)).map((c) => c.name)).toEqual(currentTable('meta', t.name).columns.map((c) => c.name))
    // Old columns keep their values in every table the release added columns to.
    const after = await queryRows<Record<string, unknown>>(wh.client, 'SELECT * FROM meta.accounts ORDER BY username')
    expect(after.map((r) => Object.fromEntries(Object.keys(sample[0]!).map((k) => [k, r[k]])))).toEqual(sample)
  })
})
