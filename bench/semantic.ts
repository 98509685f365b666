/**
 * npm run bench:semantic — 20 dashboard queries through the Cube-compatible API (HTTP, with
 * authentication, policy, audit) against the same generated SQL run directly on the warehouse, in
 * the same process, on the demo province at scale 10 (BENCH_SCALE to change).
 *
 * Last line: RESULT {"p50_overhead_ms", "p95_overhead_ms", "overhead_ok", "cached_p95_ms", ...}
 */
import fs from 'node:fs'
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { signJwt } from '../infra/access/tokens.ts'
import { buildSql, validateQuery } from '../semantic/cube/cube-query.ts'

const scale = process.env.BENCH_SCALE ?? '10'
const ROUNDS = 7
const home = tempDir('kho-bench-semantic-')
const service = await startService(
  loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: scale, KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0' }),
)
await service.demoDone
console.log(`demo at scale ${scale} ready`)

const indicator = (code: string) => ({ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] })
const quarter = (dateRange: [string, string]) => [{ dimension: 'kt_xh.period_start', granularity: 'quarter', dateRange }]
const QUERIES: Record<string, unknown>[] = [
  ...['RETAIL_SALES', 'EXPORT_VAL', 'BUDGET_REV', 'ENT_ACTIVE', 'POP_RESIDENT', 'POVERTY_RATE', 'CPI', 'GRDP_CUR'].map((code) => ({
    measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.prior_year', 'kt_xh.growth_pct', 'kt_xh.ytd'],
    timeDimensions: quarter(['2026-07-01', '2026-09-30']),
    filters: [indicator(code)],
  })),
  ...['RETAIL_SALES', 'TOURIST_TOTAL', 'ENT_NEW'].map((code) => ({
    measures: ['kt_xh.value', 'kt_xh.prior_year'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: ['2026-01-01', '2026-10-31'] }],
    filters: [indicator(code)],
  })),
  ...['ENT_NEW', 'TRAFFIC_ACC', 'DVC_FULL_ONLINE'].map((code) => ({
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2026-01-01', '2026-09-30'] }],
    filters: [indicator(code), { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }],
    order: { 'kt_xh.value': 'desc' },
    limit: 10,
  })),
  { measures: ['submissions.obligations', 'submissions.on_time', 'submissions.late', 'submissions.missing'], dimensions: ['submissions.agency'] },
  { measures: ['enterprises.count', 'enterprises.capital'], dimensions: ['enterprises.status'] },
  { measures: ['enterprises.active'], dimensions: ['enterprises.commune_code'], order: { 'enterprises.active': 'desc' }, limit: 20 },
  { measures: ['population.people'], dimensions: ['population.age_band', 'population.gender'] },
  { measures: ['kt_xh.value', 'kt_xh.plan'], dimensions: ['kt_xh.indicators_sector', 'kt_xh.indicator_code'], timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2025-01-01', '2025-12-31'] }], filters: [{ member: 'kt_xh.unit_level', operator: 'equals', values: ['province'] }] },
  { measures: ['kt_xh.reports'], dimensions: ['kt_xh.agency'], timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'year' }] },
]
if (QUERIES.length !== 20) throw new Error(`expected 20 queries, have ${QUERIES.length}`)

const auth = signJwt({ role: 'analyst', sub: 'bench' }, service.ctx.secret)
async function viaApi(query: unknown): Promise<number> {
  const t = performance.now()
  const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  if (res.status !== 200) throw new Error(`API ${res.status}: ${await res.text()}`)
  await res.json()
  return performance.now() - t
}
async function direct(query: unknown): Promise<number> {
  const built = buildSql(service.ctx.model.now.semantic, validateQuery(service.ctx.model.now.semantic, query))
  const t = performance.now()
  await queryRows(service.ctx.wh.client, built.sql, built.params)
  return performance.now() - t
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const apiTimes: number[] = []
const directTimes: number[] = []
for (const q of QUERIES) await viaApi({ ...q, renewQuery: true }) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const q of QUERIES) {
    // Alternate the order so neither side always runs on a warmer engine.
    if (round % 2) {
      directTimes.push(await direct(q))
      apiTimes.push(await viaApi({ ...q, renewQuery: true }))
    } else {
      apiTimes.push(await viaApi({ ...q, renewQuery: true }))
      directTimes.push(await direct(q))
    }
  }
}
const cachedTimes: number[] = []
for (const q of QUERIES) await viaApi(q)
for (let round = 0; round < ROUNDS; round++) for (const q of QUERIES) cachedTimes.push(await viaApi(q))

const [a50, a95, d50, d95] = [percentile(apiTimes, 50), percentile(apiTimes, 95), percentile(directTimes, 50), percentile(directTimes, 95)]
const result = {
  scale: Number(scale),
  queries: QUERIES.length,
  api_p50_ms: Number(a50.toFixed(2)),
  direct_p50_ms: Number(d50.toFixed(2)),
  api_p95_ms: Number(a95.toFixed(2)),
  direct_p95_ms: Number(d95.toFixed(2)),
  p50_overhead_ms: Number((a50 - d50).toFixed(2)),
  p95_overhead_ms: Number((a95 - d95).toFixed(2)),
  overhead_ok: a50 <= d50 * 1.1 + 5 && a95 <= d95 * 1.1 + 5,
  cached_p95_ms: Number(percentile(cachedTimes, 95).toFixed(2)),
}
await service.stop()
fs.rmSync(home, { recursive: true, force: true })
console.log('RESULT ' + JSON.stringify(result))
