/**
 * npm run bench:start — what a newcomer's `npm start` costs on a fresh home: the service process
 * (`node --import tsx infra/app/service/main.ts`, the build already done) started with the demo on,
 * timed from spawn to the first answer of /healthz (serving) and to /readyz 200 (the demo loaded and
 * the marts built). The baseline, in the same run: the same process with the demo off, ready once
 * its (empty) marts are built. The service's own log lines give the phases in between.
 * BENCH_SCALE sets the demo scale (1); BENCH_RUNS how many fresh starts of each (3), of which the
 * median is reported (a start is ~40 CPU-seconds on two cores, and this machine's noise is seconds).
 *
 * Last line: RESULT {"ready_s", "serving_s", "baseline_ready_s", "ratio", "runs", "phases"}
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

const scale = process.env.BENCH_SCALE ?? '1'
const root = path.resolve(import.meta.dirname, '..')

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })

const answers = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status
  } catch {
    return 0
  }
}

interface Started {
  serving_s: number
  ready_s: number
  /** Seconds from spawn at which the service logged each message (first time). */
  phases: Record<string, number>
}

async function timeStart(demo: boolean): Promise<Started> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kho-bench-start-'))
  const port = await freePort()
  const t0 = performance.now()
  const seconds = () => Math.round((performance.now() - t0) / 10) / 100
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/app/service/main.ts'], {
    cwd: root,
    env: { ...process.env, KHO_HOME: home, PORT: String(port), HOST: '127.0.0.1', KHO_DEMO: demo ? 'on' : 'off', KHO_DEMO_SCALE: scale, KHO_LOG_FORMAT: 'json', KHO_LOG_LEVEL: 'info', KHO_INBOX_POLL_S: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const phases: Record<string, number> = {}
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; ms?: number; write_ms?: number }
      const msg = entry.msg
      if (msg && !(msg in phases) && !msg.startsWith('incoming') && !msg.startsWith('request')) phases[msg] = seconds()
      // The seed's own split: waiting for (or writing) the demo's files, then loading them.
      if (entry.write_ms !== undefined && entry.ms !== undefined) Object.assign(phases, { 'demo files ready (s into the seed)': entry.write_ms / 1000, 'demo seed (s)': entry.ms / 1000 })
    } catch {
      // not a log line
    }
  })
  let exited = false
  child.on('exit', () => (exited = true))
  const base = `http://127.0.0.1:${port}`
  let serving = -1
  try {
    for (;;) {
      if (exited) throw new Error('the service exited before it was ready')
      if (seconds() > 600) throw new Error('not ready after 600 s')
      if (serving < 0 && (await answers(`${base}/healthz`)) === 200) serving = seconds()
      if (serving >= 0 && (await answers(`${base}/readyz`)) === 200) return { serving_s: serving, ready_s: seconds(), phases }
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => (exited ? r(null) : child.once('exit', r)))
    fs.rmSync(home, { recursive: true, force: true })
  }
}

const runs = Number(process.env.BENCH_RUNS ?? 3)
const median = (starts: Started[]) => [...starts].sort((a, b) => a.ready_s - b.ready_s)[Math.floor(starts.length / 2)]!
const baselines: Started[] = []
const demos: Started[] = []
for (let i = 0; i < runs; i++) {
  const b = await timeStart(false)
  console.log(`demo off: serving ${b.serving_s} s, ready ${b.ready_s} s`)
  baselines.push(b)
  const d = await timeStart(true)
  console.log(`demo on (scale ${scale}): serving ${d.serving_s} s, ready ${d.ready_s} s`)
  demos.push(d)
}
const baseline = median(baselines)
const withDemo = median(demos)
console.log(`median of ${runs}:`)
for (const [msg, s] of Object.entries(withDemo.phases)) console.log(`  ${String(s).padStart(6)} s  ${msg}`)
console.log(
  `RESULT ${JSON.stringify({ ready_s: withDemo.ready_s, serving_s: withDemo.serving_s, baseline_ready_s: baseline.ready_s, ratio: Math.round((withDemo.ready_s / baseline.ready_s) * 100) / 100, scale: Number(scale), runs: demos.map((d) => d.ready_s), phases: withDemo.phases })}`,
)
