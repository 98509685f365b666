import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { runDataTests } from './data-tests.ts'
import { selectModels, topologicalOrder } from './dag.ts'
import { catalogProject, loadProject, ProjectError } from './project.ts'
import { buildStatements, runModels } from './run.ts'

const catalog = loadCatalog()
const home = tempDir('kho-runner-')
let wh: TempWarehouse

/** A small transform project in a temp folder: files by relative path. */
function project(files: Record<string, string>): string {
  const root = tempDir('kho-project-')
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

const ENT = `/* config
materialized: incremental
unique_key: [code]
version: _version
tags: [dn]
*/
select ma_so_doanh_nghiep as code, ten_doanh_nghiep as name, toUInt64(toUnixTimestamp64Milli(_loaded_at)) * 1000 + _row as _version, _load_id
from {{ source('doanh_nghiep') }}`

const FILES = {
  'models/staging/ent.sql': ENT,
  'models/marts/ent_count.sql': `/* config\nmaterialized: table\norder_by: [n]\n*/\nselect count() as n from {{ ref('ent') }} final`,
  'models/marts/broken.sql': `/* config\nmaterialized: table\norder_by: [x]\n*/\nselect no_such_column as x from {{ ref('ent') }}`,
  'models/marts/after_broken.sql': `/* config\nmaterialized: view\n*/\nselect * from {{ ref('broken') }}`,
  'models/marts/independent.sql': `/* config\nmaterialized: table\norder_by: [x]\ntags: [lone]\n*/\nselect 1 as x`,
  'models/marts/schema.yaml': `models:\n  - name: ent_count\n    columns:\n      - name: n\n        tests:\n          - expression: "n < 2"\n`,
  // Values with quotes and backslashes are quoted by the SQL builder, not pasted into SQL.
  'models/staging/schema.yaml': `models:\n  - name: ent\n    columns:\n      - name: name\n        tests:\n          - accepted_values: { values: ["A", "B (đổi tên)", "C", "it's", "a\\\\b"] }\n`,
}

async function deliver(name: string, rows: [string, string][]) {
  const file = path.join(home, name)
  const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Tình trạng,Ngày cập nhật'
  fs.writeFileSync(file, [header, ...rows.map(([code, n]) => `${code},${n},01/02/2020,07210,2610,dang_hoat_dong,01/10/2026`)].join('\n'))
  const r = await loadFile({ wh, catalog, archiveDir: path.join(home, 'archive'), file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file' })
  expect(r.status).toBe('committed')
  return r.loadId
}

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

describe('the project and its DAG', () => {
  const p = loadProject({}, project(FILES))

  it('orders models after what they ref and reads refs, sources and tags', () => {
    const order = topologicalOrder(p.models)
    expect(order.indexOf('ent')).toBeLessThan(order.indexOf('ent_count'))
    expect(order.indexOf('broken')).toBeLessThan(order.indexOf('after_broken'))
    expect(p.models.get('ent')).toMatchObject({ database: 'std', sources: ['doanh_nghiep'], refs: [] })
    expect(p.models.get('ent_count')).toMatchObject({ database: 'marts', refs: ['ent'] })
  })

  it('selects like dbt: name, name+, +name, tag:x', () => {
    const sel = (...s: string[]) => [...selectModels(p.models, s)].sort()
    expect(sel('ent_count')).toEqual(['ent_count'])
    expect(sel('ent+')).toEqual(['after_broken', 'broken', 'ent', 'ent_count'])
    expect(sel('+after_broken')).toEqual(['after_broken', 'broken', 'ent'])
    expect(sel('tag:lone', 'ent_count')).toEqual(['ent_count', 'independent'])
    expect(() => sel('nope+')).toThrow(/no model named nope/)
  })

  it('refuses a cycle, naming it, and a ref to no model', () => {
    const cyc = loadProject({}, project({
      'models/marts/a.sql': `/* config\nmaterialized: view\n*/\nselect * from {{ ref('b') }}`,
      'models/marts/b.sql': `/* config\nmaterialized: view\n*/\nselect * from {{ ref('a') }}`,
    }))
    expect(() => topologicalOrder(cyc.models)).toThrow(/cycle: a → b → a/)
    expect(() => loadProject({}, project({ 'models/marts/a.sql': `/* config\nmaterialized: view\n*/\nselect * from {{ ref('zz') }}` }))).toThrow(ProjectError)
  })
})

describe('running models', () => {
  it('builds in order, isolates a failure to its downstream, and records every model in meta.runs', async () => {
    await deliver('a.csv', [['0100047516', 'A'], ['0100233488', 'B']])
    const p = loadProject({}, project(FILES))
    const { runId, results } = await runModels(wh, p)
    const status = Object.fromEntries(results.map((r) => [r.model, r.status]))
    expect(status).toEqual({ ent: 'success', ent_count: 'success', broken: 'error', after_broken: 'skipped', independent: 'success' })
    expect(results.find((r) => r.model === 'broken')!.error).toMatch(/no_such_column/)
    const runs = await queryRows<{ model: string; status: string; rows: number }>(wh.client, 'SELECT model, status, rows FROM meta.runs WHERE run_id = {id:String} ORDER BY model', { id: runId })
    expect(runs).toEqual([
      { model: 'after_broken', status: 'skipped', rows: 0 },
      { model: 'broken', status: 'error', rows: 0 },
      { model: 'ent', status: 'success', rows: 2 },
      { model: 'ent_count', status: 'success', rows: 1 },
      { model: 'independent', status: 'success', rows: 1 },
    ])
    const leftovers = await queryRows(wh.client, "SELECT name FROM system.tables WHERE name LIKE '%__build'")
    expect(leftovers).toEqual([])
  })

  it('takes in only new committed loads on an incremental run; the newer row for a key wins', async () => {
    const p = loadProject({}, project(FILES))
    const second = await deliver('b.csv', [['0100233488', 'B (đổi tên)'], ['0100233488-001', 'C']])
    const { results } = await runModels(wh, p, { select: ['ent'] })
    expect(results).toEqual([expect.objectContaining({ model: 'ent', status: 'success', rows: 2 })])
    const rows = await queryRows<{ code: string; name: string; _load_id: string }>(wh.client, 'SELECT code, name, _load_id FROM std.ent FINAL ORDER BY code')
    expect(rows.map((r) => [r.code, r.name])).toEqual([['0100047516', 'A'], ['0100233488', 'B (đổi tên)'], ['0100233488-001', 'C']])
    expect(rows[2]!._load_id).toBe(second)
    const again = await runModels(wh, p, { select: ['ent'] })
    expect(again.results[0]).toMatchObject({ status: 'success', rows: 0 })
    const full = await runModels(wh, p, { select: ['ent'], fullRefresh: true })
    // Four rows delivered, three keys: a full rebuild writes each key once.
    expect(full.results[0]).toMatchObject({ rows: 3 })
    const [count] = await queryRows<{ n: number }>(wh.client, 'SELECT count() AS n FROM std.ent FINAL')
    expect(Number(count!.n)).toBe(3)
  })

  it('keeps the live table when a rebuild fails: readers never see a half-built mart', async () => {
    const good = loadProject({}, project(FILES))
    await runModels(wh, good, { select: ['ent_count'] })
    const [before] = await queryRows<{ n: number }>(wh.client, 'SELECT n FROM marts.ent_count')
    const failing = loadProject({}, project({ ...FILES, 'models/marts/ent_count.sql': `/* config\nmaterialized: table\norder_by: [n]\n*/\nselect throwIf(number = 5000, 'fails half-way') + number as n from numbers(10000)` }))
    const { results } = await runModels(wh, failing, { select: ['ent_count'] })
    expect(results[0]).toMatchObject({ status: 'error' })
    const after = await queryRows<{ n: number }>(wh.client, 'SELECT n FROM marts.ent_count')
    expect(after).toEqual([before])
  })

  it('quotes accepted values safely', async () => {
    const p = loadProject({}, project(FILES))
    const { results } = await runDataTests(wh, p, new Set(['ent']))
    expect(results).toEqual([expect.objectContaining({ model: 'ent', test: 'accepted_values(name)', status: 'pass' })])
  })

  it('stores failing data tests with sample rows', async () => {
    const p = loadProject({}, project(FILES))
    await runModels(wh, p, { select: ['ent_count'] })
    const { runId, results } = await runDataTests(wh, p, new Set(['ent_count']))
    expect(results).toEqual([expect.objectContaining({ model: 'ent_count', status: 'fail', failures: 1, sample: [{ n: 3 }] })])
    const [stored] = await queryRows<{ status: string; sample: string }>(wh.client, 'SELECT status, sample FROM meta.test_results WHERE run_id = {id:String}', { id: runId })
    expect(stored).toEqual({ status: 'fail', sample: '[{"n":3}]' })
  })
})

describe('model tables through the DDL renderer', () => {
  const project = catalogProject(loadCatalog())
  const columns = [
    { name: 'commune_code', type: 'String' },
    { name: 'people', type: 'UInt64' },
  ]

  it('builds a mart in a cluster as <name>_local on every shard behind a Distributed table, ON CLUSTER, and swaps the shard tables', async () => {
    const mart = project.models.get('fct_population')!
    const ddl = buildStatements(mart, columns, { cluster: 'kho' }, 'b1')
    expect(ddl.create).toEqual([
      "DROP TABLE IF EXISTS `marts`.`fct_population__build` ON CLUSTER 'kho' SYNC",
      "DROP TABLE IF EXISTS `marts`.`fct_population__build_local` ON CLUSTER 'kho' SYNC",
      "CREATE TABLE IF NOT EXISTS `marts`.`fct_population__build_local` ON CLUSTER 'kho'\n(\n  `commune_code` String,\n  `people` UInt64\n)\nENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/marts/fct_population__build_local/b1', '{replica}')\nORDER BY (commune_code, age_band, gender)",
      "CREATE TABLE IF NOT EXISTS `marts`.`fct_population__build` ON CLUSTER 'kho' AS `marts`.`fct_population__build_local`\nENGINE = Distributed('kho', 'marts', 'fct_population__build_local', rand())",
    ])
    expect(ddl.swap).toContain("EXCHANGE TABLES `marts`.`fct_population__build_local` AND `marts`.`fct_population_local` ON CLUSTER 'kho'")
    expect(ddl.swap.at(-1)).toBe(
      "CREATE OR REPLACE TABLE `marts`.`fct_population` ON CLUSTER 'kho' AS `marts`.`fct_population_local`\nENGINE = Distributed('kho', 'marts', 'fct_population_local', rand())",
    )
    // std is replicated whole to every node: no Distributed table, still ON CLUSTER.
    const std = buildStatements(project.models.get('citizens')!, [{ name: 'id_number', type: 'String' }, { name: '_version', type: 'UInt64' }], { cluster: 'kho' }, 'b2')
    expect(std.create.join('\n')).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/all/std/citizens__build/b2', '{replica}', _version)")
    expect([...std.create, ...std.swap].join('\n')).not.toContain('Distributed')
    for (const statement of [...ddl.create, ...ddl.swap, ...std.create, ...std.swap]) {
      // ClickHouse's own parser, without executing: a syntax error throws.
      const [row] = await queryRows<{ f: string }>(wh.client, 'SELECT formatQuery({q:String}) AS f', { q: statement })
      expect(row!.f).toContain('ON CLUSTER kho')
    }
  })

  it('on a single node, renders plain tables and an exchange', () => {
    const ddl = buildStatements(project.models.get('fct_population')!, columns, { cluster: null }, 'b3')
    expect(ddl.create[1]).toBe("CREATE TABLE IF NOT EXISTS `marts`.`fct_population__build`\n(\n  `commune_code` String,\n  `people` UInt64\n)\nENGINE = MergeTree\nORDER BY (commune_code, age_band, gender)")
    expect(ddl.swap).toEqual([
      expect.stringContaining('CREATE TABLE IF NOT EXISTS `marts`.`fct_population`\n'),
      'EXCHANGE TABLES `marts`.`fct_population__build` AND `marts`.`fct_population`',
      'DROP TABLE IF EXISTS `marts`.`fct_population__build` SYNC',
    ])
  })
})
