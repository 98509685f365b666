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
  /** Stops between two deliveries; what was committed stays, the rest is loaded by the next seed. */
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
  const loads: SeedResult['loads'] = { committed: 0, duplicate: 0, refused: 0, failed: 0 }
  let rowsLoaded = 0
  let done = 0
  for (const d of manifest.deliveries) {
    opts.signal?.throwIfAborted()
    const report = await opts.deliver.file({
      file: path.join(dir, d.file),
      dataset: d.dataset,
      agency: d.agency,
      channel: 'demo',
      deliveredAt: new Date(d.deliveredAt),
      period: d.period,
    })
    if (report.status === 'failed') throw new Error(`demo load of ${d.file} failed: ${report.refusal?.en}`)
    loads[report.status]++
    rowsLoaded += report.rowsLoaded
    opts.onProgress?.(++done, manifest.deliveries.length)
  }
  const result = { manifest, loads, rowsLoaded, durationMs: Date.now() - started }
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
