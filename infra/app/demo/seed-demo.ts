import fs from 'node:fs'
import path from 'node:path'
import type { Catalog } from '../../catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import type { LoadReport } from '../../../loaders/load-file.ts'
import type { Deliver } from '../../../loaders/deliver.ts'
import type { DemoFiles } from './demo-files.ts'
import { writeDemo, type DemoManifest } from './write-demo.ts'
import * as clock from '../../time/clock.ts'

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
  /**
   * Settles once the demo's agencies have registered their datasets (demo-catalog.ts), which runs
   * beside the seed: deliveries of datasets the catalogue already has are loaded meanwhile.
   */
  registered?: Promise<void>
  /** The demo's files, when their writing began beside the start (demo-files.ts); otherwise written here. */
  files?: DemoFiles | null
  /** Stops between two batches of deliveries; what was committed stays, the rest is loaded by the next seed. */
  signal?: AbortSignal
}

const doneMarker = (demoDir: string) => path.join(demoDir, 'loaded.json')

/** The demo's files in the demo folder: those written beside the start, or written now. */
async function takeFiles(opts: SeedOptions): Promise<DemoManifest> {
  if (opts.files) {
    try {
      const manifest = await opts.files.manifest
      fs.rmSync(opts.demoDir, { recursive: true, force: true })
      fs.renameSync(opts.files.dir, opts.demoDir)
      return manifest
    } catch {
      // The writer failed: write them here instead (its error, if real, recurs here with a stack).
      await opts.files.discard()
    }
  }
  return writeDemo(opts.catalog, opts.demoDir, opts.scale, opts.asOf ?? clock.now())
}

/**
 * Writes the demo province's deliveries and sends each through the loaders, in delivery order,
 * exactly as the agencies' files would arrive. Files already loaded are recognised by their hash,
 * so an interrupted seed is completed by running it again with the same scale and date.
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now()
  const dir = opts.demoDir
  const manifest = await takeFiles(opts)
  const writeMs = Date.now() - started
  const loads: SeedResult['loads'] = { committed: 0, duplicate: 0, refused: 0, failed: 0 }
  // Delivered all at once, in delivery order: each file its own load, as if sent one by one, while
  // the small reports of one agency share their writes (loadFiles), so the seed takes seconds.
  const deliveries = manifest.deliveries.map((d) => ({
    file: path.join(dir, d.file),
    dataset: d.dataset,
    agency: d.agency,
    channel: 'demo' as const,
    deliveredAt: new Date(d.deliveredAt),
    period: d.period,
  }))
  // Datasets still being registered are delivered once they are; the others meanwhile.
  const known = (d: { dataset: string }) => !opts.registered || !!opts.catalog.dataset(d.dataset)
  const now = deliveries.filter(known)
  const later = deliveries.filter((d) => !known(d))
  const progress = (offset: number) => ({
    ...(opts.signal ? { signal: opts.signal } : {}),
    onSettled: (done: number) => opts.onProgress?.(offset + done, deliveries.length),
  })
  const reports = await opts.deliver.files(now, progress(0))
  await opts.registered
  reports.push(...(await opts.deliver.files(later, progress(now.length))))
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
    await opts.files?.discard()
    return seedDemo({ ...opts, files: null, scale: begun.scale, asOf: new Date(begun.asOf) })
  }
  const [loads] = await queryRows<{ n: string }>(opts.wh.client, "SELECT count() AS n FROM meta.loads WHERE status = 'committed'")
  if (Number(loads!.n) > 0) {
    await opts.files?.discard()
    return null
  }
  return seedDemo(opts)
}
