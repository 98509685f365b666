/**
 * npm run bench:load-test — the query API under 50 concurrent users on loopback (SECONDS a run,
 * 20 by default), each with its own session, each asking what the dashboards ask (load-mix.ts), the
 * users in a process of their own (load-crowd.ts) so the client side does not share the server's
 * event loop. Runs, each from a cold result cache:
 * - one user alone, then 50 users, with cached plans and rollups held in memory (the headline);
 * - the same 50 users with every query compiled by Cube's builder and read from the marts (no plans,
 *   no rollups), the result cache as for any query;
 * - the same three ways again with every answer computed afresh (`renewQuery: true`, a dashboard's
 *   refresh, or the first minutes after a delivery; the result cache answers nothing): compile each
 *   + marts, plans + rollups read by the engine, plans + rollups in memory. `ratio_vs_compile_each`
 *   is taken here, the one run where the baseline really compiles every query and reads the marts
 *   for it; `ratio_vs_compile_each_cached` is the same ratio over the first two runs, where the
 *   result cache answers nearly every request of both and what remains is per-request work;
 * - the engine's own ceiling: the SQL those queries compile to (reading the marts), back to back
 *   straight on the embedded ClickHouse, no API.
 * Demo province at scale 1 (BENCH_SCALE to change); USERS and SECONDS may be set too. The per-user
 * limit (1,200 requests a minute by default) and the sign-ins per address are lifted: every
 * simulated user signs in from 127.0.0.1 and asks ~10 a second, and what is measured is the serving
 * path, not the limiters' refusals.
 *
 * Last line: RESULT {"users", "requests_per_s", "p50_ms", "p99_ms", "errors", "single_user_p50_ms",
 *   "compile_each": {…}, "fresh": {planned, rollups_in_engine, compile_each}, "ratio_vs_compile_each",
 *   "ratio_vs_compile_each_cached", "memory_vs_engine_rollups", "engine_ceiling_per_s", …}
 */
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { saveAccount } from '../infra/access/accounts.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { PUBLIC } from '../infra/access/caller.ts'
import { buildSql, planCache, planStats, validateQuery } from '../semantic/cube/cube-query.ts'
import { applyPolicy } from '../semantic/policy/view-policy.ts'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { request } from './load-mix.ts'
import type { CrowdOrder, CrowdReport } from './load-crowd.ts'

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

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

/** Users asking the mix in a closed loop, from a process of their own (load-crowd.ts), from a cold result cache. */
async function crowd(users: string[], seconds: number, renew = false) {
  // Cold: a new data version leaves every cached answer behind (the query API's and the portal lists').
  service.ctx.dataVersion++
  service.ctx.cache.clear()
  const child = fork(fileURLToPath(new URL('./load-crowd.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] })
  const order: CrowdOrder = { url: service.url, tokens: users, seconds, renew }
  const report = await new Promise<CrowdReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as CrowdReport))
    child.once('exit', (code) => reject(new Error(`the crowd process ended (${code}) without a report`)))
    child.send(order)
  })
  for (const [status, first] of Object.entries(report.failures)) console.log(`first ${status}: ${first}`)
  const { latencies } = report
  return {
    seconds: Number(report.seconds.toFixed(1)),
    requests: latencies.length,
    requests_per_s: Number((latencies.length / report.seconds).toFixed(1)),
    p50_ms: Number(pct(latencies, 50).toFixed(1)),
    p99_ms: Number(pct(latencies, 99).toFixed(1)),
    errors: report.errors,
  }
}

/** What serves a run: the baseline compiles every query and reads the marts; `memory` off leaves the rollups to the engine. */
function serve(how: { plans: boolean; rollups: boolean; memory?: boolean }) {
  planCache.enabled = how.plans
  service.ctx.rollups.enabled = how.rollups
  service.ctx.rollups.inMemory = how.memory ?? true
}
const line = (name: string, r: Awaited<ReturnType<typeof crowd>>) => console.log(`${name}: ${r.requests_per_s}/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, ${r.errors} errors`)

serve({ plans: true, rollups: true })
const single = await crowd(tokens.slice(0, 1), 4)

serve({ plans: false, rollups: false })
const compileEach = await crowd(tokens, SECONDS)
line('compiling every query, reading the marts', compileEach)
serve({ plans: true, rollups: true })
const hitsBefore = planStats.hits
const memoryBefore = service.ctx.rollups.stats.memory
const planned = await crowd(tokens, SECONDS)
const planHits = planStats.hits - hitsBefore
const memoryAnswers = service.ctx.rollups.stats.memory - memoryBefore
line('plans and rollups', planned)

// Every answer computed afresh (renewQuery, as a dashboard's refresh asks): the result cache
// answers nothing, so what each path costs the engine shows.
serve({ plans: false, rollups: false })
const compileEachFresh = await crowd(tokens, SECONDS, true)
line('fresh answers, compiling every query, reading the marts', compileEachFresh)
serve({ plans: true, rollups: true, memory: false })
const rollupsInEngineFresh = await crowd(tokens, SECONDS, true)
line('fresh answers, plans and rollups read by the engine', rollupsInEngineFresh)
serve({ plans: true, rollups: true })
const plannedFresh = await crowd(tokens, SECONDS, true)
line('fresh answers, plans and rollups held in memory', plannedFresh)

// The engine's ceiling: the SQL of the mix's queries (as the leader's and analyst's policies make
// them) over the marts, back to back on the warehouse, no HTTP, no policy, no cache.
const statements = []
for (let user = 0; user < 2; user++) {
  for (let i = 0; i < 120; i++) {
    const r = request(user, i)
    if (!r.body) continue
    const q = applyPolicy(service.ctx.model.now.semantic, validateQuery(service.ctx.model.now.semantic, r.body.query), { ...PUBLIC, account: 'bench', role: user % 2 ? 'analyst' : 'leader' }, service.ctx.model.now.sharing).query
    statements.push(buildSql(service.ctx.model.now.semantic, q, 'rows'))
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
  single_user_p50_ms: single.p50_ms,
  ratio: Number((planned.p99_ms / single.p50_ms).toFixed(1)),
  plan_hits: planHits,
  memory_answers: memoryAnswers,
  compile_each: compileEach,
  fresh: { planned: plannedFresh, rollups_in_engine: rollupsInEngineFresh, compile_each: compileEachFresh },
  // Where every answer is computed: the baseline compiles each query and reads the marts for it.
  ratio_vs_compile_each: Number((plannedFresh.requests_per_s / compileEachFresh.requests_per_s).toFixed(2)),
  // Where the result cache answers almost everything for both: what is left is each request's own work.
  ratio_vs_compile_each_cached: Number((planned.requests_per_s / compileEach.requests_per_s).toFixed(2)),
  memory_vs_engine_rollups: Number((plannedFresh.requests_per_s / rollupsInEngineFresh.requests_per_s).toFixed(2)),
  engine_ceiling_per_s: Number(enginePerS.toFixed(1)),
}
console.log(`${USERS} users for ${result.seconds} s: ${result.requests} requests, ${result.requests_per_s}/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.errors} errors; one user alone: p50 ${result.single_user_p50_ms} ms`)
console.log(`engine alone, the same statements back to back: ${result.engine_ceiling_per_s}/s`)
console.log('RESULT ' + JSON.stringify(result))
