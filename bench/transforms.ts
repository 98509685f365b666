/**
 * npm run bench:transforms — a full rebuild of every model on the demo province at scale 10
 * (BENCH_SCALE to change), and the largest model's build through the runner against the same
 * result built by one plain CREATE TABLE … AS SELECT, in the same process.
 *
 * Last line: RESULT {"total_s", "model", "ratio", ...}
 */
import fs from 'node:fs'
import path from 'node:path'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { syncCatalog } from '../infra/catalog/sync-catalog.ts'
import { seedDemo } from '../infra/app/demo/seed-demo.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../infra/warehouse/client.ts'
import { migrate } from '../infra/warehouse/migrate.ts'
import { catalogProject } from '../transforms/project/project.ts'
import { runModels } from '../transforms/runner/run.ts'
import { compileModel, tableName } from '../transforms/runner/compile.ts'
import { deliverer } from '../loaders/deliver.ts'
import { pathsUnder } from '../infra/config.ts'

const scale = Number(process.env.BENCH_SCALE ?? 10)
const home = tempDir('kho-bench-transforms-')
const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
const catalog = loadCatalog()
await migrate(wh)
await syncCatalog(wh, catalog)
const paths = pathsUnder(home)
const seeded = await seedDemo({ wh, catalog, deliver: deliverer({ wh, catalog: () => catalog, paths, onCommitted: () => {} }), demoDir: paths.demo, scale, asOf: new Date('2026-11-22T00:00:00Z') })
console.log(`demo at scale ${scale}: ${seeded.rowsLoaded} rows loaded in ${(seeded.durationMs / 1000).toFixed(1)} s`)

const project = catalogProject(catalog)
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now()
  const value = await work()
  return [value, (performance.now() - t) / 1000]
}

// Full rebuilds, best of two.
const totals: number[] = []
let results: Awaited<ReturnType<typeof runModels>>['results'] = []
for (let i = 0; i < 2; i++) {
  const [run, seconds] = await timed(() => runModels(wh, project, { fullRefresh: true }))
  const failed = run.results.filter((r) => r.status !== 'success')
  if (failed.length) throw new Error(`models failed: ${failed.map((f) => `${f.model}: ${f.error}`).join('; ')}`)
  totals.push(seconds)
  results = run.results
  console.log(`full rebuild ${i + 1}: ${seconds.toFixed(2)} s`)
}
const largest = [...results].sort((a, b) => b.rows - a.rows)[0]!
const model = project.models.get(largest.model)!

// The same result by hand: one CREATE TABLE … AS SELECT of the model's SQL, no runner around it.
const keys = model.config.materialized === 'incremental' ? model.config.unique_key! : (model.config.order_by ?? [])
const engine = model.config.materialized === 'incremental' ? `ReplacingMergeTree(${model.config.version ?? ''})` : 'MergeTree'
const handTimes: number[] = []
const runnerTimes: number[] = []
for (let i = 0; i < 3; i++) {
  const [, hand] = await timed(async () => {
    await wh.client.command({ query: `DROP TABLE IF EXISTS ${tableName(model, '__hand')} SYNC` })
    await wh.client.command({ query: `CREATE TABLE ${tableName(model, '__hand')} ENGINE = ${engine} ORDER BY (${keys.join(', ')}) AS ${compileModel(model, project)}` })
  })
  handTimes.push(hand)
  const [, viaRunner] = await timed(() => runModels(wh, project, { select: [model.name], fullRefresh: true }))
  runnerTimes.push(viaRunner)
}
const [check] = await queryRows<{ a: number; b: number }>(wh.client, `SELECT (SELECT count() FROM ${tableName(model)}) AS a, (SELECT count() FROM ${tableName(model, '__hand')}) AS b`)
if (Number(check!.a) !== Number(check!.b)) throw new Error(`runner and hand-written builds differ: ${check!.a} vs ${check!.b} rows`)

const best = (xs: number[]) => Math.min(...xs)
const result = {
  scale,
  total_s: Number(best(totals).toFixed(2)),
  models: results.length,
  model: model.name,
  model_rows: largest.rows,
  model_runner_s: Number(best(runnerTimes).toFixed(3)),
  model_hand_s: Number(best(handTimes).toFixed(3)),
  ratio: Number((best(runnerTimes) / best(handTimes)).toFixed(3)),
}
await wh.close()
fs.rmSync(home, { recursive: true, force: true })
console.log('RESULT ' + JSON.stringify(result))
