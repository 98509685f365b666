/**
 * npm run bench:dashboards — the IOC overview in Debian's Chromium against the service with the demo
 * province at scale 10 (BENCH_SCALE to change): time from opening the page to every tile filled,
 * against the same queries answered by the API alone (the baseline, in the same process), and the
 * gzipped JavaScript the overview route loads. Needs `npm run build` first.
 *
 * Last line: RESULT {"overview_ready_ms", "api_ms", "ratio", "ready_ok", "overview_js_gzip_kb", "size_ok", ...}
 */
import { gzipSync } from 'node:zlib'
import { launchBrowser, signIn } from '../dashboards/testing/browser.ts'
import { loadConfig } from '../infra/config.ts'
import { startService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { latestMonths, tiles } from './ioc-queries.ts'

const scale = process.env.BENCH_SCALE ?? '10'
const ROUNDS = 7
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const service = await startService(
  loadConfig({ ...process.env, KHO_HOME: tempDir('kho-bench-ui-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: scale, KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0' }),
)
await service.demoDone
console.log(`demo at scale ${scale} ready`)

const login = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lanhdao', password: 'kho-demo-2026' }) })
const token = ((await login.json()) as { token: string }).token
const ioc = (await (await fetch(`${service.url}/api/dashboards/ioc`, { headers: { authorization: token } })).json()) as { headline: string[] }

/** What the overview asks before its tiles are filled: config, dictionary, months, then the tiles. */
async function apiOnly(): Promise<number> {
  const started = performance.now()
  const load = (query: unknown) => fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json())
  const [, , months] = await Promise.all([
    fetch(`${service.url}/api/dashboards/ioc`, { headers: { authorization: token } }).then((r) => r.json()),
    fetch(`${service.url}/api/catalog/indicators`).then((r) => r.json()),
    load(latestMonths),
  ])
  const month = String((months as { data: Record<string, unknown>[] }).data[0]!['kt_xh.period'])
  await load(tiles(ioc.headline, month))
  return performance.now() - started
}

const browser = await launchBrowser()
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
const scripts = new Map<string, number>()
page.on('response', async (res) => {
  if (res.url().endsWith('.js')) scripts.set(res.url(), gzipSync(await res.body()).length)
})
await signIn(page, service.url, 'lanhdao')
await page.waitForSelector('.overview[data-ready=true]')
const overviewJs = [...scripts.values()].reduce((a, b) => a + b, 0) / 1024

const ready: number[] = []
const api: number[] = []
for (let i = 0; i < ROUNDS; i++) {
  api.push(await apiOnly())
  const started = performance.now()
  await page.goto(`${service.url}/`)
  await page.waitForSelector('.overview[data-ready=true]')
  ready.push(performance.now() - started)
}
await browser.close()
await service.stop()

const overviewReadyMs = median(ready)
const apiMs = median(api)
console.log(`overview ready: median ${overviewReadyMs.toFixed(0)} ms over ${ROUNDS} loads (${ready.map((x) => x.toFixed(0)).join(', ')})`)
console.log(`the same queries through the API alone: median ${apiMs.toFixed(0)} ms`)
console.log(`overview JavaScript: ${overviewJs.toFixed(1)} kB gzipped in ${scripts.size} files`)
console.log(
  'RESULT ' +
    JSON.stringify({
      scale: Number(scale),
      overview_ready_ms: Math.round(overviewReadyMs),
      api_ms: Math.round(apiMs),
      ratio: Number((overviewReadyMs / apiMs).toFixed(2)),
      ready_ok: overviewReadyMs < 1500,
      overview_js_gzip_kb: Number(overviewJs.toFixed(1)),
      size_ok: overviewJs < 500,
    }),
)
