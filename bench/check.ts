/**
 * npm run bench:check — the quick benchmarks in one run, so a regression shows the day it happens:
 * each runs as `npm run bench:<name>` would (a process of its own, small scales), and each figure
 * is printed beside its target and beside the figure last recorded in bench/figures.json. A figure
 * that misses its target, or is more than 20% worse than recorded, is printed as a regression.
 *
 * bench/figures.json is updated by hand (`--record` writes this run's figures into it), with the
 * note that explains the change. CI times nothing; run this before each stop and report its table.
 *
 * BENCH_CHECK=load,start runs only those. Each benchmark's own figure is already a ratio against
 * a baseline run in its process; this adds the comparison across days.
 *
 * Last line: RESULT {"figures": {name: value}, "regressions": [name], "missing": [bench]}
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

const root = path.resolve(import.meta.dirname, '..')
const figuresFile = path.join(import.meta.dirname, 'figures.json')

/** Worse is higher (seconds, milliseconds) or lower (ratios of pace, rows a second). */
type Better = 'lower' | 'higher'

interface Figure {
  /** The RESULT field. */
  key: string
  label: string
  better: Better
  /** The issue's target, when there is one. */
  target?: number
  unit: string
}

interface Bench {
  name: string
  env: Record<string, string>
  figures: Figure[]
}

/** The quick set: small scales, so the whole check takes minutes, not an hour. */
const BENCHES: Bench[] = [
  {
    name: 'load',
    // Six rounds: each of the three statements goes first in two (bench/load.ts rotates them).
    env: { BENCH_ROUNDS: '6' },
    figures: [
      { key: 'ratio_same_work', label: 'load pace vs the same work in one statement (median of 6)', better: 'higher', target: 0.8, unit: '×' },
      { key: 'kho_rows_per_s', label: '1M-row CSV, checked load', better: 'higher', unit: 'rows/s' },
      { key: 'xlsx_rows_per_s', label: '100k-row XLSX load', better: 'higher', unit: 'rows/s' },
    ],
  },
  {
    name: 'start',
    env: { BENCH_SCALE: '1', BENCH_RUNS: '3' },
    figures: [
      { key: 'ready_s', label: 'fresh start, demo ready (median of 3)', better: 'lower', target: 30, unit: 's' },
      { key: 'serving_s', label: 'fresh start, serving', better: 'lower', unit: 's' },
    ],
  },
  {
    name: 'transforms',
    env: { BENCH_SCALE: '1' },
    figures: [
      { key: 'total_s', label: 'full rebuild of every model, scale 1', better: 'lower', unit: 's' },
      { key: 'ratio', label: 'largest model via the runner vs plain CREATE … AS SELECT', better: 'lower', target: 1.2, unit: '×' },
    ],
  },
  {
    name: 'semantic',
    env: { BENCH_SCALE: '1' },
    figures: [
      { key: 'p95_overhead_ms', label: 'API p95 over the same SQL run directly, scale 1', better: 'lower', unit: 'ms' },
      { key: 'cached_p95_ms', label: 'API p95, answers cached', better: 'lower', unit: 'ms' },
    ],
  },
  {
    name: 'briefing',
    env: { BENCH_SCALE: '1' },
    figures: [{ key: 'seconds', label: 'quarterly briefing built cold, scale 1', better: 'lower', target: 5, unit: 's' }],
  },
  // Named by their issues; checked once their benchmarks exist.
  { name: 'ask', env: { BENCH_SCALE: '1' }, figures: [{ key: 'p95_ms', label: 'a question in words answered (p95), warm demo', better: 'lower', target: 100, unit: 'ms' }] },
  {
    name: 'sql',
    env: { BENCH_SCALE: '1' },
    figures: [
      { key: 'ratio_p50', label: 'a query through psycopg vs the same through REST (p50)', better: 'lower', target: 2, unit: '×' },
      { key: 'sql_p50_ms', label: 'a query through psycopg (p50), warm demo', better: 'lower', unit: 'ms' },
    ],
  },
  { name: 'trace', env: { BENCH_SCALE: '1' }, figures: [{ key: 'p95_ms', label: "a tile's or a cell's source traced (p95), cache emptied", better: 'lower', target: 200, unit: 'ms' }] },
]

