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
import { CITIZENS_PER_SCALE, ENTERPRISES_PER_SCALE } from '../infra/app/demo/write-demo.ts'
import { Random } from '../infra/app/demo/random.ts'
import { communeRanking, latestMonths, monthlySeries, tiles } from './ioc-queries.ts'

const DELIVERY_ROWS = 10_000
const BENCH_NAME = 'Công ty TNHH Kiểm thử quy mô'
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

    // A 10,000-row delivery of the business register's changes, through the one delivery path.
    const file = path.join(home, 'doanh_nghiep_thay_doi.csv')
    const out = new DelimitedFile(file, DOANH_NGHIEP_HEADER, { delimiter: ';' })
    const codes = new Set<string>()
    const today = new Date()
    const dd = `${String(today.getUTCDate()).padStart(2, '0')}/${String(today.getUTCMonth() + 1).padStart(2, '0')}/${today.getUTCFullYear()}`
    for (const { rows } of generateEnterprises(new Random(4242), communesOf(ctx.catalog.province.code), DELIVERY_ROWS * 2, today, new Map(), emptyEnterpriseDefects())) {
      const row = rows[0]!
      if (codes.size >= DELIVERY_ROWS || codes.has(row[0]!) || !parseEnterpriseCode(row[0]!).ok) continue
      codes.add(row[0]!)
      out.row([row[0]!, `${BENCH_NAME} ${codes.size}`, row[2]!, row[3]!, row[4]!, row[5]!, row[6]!, dd])
    }
    out.close()
    const current = async () => {
      const [n] = await queryRows<{ n: string }>(ctx.wh.client, `SELECT count() AS n FROM marts.dim_enterprise WHERE startsWith(name, {p:String})`, { p: BENCH_NAME })
      return Number(n!.n)
    }
    const t = performance.now()
    const report = await ctx.deliver.file({ file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'push', deliveredAt: new Date() })
    if (report.status !== 'committed') throw new Error(`the delivery was ${report.status}: ${report.refusal?.en ?? ''}`)
    while ((await current()) < codes.size) {
      if (seconds(t) > 600) throw new Error('the marts did not reflect the delivery within 600 s')
      await new Promise((r) => setTimeout(r, 50))
    }
    const deliveryCurrent = seconds(t)
    await ctx.transforms.flush()
    const deliveryModels = ctx.transforms.last?.run.results.length ?? 0
    console.log(`${report.rowsLoaded}-row delivery in the marts after ${deliveryCurrent} s (${deliveryModels} models built)`)

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
      delivery_rows: report.rowsLoaded,
      delivery_current_s: deliveryCurrent,
      delivery_models: deliveryModels,
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
