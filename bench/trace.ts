/**
 * npm run bench:trace — "Nguồn số liệu" of every IOC tile on the warm demo (scale 1, BENCH_SCALE to
 * change): the overview's tile query through /load as a leader, then POST /api/trace of each tile's
 * row, against /load of the same tile query in the same process. A trace runs several queries (the
 * number, its deliveries, their rows, a ratio's operands, the rows' history) and reads kho's own
 * records (meta.loads, meta.runs); its first run per tile is what a leader waits for, so each tile is
 * traced ROUNDS times with the result cache emptied before each round (target: p95 ≤ 200 ms).
 * Also a population count by commune as an analyst (a count over many rows, split by delivery).
 *
 * Last line: RESULT {"traces", "p50_ms", "p95_ms", "load_p95_ms", "ratio_p95", "target_ok"}
 */
import { startDemoService } from './demo-service.ts'
import { signJwt } from '../infra/access/tokens.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const service = await startDemoService('kho-bench-trace-')
const leader = signJwt({ role: 'leader', sub: 'lanhdao' }, service.ctx.secret)
const analyst = signJwt({ role: 'analyst', sub: 'phantich' }, service.ctx.secret)

const call = async (token: string, method: string, path: string, body?: unknown) => {
  const t = performance.now()
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  const json = (await res.json()) as Record<string, unknown>
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`)
  return { ms: performance.now() - t, json }
}

const { headline } = (await call(leader, 'GET', '/api/dashboards/ioc')).json as { headline: string[] }
// The overview's tile query (dashboards/web/src/features/overview/ioc-queries.ts), for the demo's month.
const tileQuery = (code: string) => ({
  measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct', 'kt_xh.growth_pct'],
  dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
  timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'month', dateRange: ['2025-11-01', '2026-10-31'] }],
  filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [code] }],
  order: [['kt_xh.period', 'desc']],
})
const populationQuery = { measures: ['population.people'], dimensions: ['population.commune_code'], limit: 5 }

const traces: number[] = []
const loads: number[] = []
let traced = 0
for (let round = 0; round < ROUNDS; round++) {
  service.ctx.cache.clear()
  for (const code of headline) {
    const query = tileQuery(code)
    const load = await call(leader, 'POST', '/cubejs-api/v1/load', { query: { ...query, renewQuery: true } })
    loads.push(load.ms)
    const row = (load.json.data as Record<string, unknown>[]).find((r) => r['kt_xh.value'] !== null)
    if (!row) continue
    const t = await call(leader, 'POST', '/api/trace', { query, row })
    traces.push(t.ms)
    if (process.env.BENCH_VERBOSE) console.log(code, t.ms.toFixed(1))
    traced++
    if (round === 0 && (t.json.deliveries as unknown[]).length === 0) throw new Error(`${code}: no delivery traced`)
  }
  const pop = await call(analyst, 'POST', '/cubejs-api/v1/load', { query: populationQuery })
  for (const row of pop.json.data as Record<string, unknown>[]) traces.push((await call(analyst, 'POST', '/api/trace', { query: populationQuery, row })).ms)
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const result = {
  traces: traces.length,
  tiles_traced: traced / ROUNDS,
  p50_ms: Number(pct(traces, 0.5).toFixed(2)),
  p95_ms: Number(pct(traces, 0.95).toFixed(2)),
  load_p95_ms: Number(pct(loads, 0.95).toFixed(2)),
  ratio_p95: Number((pct(traces, 0.95) / pct(loads, 0.95)).toFixed(2)),
  target_ok: pct(traces, 0.95) <= 200,
}
console.log(`${result.traces} traces (${result.tiles_traced} tiles and 5 population cells × ${ROUNDS}): p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms; the tile's /load p95 ${result.load_p95_ms} ms`)
await service.done()
console.log('RESULT ' + JSON.stringify(result))
