import fs from 'node:fs'
import path from 'node:path'
import type { Catalog } from '../../catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import type { LoadReport } from '../../../loaders/load-file.ts'
import type { Deliver } from '../../../loaders/deliver.ts'
import { writeDemo, type DemoManifest } from './write-demo.ts'

export interface SeedResult {
  manifest: DemoManifest
  loads: Record<LoadReport['status'], number>
  rowsLoaded: number
  durationMs: number
  /** Of which writing the demo's files. */
  writeMs: number
}

export interface SeedOptions {
  wh: Warehouse
  catalog: Catalog
  /** The one delivery path: the demo's files load as agencies' files would. */
  deliver: Deliver
  /** Where the demo's files are written ($KHO_HOME/demo). */
  demoDir: string
  scale: number
  asOf?: Date
  onProgress?: (done: number, total: number) => void
  /** Stops between two batches of deliveries; what was committed stays, the rest is loaded by the next seed. */
  signal?: AbortSignal
}

const doneMarker = (demoDir: string) => path.join(demoDir, 'loaded.json')

/**
 * Writes the demo province's deliveries and sends each through the loaders, in delivery order,
 * exactly as the agencies' files would arrive. Files already loaded are recognised by their hash,
 * so an interrupted seed is completed by running it again with the same scale and date.
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now()
  const dir = opts.demoDir
  const manifest = await writeDemo(opts.catalog, dir, opts.scale, opts.asOf ?? new Date())
  const writeMs = Date.now() - started
  const loads: SeedResult['loads'] = { committed: 0, duplicate: 0, refused: 0, failed: 0 }
  // Delivered all at once, in delivery order: each file its own load, as if sent one by one, while
  // the small reports of one agency share their writes (loadFiles), so the seed takes seconds.
  const reports = await opts.deliver.files(
    manifest.deliveries.map((d) => ({
      file: path.join(dir, d.file),
      dataset: d.dataset,
      agency: d.agency,
      channel: 'demo' as const,
      deliveredAt: new Date(d.deliveredAt),
      period: d.period,
    })),
    { ...(opts.signal ? { signal: opts.signal } : {}), onSettled: opts.onProgress },
  )
  let rowsLoaded = 0
  for (const report of reports) {
    if (report.status === 'failed') throw new Error(`demo load of ${report.source} failed: ${report.refusal?.en}`)
    loads[report.status]++
    rowsLoaded += report.rowsLoaded
  }
  const result = { manifest, loads, rowsLoaded, durationMs: Date.now() - started, writeMs }
  fs.writeFileSync(doneMarker(opts.demoDir), JSON.stringify({ asOf: manifest.asOf, scale: manifest.scale, loads, rowsLoaded }))
  return result
}

/**
 * At start-up: loads the demo when the warehouse has no data yet, or finishes a demo seed that was
 * interrupted (same scale and date as it began with). Returns null when there was nothing to do.
 */
export async function ensureDemo(opts: SeedOptions): Promise<SeedResult | null> {
  const manifestFile = path.join(opts.demoDir, 'manifest.json')
  if (fs.existsSync(manifestFile) && !fs.existsSync(doneMarker(opts.demoDir))) {
    const begun = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as DemoManifest
    return seedDemo({ ...opts, scale: begun.scale, asOf: new Date(begun.asOf) })
  }
  const [loads] = await queryRows<{ n: string }>(opts.wh.client, "SELECT count() AS n FROM meta.loads WHERE status = 'committed'")
  if (Number(loads!.n) > 0) return null
  return seedDemo(opts)
}
