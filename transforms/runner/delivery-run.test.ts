import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pathsUnder } from '../../infra/config.ts'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { seedDemo } from '../../infra/app/demo/seed-demo.ts'
import { deliverer } from '../../loaders/deliver.ts'
import { enterpriseCheckDigit } from '../../infra/identifiers/enterprise-code.ts'
import { TransformCoordinator, type TransformOutcome } from './coordinator.ts'
import { EVERY_DELIVERY_TAG, modelsForDeliveries } from './dag.ts'
import { catalogProject, type Project } from '../project/project.ts'
import { runModels } from './run.ts'
import { tableName } from './compile.ts'

/*
 * After a delivery the marts follow by rebuilding only the models downstream of the dataset it
 * touched (and those summarising every delivery) — and end exactly where a full rebuild ends.
 */
const catalog = loadCatalog()
const home = tempDir('kho-delivery-run-')
const paths = pathsUnder(home)
let wh: TempWarehouse
let project: Project

/** Every materialised model's rows, as a count and an order-free hash, by model. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const engines = new Map(
    (await queryRows<{ db: string; name: string; engine: string }>(wh.client, "SELECT database AS db, name, engine FROM system.tables WHERE database IN ('std', 'marts')")).map((t) => [`${t.db}.${t.name}`, t.engine]),
  )
  for (const m of project.models.values()) {
    if (!engines.has(`${m.database}.${m.name}`)) continue // a view
    // Versions not merged yet are one row: Replacing tables are read as their readers read them.
    const final = engines.get(`${m.database}.${m.name}`)!.includes('Replacing') ? ' FINAL' : ''
    const [r] = await queryRows<{ n: string; h: string }>(wh.client, `SELECT count() AS n, toString(groupBitXor(cityHash64(*))) AS h FROM ${tableName(m)}${final}`)
    out[m.name] = `${r!.n}:${r!.h}`
  }
  return out
}

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  project = catalogProject(catalog)
  await seedDemo({ wh, catalog, deliver: deliverer({ wh, catalog: () => catalog, paths, onCommitted: () => {} }), demoDir: paths.demo, scale: 0.05, asOf: new Date('2026-11-22T00:00:00Z') })
  const first = await runModels(wh, project)
  expect(first.results.filter((r) => r.status !== 'success')).toEqual([])
}, 240_000)

afterAll(() => wh.dispose())

describe('the marts after a delivery', () => {
  it("select the delivered dataset's models, everything downstream, and the models summarising every delivery — not the rest", () => {
    const selected = modelsForDeliveries(project.models, ['doanh_nghiep'])
    const reading = [...project.models.values()].filter((m) => m.sources.includes('doanh_nghiep')).map((m) => m.name)
    expect(reading.length).toBeGreaterThan(0)
    for (const name of reading) expect(selected.has(name), name).toBe(true)
    for (const m of project.models.values()) {
      if (m.config.tags.includes(EVERY_DELIVERY_TAG)) expect(selected.has(m.name), m.name).toBe(true)
      // Downstream is closed: whatever reads a selected model is selected.
      if (m.refs.some((r) => selected.has(r))) expect(selected.has(m.name), m.name).toBe(true)
    }
    // Nor does a business-register delivery count the people again: no selected model reads the citizens.
    const citizenTables = new Set(['citizens', 'dim_citizen'])
    for (const name of selected) expect(project.models.get(name)!.refs.filter((r) => citizenTables.has(r)), name).toEqual([])
    // The population register's staging reads nothing a business-register delivery touched.
    const citizens = [...project.models.values()].filter((m) => m.sources.includes('dan_cu') && !m.sources.includes('doanh_nghiep'))
    expect(citizens.length).toBeGreaterThan(0)
    for (const m of citizens) expect(selected.has(m.name), m.name).toBe(false)
    expect(selected.size).toBeLessThan(project.models.size)
  })

  it('a delivery rebuilds only those models, and the marts then equal a full rebuild', async () => {
    const runs: string[] = []
    const outcomes: TransformOutcome[] = []
    const coordinator = new TransformCoordinator(wh, project, (o) => void (runs.push(o.run.runId), outcomes.push(o)))
    const deliver = deliverer({ wh, catalog: () => catalog, paths, onCommitted: (r) => coordinator.request(60_000, [r.dataset]) })
    const file = path.join(home, 'doanh_nghiep_moi.csv')
    const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Tình trạng,Ngày cập nhật'
    // Two new enterprises with valid codes (the tenth digit checks the first nine).
    const [a, b] = ['010999990', '010999981', '010999972', '010999963']
      .filter((first9) => enterpriseCheckDigit(first9) !== null)
      .map((first9) => `${first9}${enterpriseCheckDigit(first9)}`)
    fs.writeFileSync(file, [header, `${a},Công ty Mới Một,01/11/2026,07210,2610,dang_hoat_dong,20/11/2026`, `${b},Công ty Mới Hai,02/11/2026,07228,4711,dang_hoat_dong,20/11/2026`].join('\n'))
    const report = await deliver.file({ file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file' })
    expect(report.status).toBe('committed')
    await coordinator.flush()
    expect(runs).toHaveLength(1)
    const built = await queryRows<{ model: string }>(wh.client, 'SELECT model FROM meta.runs WHERE run_id = {id:String} ORDER BY model', { id: runs[0]! })
    expect(built.map((r) => r.model)).toEqual([...modelsForDeliveries(project.models, ['doanh_nghiep'])].sort())
    const [active] = await queryRows<{ n: string }>(wh.client, "SELECT count(DISTINCT enterprise_code) AS n FROM marts.dim_enterprise WHERE enterprise_code IN ({a:String}, {b:String})", { a: a!, b: b! })
    expect(Number(active!.n)).toBe(2)
    // The enterprise dimension took only the delivery's two keys, and the enterprises' events only theirs.
    expect(outcomes[0]!.run.results.find((r) => r.model === 'dim_enterprise')).toMatchObject({ status: 'success', how: 'keys', changedKeys: { column: 'enterprise_code', count: 2 } })
    expect(outcomes[0]!.run.results.find((r) => r.model === 'fct_enterprise_event')).toMatchObject({ status: 'success', how: 'keys', changedKeys: { column: 'enterprise_code', count: 2 } })
    expect(await queryRows(wh.client, 'SELECT event FROM marts.fct_enterprise_event WHERE enterprise_code IN ({a:String}, {b:String})', { a: a!, b: b! })).toEqual([{ event: 'registered' }, { event: 'registered' }])

    const afterDelivery = await snapshot()
    const started = Date.now()
    // Rebuilt from every load: the incremental models (std, the change arrivals) end where this does.
    const full = await runModels(wh, project, { fullRefresh: true })
    const durations = await queryRows<{ ms: string }>(wh.client, 'SELECT toString(sum(duration_ms)) AS ms FROM meta.runs WHERE run_id = {id:String}', { id: runs[0]! })
    console.info(`after the delivery: ${built.length} of ${project.models.size} models in ${durations[0]!.ms} ms; a full run: ${Date.now() - started} ms (demo scale 0.05)`)
    expect(full.results.filter((r) => r.status !== 'success')).toEqual([])
    expect(await snapshot()).toEqual(afterDelivery)
    await coordinator.stop()
  }, 180_000)

  it("a population-register delivery updates the citizens' dimension by key, tests those keys, and ends where a full rebuild ends", async () => {
    const outcomes: TransformOutcome[] = []
    const coordinator = new TransformCoordinator(wh, project, (o) => void outcomes.push(o))
    const deliver = deliverer({ wh, catalog: () => catalog, paths, onCommitted: (r) => coordinator.request(60_000, [r.dataset]) })
    // Two insured residents of working age come again with a later update date: one moved to
    // another commune, the other's birth date corrected out of working age — the counts by commune
    // and age band change, and follow by difference.
    const movers = await queryRows<{ id_number: string; full_name: string; birth_date: string; gender: string; commune_code: string }>(
      wh.client,
      `SELECT id_number, full_name, formatDateTime(c.birth_date, '%d/%m/%Y') AS birth_date, gender, commune_code FROM marts.dim_citizen AS c
       WHERE id_kind = 'cccd' AND full_name != '' AND dateDiff('year', c.birth_date, today()) BETWEEN 20 AND 50 AND id_number IN (SELECT cccd FROM marts.dim_insured)
       ORDER BY id_number LIMIT 2`,
    )
    expect(movers).toHaveLength(2)
    const [elsewhere] = await queryRows<{ code: string }>(wh.client, "SELECT code FROM marts.dim_admin_unit WHERE level = 'commune' AND code != {c:String} ORDER BY code LIMIT 1", { c: movers[0]!.commune_code })
    const file = path.join(home, 'dan_cu_chuyen_den.csv')
    const header = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật'
    const line = (p: (typeof movers)[number], born: string, commune: string) => `${p.id_number},${p.full_name},${born},${p.gender === 'nam' ? 'Nam' : 'Nữ'},${commune},Số 9 đường Chuyển Đến,27/11/2026`
    fs.writeFileSync(file, [header, line(movers[0]!, movers[0]!.birth_date, elsewhere!.code), line(movers[1]!, '01/01/1950', movers[1]!.commune_code)].join('\n'))
    const counts = () => queryRows(wh.client, 'SELECT * FROM marts.agg_people_commune ORDER BY commune_code')
    const countsBefore = await counts()
    const report = await deliver.file({ file, dataset: 'dan_cu', agency: 'CA_TINH', channel: 'file' })
    expect(report).toMatchObject({ status: 'committed', rowsLoaded: 2 })
    await coordinator.flush()
    expect(outcomes).toHaveLength(1)
    const { run, tests } = outcomes[0]!
    expect(run.results.find((r) => r.model === 'dim_citizen')).toMatchObject({ status: 'success', how: 'keys', changedKeys: { column: 'id_number', count: 2 } })
    // The counts over residents took the two residents' difference, not a count of everyone.
    for (const model of ['agg_people_commune', 'fct_population']) expect(run.results.find((r) => r.model === model), model).toMatchObject({ status: 'success', how: 'difference' })
    expect(await counts()).not.toEqual(countsBefore)
    // The tables as they were before the keyed update are gone with the run.
    expect(await queryRows(wh.client, "SELECT name FROM system.tables WHERE name LIKE '%\\_\\_before'")).toEqual([])
    expect(tests.results.filter((r) => r.model === 'dim_citizen').map((r) => `${r.test}:${r.status}`)).toEqual(['not_null(id_number):pass', 'unique(id_number):pass'])
    const moved = await queryRows<{ address: string }>(wh.client, 'SELECT address FROM marts.dim_citizen WHERE id_number IN ({a:String}, {b:String})', { a: movers[0]!.id_number, b: movers[1]!.id_number })
    expect(moved).toEqual([{ address: 'Số 9 đường Chuyển Đến' }, { address: 'Số 9 đường Chuyển Đến' }])
    const afterDelivery = await snapshot()
    const full = await runModels(wh, project, { fullRefresh: true })
    expect(full.results.filter((r) => r.status !== 'success')).toEqual([])
    expect(await snapshot()).toEqual(afterDelivery)
    await coordinator.stop()
  }, 180_000)

  it('deliveries committed while a run builds make one run after it, covering all of them', async () => {
    const runs: { select: string[] }[] = []
    const coordinator = new TransformCoordinator(wh, project, (o) => void runs.push({ select: o.run.results.map((r) => r.model).sort() }))
    coordinator.request(0, ['doanh_nghiep'])
    // Wait until the first run is building, then three deliveries of two datasets arrive.
    await expect.poll(() => coordinator.running, { timeout: 10_000, interval: 5 }).toBe(true)
    const pause = () => new Promise((r) => setTimeout(r, 20))
    for (const dataset of ['dan_cu', 'bhxh_tham_gia', 'dan_cu']) {
      coordinator.request(0, [dataset])
      await pause() // each request's delay passes while the first run still builds
    }
    expect(coordinator.running).toBe(true)
    await coordinator.flush()
    expect(runs).toHaveLength(2)
    expect(runs[0]!.select).toEqual([...modelsForDeliveries(project.models, ['doanh_nghiep'])].sort())
    expect(runs[1]!.select).toEqual([...modelsForDeliveries(project.models, ['dan_cu', 'bhxh_tham_gia'])].sort())
    await coordinator.stop()
  }, 180_000)
})
