/**
 * npm run bench:scale — how kho's costs grow with the province, on this machine. For each scale
 * (BENCH_SCALES, default "1,10,50,100"; scale 100 = 20 million residents, 2 million enterprises) a
 * fresh service process (`--one <scale>`, so its peak memory is its own) starts with the demo at
 * that scale, through the same path as `npm start`, and measures:
 *   - seeding: rows loaded per second (committed demo loads, first start to last finish);
 *   - a full rebuild of every model (best of two);
 *   - a 10,000-row delivery of the business register, then one of the population register, through
 *     the delivery path, each timed until the first mart holds its rows (delivery_first_mart_s,
 *     population_first_mart_s) and until the run it starts has finished every model downstream
 *     (delivery_current_s, population_delivery_current_s), the slowest models printed;
 *   - the IOC overview's queries through the HTTP API as a leader (p50, p95; varied months so the
 *     result cache answers few of them);
 *   - peak RSS of the process (kernel's high-water mark: Node and the embedded ClickHouse).
 * The baseline is scale 1 in the same run: k between two scales is log(cost ratio)/log(scale ratio)
 * (cost ∝ scale^k); k_rebuild and k_query are fitted over all the scales run.
 *
 * Last line: RESULT {"scales": [{scale, seed_rows_per_s, rebuild_s, delivery_current_s, ioc_p50_ms, ioc_p95_ms, peak_rss_gb, …}], "k_rebuild", "k_query", …}
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

const root = path.resolve(import.meta.dirname, '..')

interface ScaleResult {
  delivery_first_mart_s: number
  population_delivery_rows: number
  population_first_mart_s: number
  population_delivery_current_s: number
  population_delivery_models: number
  scale: number
  residents: number
  enterprises: number
  seed_s: number
  seed_rows: number
  seed_rows_per_s: number
  ready_s: number
  rebuild_s: number
  delivery_rows: number
  delivery_current_s: number
  delivery_models: number
  ioc_queries: number
  ioc_p50_ms: number
  ioc_p95_ms: number
  peak_rss_gb: number
  disk_gb: number
}

if (process.argv[2] === '--one') {
  const { measureScale } = await import('./scale-one.ts')
  const result = await measureScale(Number(process.argv[3]))
  console.log(`SCALE ${JSON.stringify(result)}`)
  process.exit(0)
}

/** Runs one scale in its own process; its last SCALE line is the result. */
function runScale(scale: number): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', 'bench/scale.ts', '--one', String(scale)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let result: ScaleResult | null = null
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('SCALE ')) result = JSON.parse(line.slice(6)) as ScaleResult
      else console.log(`  [${scale}] ${line}`)
    })
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`scale ${scale} ended (exit ${code}) without a result`))))
  })
}

/** Least-squares slope of log(cost) on log(scale): cost ∝ scale^k. */
function exponent(points: { scale: number; cost: number }[]): number | null {
  const xs = points.filter((p) => p.cost > 0).map((p) => [Math.log(p.scale), Math.log(p.cost)] as const)
  if (xs.length < 2) return null
  const mx = xs.reduce((a, [x]) => a + x, 0) / xs.length
  const my = xs.reduce((a, [, y]) => a + y, 0) / xs.length
  const sxy = xs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const sxx = xs.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return Math.round((sxy / sxx) * 100) / 100
}

const scales = (process.env.BENCH_SCALES ?? '1,10,50,100').split(',').map(Number)
const results: ScaleResult[] = []
for (const scale of scales) {
  console.log(`scale ${scale}…`)
  const r = await runScale(scale)
  results.push(r)
  console.log(
    `scale ${scale}: ${r.residents.toLocaleString('en')} residents; seeded ${r.seed_rows.toLocaleString('en')} rows in ${r.seed_s} s (${r.seed_rows_per_s.toLocaleString('en')} rows/s), ready ${r.ready_s} s; ` +
      `full rebuild ${r.rebuild_s} s; ${r.delivery_rows.toLocaleString('en')}-row delivery current after ${r.delivery_current_s} s (${r.delivery_models} models); ` +
      `IOC p50 ${r.ioc_p50_ms} ms, p95 ${r.ioc_p95_ms} ms; peak RSS ${r.peak_rss_gb} GB; warehouse and files ${r.disk_gb} GB`,
  )
  fs.writeFileSync(path.join(root, 'bench', '.scale-partial.json'), JSON.stringify(results))
}
fs.rmSync(path.join(root, 'bench', '.scale-partial.json'), { force: true })

const fit = (cost: (r: ScaleResult) => number) => exponent(results.map((r) => ({ scale: r.scale, cost: cost(r) })))
const base = results.find((r) => r.scale === Math.min(...scales))!
const largest = results.find((r) => r.scale === Math.max(...scales))!
console.log(
  'RESULT ' +
    JSON.stringify({
      scales: results,
      k_rebuild: fit((r) => r.rebuild_s),
      k_query: fit((r) => r.ioc_p95_ms),
      k_delivery: fit((r) => r.delivery_current_s),
      k_population_delivery: fit((r) => r.population_delivery_current_s),
      k_seed: fit((r) => r.seed_s),
      k_rss: fit((r) => r.peak_rss_gb),
      baseline_scale: base.scale,
      ratio_rebuild_largest_vs_baseline: Math.round((largest.rebuild_s / base.rebuild_s) * 100) / 100,
      targets: {
        peak_rss_lt_8gb: largest.scale >= 100 ? largest.peak_rss_gb < 8 : null,
        k_rebuild_le_1_1: (fit((r) => r.rebuild_s) ?? 99) <= 1.1,
        delivery_current_le_5s: largest.scale >= 100 ? largest.delivery_current_s <= 5 && largest.population_delivery_current_s <= 5 : null,
        delivery_first_mart_le_5s: largest.scale >= 100 ? largest.delivery_first_mart_s <= 5 && largest.population_first_mart_s <= 5 : null,
        ioc_p95_le_300ms: largest.scale >= 100 ? largest.ioc_p95_ms <= 300 : null,
      },
    }),
)
