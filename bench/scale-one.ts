/**
 * One scale of `npm run bench:scale`, in a process of its own (bench/scale.ts runs it): the service
 * started as `npm start` starts it, with the demo at the given scale, then measured.
 */
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { parseEnterpriseCode } from '../infra/identifiers/enterprise-code.ts'
import { DelimitedFile } from '../infra/app/demo/delimited.ts'
import { DOANH_NGHIEP_HEADER, emptyEnterpriseDefects, generateEnterprises } from '../infra/app/demo/enterprises.ts'
import { DAN_CU_HEADER, emptyCitizenDefects, generateCitizens } from '../infra/app/demo/citizens.ts'
import { CITIZENS_PER_SCALE, ENTERPRISES_PER_SCALE } from '../infra/app/demo/write-demo.ts'
import { Random } from '../infra/app/demo/random.ts'
import { communeRanking, latestMonths, monthlySeries, tiles } from './ioc-queries.ts'
import { statementTimer, swappedIn } from './statement-timer.ts'

const DELIVERY_ROWS = 10_000
const BENCH_NAME = 'Công ty TNHH Kiểm thử quy mô'
const BENCH_ADDRESS = 'Số 1 đường Kiểm thử quy mô'
const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

export async function measureScale(scale: number) {
  const home = tempDir('kho-bench-scale-')
  const started = performance.now()
  const config = loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: String(scale), KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0' })
  const service = await startService(config)
  const { ctx } = service
  try {
    await service.demoDone
    if (ctx.demo.state !== 'ready') throw new Error(`demo not ready: ${ctx.demo.state} ${ctx.demo.error ?? ''}`)
    const ready_s = seconds(started)
    const [seed] = await queryRows<{ rows: string; ms: string }>(
      ctx.wh.client,
      "SELECT sum(rows_loaded) AS rows, dateDiff('millisecond', min(started_at), max(finished_at)) AS ms FROM meta.loads FINAL WHERE channel = 'demo' AND status = 'committed'",
    )
    const seedRows = Number(seed!.rows)
    const seedS = Number(seed!.ms) / 1000
    console.log(`ready after ${ready_s} s; ${seedRows} rows seeded in ${seedS} s`)

    // Full rebuilds of every model, best of two.
    const rebuilds: number[] = []
    for (let i = 0; i < 2; i++) {
      const t = performance.now()
      const outcome = await ctx.transforms.run({ fullRefresh: true })
      const failed = outcome.run.results.filter((r) => r.status !== 'success')
      if (failed.length) throw new Error(`models failed: ${failed.map((f) => `${f.model}: ${f.error}`).join('; ')}`)
      rebuilds.push(seconds(t))
      console.log(`full rebuild: ${rebuilds.at(-1)} s (${outcome.run.results.length} models)`)
    }

    // Each delivery is timed on a settled service, as a delivery in service most often finds it:
    // the work the last run left behind done (its rollups, the alert check it starts, which would
    // otherwise queue on the serial engine beside the delivery's statements) and no part merging.
    // The wait is printed.
    const settle = async () => {
      const t = performance.now()
      await ctx.transforms.flush()
      await ctx.alerts.idle()
      for (;;) {
        const [m] = await queryRows<{ n: number }>(ctx.wh.client, "SELECT count() AS n FROM system.merges WHERE database IN ('raw', 'std', 'marts')")
        if (Number(m!.n) === 0 || seconds(t) > 300) return seconds(t)
        await new Promise((r) => setTimeout(r, 500))
      }
    }

    // Two 10,000-row deliveries through the one delivery path: the business register's changes,
    // then the population register's. Each is timed until the run it starts has finished (every
    // mart downstream current), and until the first mart's table holding its rows was swapped in —
    // seen in the statements the service sent, not by polling the mart: the engine runs one query
    // at a time, so a poll every 50 ms would queue beside the run's statements and slow what it
    // measures. The mart is then asked once whether it shows the rows.
    const today = new Date()
    const dd = `${String(today.getUTCDate()).padStart(2, '0')}/${String(today.getUTCMonth() + 1).padStart(2, '0')}/${today.getUTCFullYear()}`
    const communes = communesOf(ctx.model.now.catalog.province.code)
    const timer = statementTimer(ctx.wh.client)
    const deliver = async (dataset: string, agency: string, file: string, mart: string, shows: () => Promise<boolean>) => {
      console.log(`service settled after ${await settle()} s`)
      timer.start()
      const t = performance.now()
      const report = await ctx.deliver.file({ file, dataset, agency, channel: 'push', deliveredAt: new Date() })
      if (report.status !== 'committed') throw new Error(`the ${dataset} delivery was ${report.status}: ${report.refusal?.en ?? ''}`)
      const since = Date.now() - (performance.now() - t)
      for (;;) {
        const last = ctx.transforms.last
        if (last && Date.parse(last.finishedAt) > since && last.run.results.some((r) => r.model === mart)) break
        if (seconds(t) > 900) throw new Error(`the run after the ${dataset} delivery did not finish within 900 s`)
        await new Promise((r) => setTimeout(r, 20))
      }
      const current = seconds(t)
      const statements = timer.stop()
      const swapped = swappedIn(statements, 'marts', mart)
      if (swapped === null || !(await shows())) throw new Error(`${mart} does not show the ${dataset} delivery after its run`)
      const firstMart = Math.round(swapped / 10) / 100
      const run = ctx.transforms.last!.run.results
      const slowest = [...run].sort((a, b) => b.durationMs - a.durationMs).slice(0, 8).map((r) => `${r.model} ${(r.durationMs / 1000).toFixed(2)} s ${r.status === 'success' ? `(${r.how})` : `(${r.status})`}`)
      console.log(`${report.rowsLoaded}-row ${dataset} delivery: ${mart} shows it after ${firstMart} s, every mart current after ${current} s (${run.length} models; slowest: ${slowest.join(', ')})`)
      const longest = [...statements].sort((a, b) => b.answered - b.sent - (a.answered - a.sent)).slice(0, 6)
      console.log(`  longest statements: ${longest.map((s) => `at ${(s.sent / 1000).toFixed(2)} s ${Math.round(s.answered - s.sent)} ms ${s.sql.slice(0, 90)}`).join('\n    ')}`)
      return { rows: report.rowsLoaded, firstMart, current, models: run.length }
    }

    const enterpriseFile = path.join(home, 'doanh_nghiep_thay_doi.csv')
    const enterprises = new DelimitedFile(enterpriseFile, DOANH_NGHIEP_HEADER, { delimiter: ';' })
    const codes = new Set<string>()
    for (const { rows } of generateEnterprises(new Random(4242), communes, DELIVERY_ROWS * 2, today, new Map(), emptyEnterpriseDefects())) {
      const row = rows[0]!
      if (codes.size >= DELIVERY_ROWS || codes.has(row[0]!) || !parseEnterpriseCode(row[0]!).ok) continue
      codes.add(row[0]!)
      enterprises.row([row[0]!, `${BENCH_NAME} ${codes.size}`, row[2]!, row[3]!, row[4]!, row[5]!, row[6]!, dd])
    }
    enterprises.close()
    // Asked by key (the primary key's index). A mart is swapped whole, so one of the delivery's
    // rows there means all of them are.
    const someCodes = [...codes].filter((c) => c.length === 10).slice(0, 20)
    const business = await deliver('doanh_nghiep', 'SO_TC', enterpriseFile, 'dim_enterprise', async () => {
      const [n] = await queryRows<{ n: string }>(ctx.wh.client, `SELECT count() AS n FROM marts.dim_enterprise WHERE enterprise_code IN {codes:Array(String)} AND startsWith(name, {p:String})`, { codes: someCodes, p: BENCH_NAME })
      return Number(n!.n) > 0
    })

    const citizenFile = path.join(home, 'dan_cu_thay_doi.csv')
    const citizens = new DelimitedFile(citizenFile, DAN_CU_HEADER)
    let people = 0
    const someIds: string[] = []
    for (const row of generateCitizens(new Random(4343), communes, DELIVERY_ROWS, today, new Map(), emptyCitizenDefects())) {
      citizens.row([...row.slice(0, 5), `${BENCH_ADDRESS} ${++people}`, dd])
      if (someIds.length < 20 && /^\d{12}$/.test(row[0]!)) someIds.push(row[0]!)
    }
    citizens.close()
    const population = await deliver('dan_cu', 'CA_TINH', citizenFile, 'dim_citizen', async () => {
      const [n] = await queryRows<{ n: string }>(ctx.wh.client, `SELECT count() AS n FROM marts.dim_citizen WHERE id_number IN {ids:Array(String)} AND startsWith(address, {p:String})`, { ids: someIds, p: BENCH_ADDRESS })
      return Number(n!.n) > 0
    })

    // The IOC overview's queries, as a leader, through HTTP: the months, the headline tiles over a
    // year, the commune ranking and a trend, for each of the 36 months (few answered by the cache).
    const login = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lanhdao', password: 'kho-demo-2026' }) })
    const token = ((await login.json()) as { token: string }).token
    const ioc = (await (await fetch(`${service.url}/api/dashboards/ioc`, { headers: { authorization: token } })).json()) as { headline: string[] }
    const latencies: number[] = []
    const load = async (query: unknown) => {
      const q = performance.now()
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      const body = (await res.json()) as { data: Record<string, unknown>[] }
      if (res.status !== 200) throw new Error(`IOC query answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`)
      latencies.push(performance.now() - q)
      return body.data
    }
    const months = (await load(latestMonths)).map((r) => String(r['kt_xh.period']))
    for (const [i, month] of months.entries()) {
      await load(latestMonths)
      await load(tiles(ioc.headline, month))
      await load(communeRanking('ENT_NEW', month))
      await load(monthlySeries(ioc.headline[i % ioc.headline.length]!))
    }
    const disk = Number(execFileSync('du', ['-sk', home], { encoding: 'utf8' }).split('\t')[0]) / 1024 / 1024
    return {
      scale,
      residents: Math.round(CITIZENS_PER_SCALE * scale),
      enterprises: Math.round(ENTERPRISES_PER_SCALE * scale),
      seed_s: seedS,
      seed_rows: seedRows,
      seed_rows_per_s: Math.round(seedRows / seedS),
      ready_s,
      rebuild_s: Math.min(...rebuilds),
      delivery_rows: business.rows,
      delivery_first_mart_s: business.firstMart,
      delivery_current_s: business.current,
      delivery_models: business.models,
      population_delivery_rows: population.rows,
      population_first_mart_s: population.firstMart,
      population_delivery_current_s: population.current,
      population_delivery_models: population.models,
      ioc_queries: latencies.length,
      ioc_p50_ms: Math.round(pct(latencies, 50) * 10) / 10,
      ioc_p95_ms: Math.round(pct(latencies, 95) * 10) / 10,
      peak_rss_gb: Math.round((process.resourceUsage().maxRSS / 1024 / 1024) * 100) / 100,
      disk_gb: Math.round(disk * 100) / 100,
    }
  } finally {
    await service.stop()
    fs.rmSync(home, { recursive: true, force: true })
  }
}
