/**
 * npm run bench:load-test — the query API under 50 concurrent users on loopback (bounded: 20 s),
 * each with its own session, each running what the dashboards ask (tiles, a trend, a commune
 * ranking, submissions), against the same mix run by one user alone (the baseline, same process).
 * Demo province at scale 1 (BENCH_SCALE to change); USERS and SECONDS may be set too.
 *
 * Last line: RESULT {"users", "requests_per_s", "p50_ms", "p99_ms", "errors", "single_user_p50_ms", "ratio"}
 */
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { saveAccount } from '../infra/access/accounts.ts'

const scale = process.env.BENCH_SCALE ?? '1'
const USERS = Number(process.env.USERS ?? 50)
const SECONDS = Number(process.env.SECONDS ?? 20)

const service = await startService(
  loadConfig({ ...process.env, KHO_HOME: tempDir('kho-bench-loadtest-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: scale, KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0' }),
)
await service.demoDone
console.log(`demo at scale ${scale} ready`)

// One account and session per user, as leaders and analysts would sign in.
const tokens: string[] = []
for (let i = 0; i < USERS; i++) {
  const username = `nguoidung${i}`
  await saveAccount(service.ctx.wh, { username, password: 'mat-khau-thu-tai', role: i % 2 ? 'analyst' : 'leader' })
  const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'mat-khau-thu-tai' }) })
  tokens.push(((await res.json()) as { token: string }).token)
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

async function call(token: string, r: { path: string; body?: unknown }): Promise<{ ms: number; ok: boolean }> {
  const t = performance.now()
  const res = await fetch(service.url + r.path, {
    method: r.body ? 'POST' : 'GET',
    headers: { authorization: token, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    ...(r.body ? { body: JSON.stringify(r.body) } : {}),
  })
  await res.arrayBuffer()
  return { ms: performance.now() - t, ok: res.status === 200 }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

// Baseline: one user alone, the same mix.
const single: number[] = []
for (let i = 0; i < 80; i++) single.push((await call(tokens[0]!, request(0, i))).ms)

// 50 users at once, each looping until the time is up.
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
await service.stop()

const result = {
  users: USERS,
  seconds: Number(elapsed.toFixed(1)),
  requests: latencies.length,
  requests_per_s: Number((latencies.length / elapsed).toFixed(1)),
  p50_ms: Number(pct(latencies, 50).toFixed(1)),
  p99_ms: Number(pct(latencies, 99).toFixed(1)),
  errors,
  single_user_p50_ms: Number(pct(single, 50).toFixed(1)),
  ratio: Number((pct(latencies, 99) / pct(single, 50)).toFixed(1)),
}
console.log(`${USERS} users for ${result.seconds} s: ${result.requests} requests, ${result.requests_per_s}/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${errors} errors; one user alone: p50 ${result.single_user_p50_ms} ms`)
console.log('RESULT ' + JSON.stringify(result))
