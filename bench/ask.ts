/**
 * npm run bench:ask — every question of semantic/ask/questions.yaml asked over HTTP on the warm demo
 * (scale 1, BENCH_SCALE to change), against /load of the same Cube query in the same process: what
 * reading the words and saying the answer costs beside the query it runs.
 *
 * Each question is asked once to warm the cache (as a leader's second look is), then ROUNDS times.
 * Last line: RESULT {"questions", "p50_ms", "p95_ms", "load_p95_ms", "ratio_p95", "target_ok"}
 */
import fs from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { startDemoService } from './demo-service.ts'
import { signJwt } from '../infra/access/tokens.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const service = await startDemoService('kho-bench-ask-')
const token = signJwt({ role: 'leader', sub: 'lanhdao' }, service.ctx.secret)
const questions = (parseYaml(fs.readFileSync('semantic/ask/questions.yaml', 'utf8')) as { q: string }[]).map((e) => e.q)

const post = async (path: string, body: unknown) => {
  const t = performance.now()
  const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json = (await res.json()) as { query?: unknown }
  return { ms: performance.now() - t, json }
}
const ask: number[] = []
const load: number[] = []
for (const q of questions) {
  const first = await post('/api/ask', { question: q })
  const query = first.json.query
  if (query) await post('/cubejs-api/v1/load', { query })
  for (let r = 0; r < ROUNDS; r++) {
    ask.push((await post('/api/ask', { question: q })).ms)
    if (query) load.push((await post('/cubejs-api/v1/load', { query })).ms)
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const result = {
  questions: questions.length,
  p50_ms: Number(pct(ask, 0.5).toFixed(2)),
  p95_ms: Number(pct(ask, 0.95).toFixed(2)),
  load_p95_ms: Number(pct(load, 0.95).toFixed(2)),
  ratio_p95: Number((pct(ask, 0.95) / pct(load, 0.95)).toFixed(2)),
  target_ok: pct(ask, 0.95) <= 100,
}
console.log(`${questions.length} questions × ${ROUNDS}: ask p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms; /load of the same query p95 ${result.load_p95_ms} ms`)
await service.done()
console.log('RESULT ' + JSON.stringify(result))
