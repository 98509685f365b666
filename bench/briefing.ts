/**
 * npm run bench:briefing — the quarterly KT-XH briefing (summary, one sheet per sector, 99 communes ×
 * 48 indicators, submissions, quality: 14 sheets) built from the demo province at scale 10
 * (BENCH_SCALE to change), against the same semantic-layer queries without the workbook (the
 * baseline, in the same process). Cold runs: the result cache is cleared before each.
 *
 * Last line: RESULT {"seconds", "sheets", "queries_seconds", "ratio", "seconds_ok"}
 */
import { loadConfig } from '../infra/config.ts'
import { cubeContextOf } from '../infra/app/service/context.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { periodFromCode } from '../dashboards/briefings/briefing-period.ts'
import { buildBriefing } from '../dashboards/briefings/build-briefing.ts'
import { communeQuery, kpiQuery, qualityQuery, submissionQuery } from '../dashboards/briefings/briefing-queries.ts'
import { runQuery } from '../semantic/api/cube-api.ts'
import { validateQuery } from '../semantic/cube/cube-query.ts'
import { ResultCache } from '../semantic/cube/result-cache.ts'

const scale = process.env.BENCH_SCALE ?? '10'
const ROUNDS = 5
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const service = await startService(
  loadConfig({ ...process.env, KHO_HOME: tempDir('kho-bench-briefing-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: scale, KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0' }),
)
await service.demoDone
console.log(`demo at scale ${scale} ready`)

const { catalog } = service.ctx.model.now
const briefing = service.ctx.dashboards.briefings.find((b) => b.id === 'kt_xh_quy')!
const period = periodFromCode('2026-Q3')!
const fresh = () => ({ ...cubeContextOf(service.ctx), cache: new ResultCache<Record<string, unknown>[]>() })
const sec = { account: 'bench', role: 'leader' as const, agency: '', communeCode: '', personalData: false, purpose: '' }

const build: number[] = []
const queries: number[] = []
let sheets = 0
for (let i = 0; i < ROUNDS; i++) {
  let t = performance.now()
  const codes = catalog.indicators.map((x) => x.code)
  const cube = fresh()
  for (const q of [kpiQuery(codes, period), communeQuery(codes, period), submissionQuery(period), qualityQuery(period)]) await runQuery(cube, validateQuery(cube.model, q), sec)
  queries.push((performance.now() - t) / 1000)
  t = performance.now()
  const built = await buildBriefing({ cube: fresh(), catalog, ioc: service.ctx.dashboards.ioc }, briefing, period)
  build.push((performance.now() - t) / 1000)
  sheets = built.sheets.length
}
await service.stop()

const seconds = median(build)
const queriesSeconds = median(queries)
console.log(`briefing (${sheets} sheets): median ${seconds.toFixed(2)} s over ${ROUNDS} cold builds; the same queries alone: ${queriesSeconds.toFixed(2)} s`)
console.log('RESULT ' + JSON.stringify({ scale: Number(scale), seconds: Number(seconds.toFixed(3)), sheets, queries_seconds: Number(queriesSeconds.toFixed(3)), ratio: Number((seconds / queriesSeconds).toFixed(2)), seconds_ok: seconds < 5 }))
