import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { enterpriseCheckDigit } from '../../infra/identifiers/enterprise-code.ts'
import { runDataTests } from './data-tests.ts'
import { selectModels, topologicalOrder } from './dag.ts'
import { catalogProject, loadProject, ProjectError } from '../project/project.ts'
import { runModels } from './run.ts'
import { buildStatements, columnsRead } from './build-strategies.ts'
import * as clock from '../../infra/time/clock.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

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

/** Delivers enterprises (code, name, and the date of the update, 01/10/2026 unless given). */
async function deliver(name: string, rows: ([string, string] | [string, string, string])[]) {
  const file = path.join(home, name)
  const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Tình trạng,Ngày cập nhật'
  fs.writeFileSync(file, [header, ...rows.map(([code, n, updated]) => `${code},${n},01/02/2020,07210,2610,dang_hoat_dong,${updated ?? '01/10/2026'}`)].join('\n'))
  const r = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file' })
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

describe('a model updated by key (by_key)', () => {
  // Enterprise codes with valid check digits, none used by the tests above.
  const codes = Array.from({ length: 60 }, (_, i) => `0109${String(i).padStart(5, '0')}`)
    .filter((first9) => enterpriseCheckDigit(first9) !== null)
    .map((first9) => `${first9}${enterpriseCheckDigit(first9)}`)
    .slice(0, 4)
  // The latest update wins, as in the registers' std models; between equal updates, the later load.
  const REG = `/* config\nmaterialized: incremental\nunique_key: [code]\nversion: _version\n*/\nselect ma_so_doanh_nghiep as code, ten_doanh_nghiep as name, toUInt64(ifNull(toRelativeDayNum({{ parse_date(ngay_cap_nhat) }}), 0)) * 10000000000000 + toUInt64(toUnixTimestamp64Milli(_loaded_at)) as _version\nfrom {{ source('doanh_nghiep') }}`
  const DIM = (extra = '') => `/* config\nmaterialized: table\norder_by: [code]\nby_key: { column: code, from: reg }\n*/\nselect code, upperUTF8(name) as name_upper, lengthUTF8(name) as letters${extra} from {{ ref('reg') }} final`
  const KEYED = {
    'models/staging/reg.sql': REG,
    'models/marts/reg_dim.sql': DIM(),
    'models/marts/schema.yaml': 'models:\n  - name: reg_dim\n    tests:\n      - expression: "letters < 20"\n    columns:\n      - name: code\n        tests: [unique, not_null]\n',
  }
  const rowsOf = () => queryRows<Record<string, unknown>>(wh.client, 'SELECT * FROM marts.reg_dim ORDER BY code')
  const p = loadProject({}, project(KEYED))

  it('refuses by_key where it cannot hold: not a table, an upstream that keeps no changed keys, a key that is not its unique key', () => {
    expect(() => loadProject({}, project({ ...KEYED, 'models/marts/reg_dim.sql': DIM().replace('materialized: table', 'materialized: view') }))).toThrow(/by_key is for table models/)
    expect(() => loadProject({}, project({ ...KEYED, 'models/marts/reg_dim.sql': DIM().replace('column: code', 'column: name') }))).toThrow(/must be reg's unique key/)
    const plain = `/* config\nmaterialized: table\norder_by: [code]\n*/\nselect code, name from {{ ref('reg') }} final`
    expect(() => loadProject({}, project({ ...KEYED, 'models/marts/plain.sql': plain, 'models/marts/other.sql': DIM().replace("ref('reg')", "ref('plain')").replace('from: reg', 'from: plain') }))).toThrow(/must be an incremental model or a by_key model/)
    // A model updated by key can itself be the upstream of one.
    expect(() => loadProject({}, project({ ...KEYED, 'models/marts/other.sql': DIM().replace("ref('reg')", "ref('reg_dim')").replace('from: reg', 'from: reg_dim').replace(' final', '') }))).not.toThrow()
  })

  it("rebuilds only the keys a delivery's loads carry, ends where a full rebuild ends, and tests only those keys", async () => {
    // One enterprise whose name breaks the model's test before any key is updated.
    await deliver('k1.csv', [[codes[0]!, 'Công ty có tên quá dài cho phép'], [codes[1]!, 'Một']])
    const first = await runModels(wh, p)
    expect(first.results.find((r) => r.model === 'reg_dim')).toMatchObject({ status: 'success' })
    expect(first.results.find((r) => r.model === 'reg_dim')!.changedKeys).toBeUndefined()
    const whole = await runDataTests(wh, p, new Set(['reg_dim']))
    expect(whole.results.find((r) => r.test === 'expression(letters < 20)')).toMatchObject({ status: 'fail', failures: 1 })
    const before = await rowsOf()

    // Two deliveries in turn: a renamed enterprise and two new ones (one with a long name), then the renamed one again.
    for (const rows of [
      [[codes[1]!, 'Một (đổi tên)'], [codes[2]!, 'Ba'], [codes[3]!, 'Bốn có tên thật là dài']],
      [[codes[1]!, 'Một lần nữa']],
    ] as [string, string][][]) {
      await deliver(`k${rows.length}.csv`, rows)
      const { results } = await runModels(wh, p)
      const dim = results.find((r) => r.model === 'reg_dim')!
      expect(dim).toMatchObject({ status: 'success', changedKeys: { column: 'code', count: rows.length } })
      // The incremental upstream's tests read only the keys its new loads carried, too.
      expect(results.find((r) => r.model === 'reg')).toMatchObject({ status: 'success', changedKeys: { column: 'code', count: rows.length } })
      const keyed = await rowsOf()
      expect(dim.rows).toBe(keyed.length)
      const tests = await runDataTests(wh, p, new Set(['reg_dim']), new Map([['reg_dim', dim.changedKeys!]]))
      // Only the keys this delivery changed are tested: the old long name is not counted again.
      expect(tests.results.find((r) => r.test === 'expression(letters < 20)')).toMatchObject({ status: rows.length === 3 ? 'fail' : 'pass', failures: rows.length === 3 ? 1 : 0 })
      expect(tests.results.filter((r) => r.column === 'code').map((r) => r.status)).toEqual(['pass', 'pass'])
      await runModels(wh, p, { select: ['reg_dim'], fullRefresh: true })
      expect(await rowsOf()).toEqual(keyed)
    }
    const after = await rowsOf()
    expect(after.length).toBe(before.length + 2)
    expect(after.find((r) => r.code === codes[1])).toMatchObject({ name_upper: 'MỘT LẦN NỮA' })

    // A delivery carrying an older update than one already held (a late file): the held update
    // stays the current row — in the upstream's current rows, the keyed mart and its tests.
    await deliver('k-late.csv', [[codes[1]!, 'Tên cũ gửi muộn dài quá hai mươi', '01/01/2026']])
    const late = await runModels(wh, p)
    const dim = late.results.find((r) => r.model === 'reg_dim')!
    expect(dim).toMatchObject({ status: 'success', changedKeys: { column: 'code', count: 1 } })
    expect(await queryRows(wh.client, 'SELECT code, name FROM std.reg__current FINAL')).toEqual([{ code: codes[1], name: 'Một lần nữa' }])
    expect(await rowsOf()).toEqual(after)
    const lateTests = await runDataTests(wh, p, new Set(['reg_dim']), new Map([['reg_dim', dim.changedKeys!]]))
    expect(lateTests.results.find((r) => r.test === 'expression(letters < 20)')).toMatchObject({ status: 'pass', failures: 0 })
    await runModels(wh, p, { select: ['reg_dim'], fullRefresh: true })
    expect(await rowsOf()).toEqual(after)
    expect(await queryRows(wh.client, "SELECT name FROM system.tables WHERE database = 'marts' AND name LIKE 'reg_dim__build%'")).toEqual([])
  })

  it('builds the whole table when it must: the SQL changed its columns, or only the mart was asked for', async () => {
    await deliver('k5.csv', [[codes[2]!, 'Ba (đổi tên)']])
    const changed = loadProject({}, project({ ...KEYED, 'models/marts/reg_dim.sql': DIM(', 1 as added') }))
    const { results } = await runModels(wh, changed)
    expect(results.find((r) => r.model === 'reg_dim')).toMatchObject({ status: 'success' })
    expect(results.find((r) => r.model === 'reg_dim')!.changedKeys).toBeUndefined()
    expect((await rowsOf()).every((r) => r.added === 1)).toBe(true)
    const alone = await runModels(wh, p, { select: ['reg_dim'] })
    expect(alone.results[0]!.changedKeys).toBeUndefined()
    expect((await rowsOf())[0]).not.toHaveProperty('added')
  })
})

describe('an aggregate updated by difference (delta)', () => {
  const codes = Array.from({ length: 80 }, (_, i) => `0108${String(i).padStart(5, '0')}`)
    .filter((first9) => enterpriseCheckDigit(first9) !== null)
    .map((first9) => `${first9}${enterpriseCheckDigit(first9)}`)
    .slice(0, 4)
  const REG = `/* config\nmaterialized: incremental\nunique_key: [code]\nversion: _version\n*/\nselect ma_so_doanh_nghiep as code, ten_doanh_nghiep as name, toUInt64(toUnixTimestamp64Milli(_loaded_at)) * 1000 + _row as _version\nfrom {{ source('doanh_nghiep') }}`
  const DIM = `/* config\nmaterialized: table\norder_by: [code]\nby_key: { column: code, from: dreg }\n*/\nselect code, name, lengthUTF8(name) as letters from {{ ref('dreg') }} final`
  // Enterprises by the first letter of their name: how many, and their letters in all.
  const BY_LETTER = `/* config\nmaterialized: table\norder_by: [initial]\ndelta: { from: dreg_dim, group_by: [initial] }\n*/\nselect substringUTF8(name, 1, 1) as initial, count() as n, sum(letters) as letters from {{ ref('dreg_dim') }} group by initial`
  // The same, by how old each name is today: it reads the date.
  const DATED = `/* config\nmaterialized: table\norder_by: [year]\ndelta: { from: dreg_dim, group_by: [year] }\n*/\nselect toYear({{ today() }}) as year, count() as n from {{ ref('dreg_dim') }} group by year`
  const DELTA = { 'models/staging/dreg.sql': REG, 'models/marts/dreg_dim.sql': DIM, 'models/marts/dreg_letter.sql': BY_LETTER, 'models/marts/dreg_dated.sql': DATED }
  const p = loadProject({}, project(DELTA))
  const table = (name: string) => queryRows<Record<string, unknown>>(wh.client, `SELECT * FROM marts.${name} ORDER BY 1`)

  it("refuses a model that reads the engine's clock: kho's day is {{ today() }}", () => {
    expect(() => loadProject({}, project({ ...DELTA, 'models/marts/dreg_dated.sql': DATED.replace('{{ today() }}', 'today()') }))).toThrow(/today\(\) reads the engine's clock/)
    expect(() => loadProject({}, project({ ...DELTA, 'models/marts/dreg_dated.sql': DATED.replace('toYear({{ today() }})', 'toYear(now64())') }))).toThrow(/now64\(\) reads the engine's clock/)
  })

  it('refuses delta where it cannot hold: not a table, an upstream not updated by key', () => {
    expect(() => loadProject({}, project({ ...DELTA, 'models/marts/dreg_letter.sql': BY_LETTER.replace('materialized: table', 'materialized: view') }))).toThrow(/delta is for table models/)
    expect(() => loadProject({}, project({ ...DELTA, 'models/marts/dreg_letter.sql': BY_LETTER.replace('from: dreg_dim', 'from: dreg') }))).toThrow(/must be a by_key model/)
  })

  it('adds the new rows and takes away the old, ends where a whole build ends, drops emptied groups, and builds whole when the date it read has passed', async () => {
    // Initials no other enterprise of this file's deliveries has.
    const expected = () => queryRows<Record<string, unknown>>(wh.client, 'SELECT substringUTF8(name, 1, 1) AS initial, count() AS n, sum(letters) AS letters FROM marts.dreg_dim GROUP BY initial ORDER BY 1')
    const group = async (initial: string) => (await table('dreg_letter')).find((r) => r.initial === initial)
    await deliver('d1.csv', [[codes[0]!, 'Ơn Phát'], [codes[1]!, 'Ưu Việt'], [codes[2]!, 'Ưng Tín']])
    const first = await runModels(wh, p)
    expect(first.results.map((r) => `${r.model}:${r.how}`)).toEqual(['dreg:whole', 'dreg_dim:whole', 'dreg_dated:whole', 'dreg_letter:whole'])
    expect(await group('Ư')).toEqual({ initial: 'Ư', n: 2, letters: 14 })
    // A rename moves an enterprise from Ư to Ỹ, another arrives under Ơ.
    await deliver('d2.csv', [[codes[1]!, 'Ỹ Thịnh'], [codes[3]!, 'Ơ Châu']])
    const second = await runModels(wh, p)
    expect(second.results.map((r) => `${r.model}:${r.how}`)).toEqual(['dreg:loads', 'dreg_dim:keys', 'dreg_dated:difference', 'dreg_letter:difference'])
    expect(await table('dreg_letter')).toEqual(await expected())
    expect([await group('Ơ'), await group('Ư'), await group('Ỹ')]).toEqual([
      { initial: 'Ơ', n: 2, letters: 13 },
      { initial: 'Ư', n: 1, letters: 7 },
      { initial: 'Ỹ', n: 1, letters: 7 },
    ])
    // The last enterprise under Ư renamed: the Ư group goes, as a whole build has no row for it.
    await deliver('d3.csv', [[codes[2]!, 'Ơn Khang']])
    await runModels(wh, p)
    const byDifference = await table('dreg_letter')
    expect(byDifference).toEqual(await expected())
    expect(await group('Ư')).toBeUndefined()
    await runModels(wh, p, { select: ['dreg_letter'], fullRefresh: true })
    expect(await table('dreg_letter')).toEqual(byDifference)
    expect(await queryRows(wh.client, "SELECT name FROM system.tables WHERE database = 'marts' AND name LIKE 'dreg_dim\\_\\_%'")).toEqual([{ name: 'dreg_dim__current' }])

    // The dated model was last built whole yesterday: today's ages are not yesterday's, so whole.
    for (const query of [
      "CREATE TABLE meta.runs_dated ENGINE = Memory AS SELECT * REPLACE (started_at - INTERVAL 1 DAY AS started_at) FROM meta.runs WHERE model = 'dreg_dated'",
      "DELETE FROM meta.runs WHERE model = 'dreg_dated'",
      'INSERT INTO meta.runs SELECT * FROM meta.runs_dated',
      'DROP TABLE meta.runs_dated',
    ])
      await wh.client.command({ query })
    await deliver('d4.csv', [[codes[3]!, 'Á Châu Mới']])
    const later = await runModels(wh, p)
    expect(later.results.map((r) => `${r.model}:${r.how}`)).toEqual(['dreg:loads', 'dreg_dim:keys', 'dreg_dated:whole', 'dreg_letter:difference'])
    expect(await table('dreg_dated')).toEqual([{ year: Number(clock.today().slice(0, 4)), n: (await expected()).reduce((n, r) => n + Number(r.n), 0) }])
  })
})

describe('the columns a query reads, as the engine resolves it', () => {
  // A difference takes the changed keys' old rows in these columns alone: a column missing would
  // fail its SQL, one too many (names, addresses) is read in nearly every granule.
  const columns = ['id', 'full_name', 'address', 'born', 'commune'].map((name) => ({ name, type: name === 'born' ? 'Date' : 'String' }))
  beforeAll(async () => {
    await wh.client.command({ query: `CREATE TABLE marts.people_probe (${columns.map((c) => `${c.name} ${c.type}`).join(', ')}) ENGINE = MergeTree ORDER BY id` })
  })

  it('follows select * through CTEs, and counts a column only a filter reads', async () => {
    const sql = `with people as (select commune, count() as n from marts.people_probe where born > '2000-01-01' group by commune),
      ids as (select id, toUInt64(1) as n from marts.people_probe)
      select * from people union all select * from ids`
    const read = await columnsRead(wh, sql, 'marts', 'people_probe', columns)
    expect(read.map((c) => c.name).sort()).toEqual(['born', 'commune', 'id'])
  })

  it('gives every column when the SQL does not read the table', async () => {
    const read = await columnsRead(wh, 'select 1 as x', 'marts', 'people_probe', columns)
    expect(read).toEqual(columns)
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
      "CREATE TABLE IF NOT EXISTS `marts`.`fct_population__build_local` ON CLUSTER 'kho'\n(\n  `commune_code` String,\n  `people` UInt64\n)\nENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/marts/fct_population__build_local/b1', '{replica}')\nORDER BY (commune_code, age_band, gender, load_id)\nSETTINGS min_free_disk_bytes_to_perform_insert = 67108864",
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
    expect(ddl.create[1]).toBe("CREATE TABLE IF NOT EXISTS `marts`.`fct_population__build`\n(\n  `commune_code` String,\n  `people` UInt64\n)\nENGINE = MergeTree\nORDER BY (commune_code, age_band, gender, load_id)\nSETTINGS min_free_disk_bytes_to_perform_insert = 67108864")
    expect(ddl.swap).toEqual([
      expect.stringContaining('CREATE TABLE IF NOT EXISTS `marts`.`fct_population`\n'),
      'EXCHANGE TABLES `marts`.`fct_population__build` AND `marts`.`fct_population`',
      'DROP TABLE IF EXISTS `marts`.`fct_population__build` SYNC',
    ])
  })
})
