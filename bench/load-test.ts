/**
 * npm run bench:load-test — the query API under 50 concurrent users on loopback (bounded: 20 s a
 * run), each with its own session, each running what the dashboards ask (tiles, a trend, a commune
 * ranking, submissions), with cached plans and rollups. In the same process: the same mix by one
 * user alone; the same 50 users with every query compiled by Cube's builder and read from the
 * marts (no plans, no rollups: the baseline of `ratio_vs_compile_each`); and the engine's own
 * ceiling — the SQL those queries compile to (reading the marts), back to back straight on the
 * embedded ClickHouse, no API. The result cache starts cold each run.
 * Demo province at scale 1 (BENCH_SCALE to change); USERS and SECONDS may be set too. The per-user
 * limit (1,200 requests a minute by default) and the sign-ins per address are lifted: every
 * simulated user signs in from 127.0.0.1 and asks ~10 a second, and what is measured is the serving
 * path, not the limiters' refusals.
 *
 * Last line: RESULT {"users", "requests_per_s", "p50_ms", "p99_ms", "errors", "single_user_p50_ms",
 *   "compile_each": {requests_per_s, p50_ms, p99_ms}, "ratio_vs_compile_each", "engine_ceiling_per_s", …}
 */
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { saveAccount } from '../infra/access/accounts.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { PUBLIC } from '../infra/access/caller.ts'
import { buildSql, planCache, planStats, validateQuery } from '../semantic/cube/cube-query.ts'
import { applyPolicy } from '../semantic/policy/view-policy.ts'

const scale = process.env.BENCH_SCALE ?? '1'
const USERS = Number(process.env.USERS ?? 50)
const SECONDS = Number(process.env.SECONDS ?? 20)

const service = await startService(
  loadConfig({ ...process.env, KHO_HOME: tempDir('kho-bench-loadtest-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: scale, KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0', KHO_API_RATE_PER_MIN: '1000000', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '1000' }),
)
await service.demoDone
console.log(`demo at scale ${scale} ready`)

// One account and session per user, as leaders and analysts would sign in.
const tokens: string[] = []
for (let i = 0; i < USERS; i++) {
  const username = `nguoidung${i}`
  await saveAccount(service.ctx.wh, { username, password: 'mat-khau-thu-tai', role: i % 2 ? 'analyst' : 'leader' })
  const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'mat-khau-thu-tai' }) })
  const { token } = (await res.json()) as { token?: string }
  if (!token) throw new Error(`sign-in of ${username} refused (${res.status})`)
  tokens.push(token)
}