/** How much worse than recorded counts as a regression. */
const TOLERANCE = 0.2

interface Recorded {
  value: number
  date: string
  note?: string
}
type FiguresFile = Record<string, Recorded>

/** Runs one benchmark as its npm script would and gives its RESULT, its output passed through. */
function runBench(bench: Bench): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${bench.name}.ts`)], {
      cwd: root,
      env: { ...process.env, ...bench.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let result: Record<string, unknown> | null = null
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      process.stdout.write(`  [${bench.name}] ${line}\n`)
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>
    })
    child.on('close', (code) => resolve(code === 0 ? result : null))
  })
}

export interface Verdict {
  regression: boolean
  why: string
}

/** A figure against its target and its last recorded value. */
export function judge(figure: Pick<Figure, 'better' | 'target'>, value: number, recorded?: number): Verdict {
  const worse = (a: number, b: number) => (figure.better === 'lower' ? a > b : a < b)
  if (figure.target !== undefined && worse(value, figure.target)) return { regression: true, why: 'misses its target' }
  if (recorded !== undefined && recorded !== 0) {
    const change = (value - recorded) / Math.abs(recorded)
    const worseBy = figure.better === 'lower' ? change : -change
    if (worseBy > TOLERANCE) return { regression: true, why: `${Math.round(worseBy * 100)}% worse than recorded` }
  }
  return { regression: false, why: 'ok' }
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length))
const show = (v: number | undefined) => (v === undefined ? '—' : String(v))

async function main() {
  const only = process.env.BENCH_CHECK?.split(',').map((s) => s.trim())
  const recorded: FiguresFile = fs.existsSync(figuresFile) ? (JSON.parse(fs.readFileSync(figuresFile, 'utf8')) as FiguresFile) : {}
  const figures: Record<string, number> = {}
  const regressions: string[] = []
  const missing: string[] = []
  const lines: string[][] = []
  for (const bench of BENCHES) {
    if (only && !only.includes(bench.name)) continue
    if (!fs.existsSync(path.join(root, 'bench', `${bench.name}.ts`))) {
      missing.push(bench.name)
      lines.push([`${bench.name}`, 'not built yet', '', '', '', ''])
      continue
    }
    console.log(`— bench:${bench.name} ${Object.entries(bench.env).map(([k, v]) => `${k}=${v}`).join(' ')}`)
    const result = await runBench(bench)
    for (const figure of bench.figures) {
      const name = `${bench.name}.${figure.key}`
      const value = result?.[figure.key]
      if (typeof value !== 'number') {
        regressions.push(name)
        lines.push([name, 'no figure (the benchmark failed)', '', '', '', 'REGRESSION'])
        continue
      }
      figures[name] = value
      const before = recorded[name]?.value
      const verdict = judge(figure, value, before)
      if (verdict.regression) regressions.push(name)
      const target = figure.target === undefined ? '—' : `${figure.better === 'lower' ? '≤' : '≥'} ${figure.target}`
      lines.push([name, `${value} ${figure.unit}`, target, show(before), figure.label, verdict.regression ? `REGRESSION: ${verdict.why}` : 'ok'])
    }
  }
  const header = ['figure', 'now', 'target', 'recorded', 'what', 'verdict']
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => [...(l[i] ?? '')].length)))
  console.log('')
  for (const row of [header, ...lines]) console.log(row.map((c, i) => pad(c, widths[i]!)).join('  '))
  if (process.argv.includes('--record')) {
    const date = new Date().toISOString().slice(0, 10)
    for (const [name, value] of Object.entries(figures)) recorded[name] = { value, date, note: recorded[name]?.note }
    fs.writeFileSync(figuresFile, JSON.stringify(recorded, null, 2) + '\n')
    console.log(`\nrecorded in ${path.relative(root, figuresFile)}: add the note that explains each change`)
  }
  console.log('RESULT ' + JSON.stringify({ figures, regressions, missing }))
  process.exitCode = regressions.length ? 1 : 0
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main()