const HEADLINE = ['RETAIL_SALES', 'IIP', 'CPI', 'EXPORT_VAL', 'BUDGET_REV', 'ENT_NEW', 'TOURIST_TOTAL', 'TTHC_ONTIME']
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']
/** The i-th request of a user: varied periods and indicators so the cache does not answer everything. */
function request(user: number, i: number): { path: string; body?: unknown } {
  const month = MONTHS[(user + i) % MONTHS.length]!
  const code = HEADLINE[(user * 7 + i) % HEADLINE.length]!
  switch (i % 4) {
    case 0:
      return {
        path: '/cubejs-api/v1/load',
        body: { query: { measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.growth_pct'], dimensions: ['kt_xh.indicator_code'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: HEADLINE }, { member: 'kt_xh.period', operator: 'equals', values: [month] }] } },
      }
    case 1:
      return { path: '/cubejs-api/v1/load', body: { query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.period', 'kt_xh.year'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }, { member: 'kt_xh.year', operator: 'equals', values: ['2025', '2026'] }] } } }
    case 2:
      return {
        path: '/cubejs-api/v1/load',
        body: { query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: [month] }], order: { 'kt_xh.value': 'desc' } } },
      }
    default:
      return { path: '/api/submissions/overdue' }
  }
}

/** Failed answers by status; the first of each is printed. */
const failures: Record<number, number> = {}

async function call(token: string, r: { path: string; body?: unknown }): Promise<{ ms: number; ok: boolean }> {
  const t = performance.now()
  const res = await fetch(service.url + r.path, {
    method: r.body ? 'POST' : 'GET',
    headers: { authorization: token, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    ...(r.body ? { body: JSON.stringify(r.body) } : {}),
  })
  const body = await res.text()
  if (res.status !== 200 && (failures[res.status] = (failures[res.status] ?? 0) + 1) === 1) console.log(`first ${res.status} (${r.path}): ${body.slice(0, 300)}`)
  return { ms: performance.now() - t, ok: res.status === 200 }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

// One user alone, the same mix.
service.ctx.cache.clear()
const single: number[] = []
for (let i = 0; i < 80; i++) single.push((await call(tokens[0]!, request(0, i))).ms)

/** All users at once, each looping until the time is up, from a cold result cache. */
async function crowd() {
  // Cold: a new data version leaves every cached answer behind (the query API's and the portal lists').
  service.ctx.dataVersion++
  service.ctx.cache.clear()
  const latencies: number[] = []
  let errors = 0
  const until = performance.now() + SECONDS * 1000
  const started = performance.now()
  await Promise.all(
    tokens.map(async (token, user) => {
      for (let i = 0; performance.now() < until; i++) {
        const r = await call(token, request(user, i))
        latencies.push(r.ms)
        if (!r.ok) errors++
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  return {
    seconds: Number(elapsed.toFixed(1)),
    requests: latencies.length,
    requests_per_s: Number((latencies.length / elapsed).toFixed(1)),
    p50_ms: Number(pct(latencies, 50).toFixed(1)),
    p99_ms: Number(pct(latencies, 99).toFixed(1)),
    errors,
  }
}

planCache.enabled = false
service.ctx.rollups.enabled = false
const compileEach = await crowd()
console.log(`compiling every query: ${compileEach.requests_per_s}/s, p50 ${compileEach.p50_ms} ms, p99 ${compileEach.p99_ms} ms, ${compileEach.errors} errors`)
planCache.enabled = true
service.ctx.rollups.enabled = true
const hitsBefore = planStats.hits
const planned = await crowd()
const planHits = planStats.hits - hitsBefore

// The engine's ceiling: the SQL of the mix's queries (as the leader's and analyst's policies make
// them) over the marts, back to back on the warehouse, no HTTP, no policy, no cache.
const statements = []
for (let user = 0; user < 2; user++) {
  for (let i = 0; i < 120; i++) {
    const r = request(user, i)
    if (!r.body) continue
    const q = applyPolicy(service.ctx.semantic, validateQuery(service.ctx.semantic, (r.body as { query: unknown }).query), { ...PUBLIC, account: 'bench', role: user % 2 ? 'analyst' : 'leader' }, service.ctx.sharing).query
    statements.push(buildSql(service.ctx.semantic, q, 'rows'))
  }
}
let engineRuns = 0
const engineStarted = performance.now()
while (performance.now() - engineStarted < 5000) {
  const s = statements[engineRuns % statements.length]!
  await queryRows(service.ctx.wh.client, s.sql, s.params)
  engineRuns++
}
const enginePerS = engineRuns / ((performance.now() - engineStarted) / 1000)
await service.stop()

const result = {
  users: USERS,
  ...planned,
  single_user_p50_ms: Number(pct(single, 50).toFixed(1)),
  ratio: Number((planned.p99_ms / pct(single, 50)).toFixed(1)),
  plan_hits: planHits,
  compile_each: compileEach,
  ratio_vs_compile_each: Number((planned.requests_per_s / compileEach.requests_per_s).toFixed(2)),
  engine_ceiling_per_s: Number(enginePerS.toFixed(1)),
}
console.log(`${USERS} users for ${result.seconds} s: ${result.requests} requests, ${result.requests_per_s}/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.errors} errors; one user alone: p50 ${result.single_user_p50_ms} ms`)
console.log(`engine alone, the same statements back to back: ${result.engine_ceiling_per_s}/s`)
console.log('RESULT ' + JSON.stringify(result))
