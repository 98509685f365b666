import path from 'node:path'
import type { Catalog } from '../catalog/load-catalog.ts'
import type { Warehouse } from '../warehouse/client.ts'
import { loadFile, type LoadReport } from '../../loaders/load-file.ts'
import { writeDemo, type DemoManifest } from './write-demo.ts'

export interface SeedResult {
  manifest: DemoManifest
  loads: Record<LoadReport['status'], number>
  rowsLoaded: number
  durationMs: number
}

/**
 * Writes the demo province's deliveries and sends each through the loaders, in delivery order,
 * exactly as the agencies' files would arrive.
 */
export async function seedDemo(opts: {
  wh: Warehouse
  catalog: Catalog
  home: string
  scale: number
  asOf?: Date
  onProgress?: (done: number, total: number) => void
}): Promise<SeedResult> {
  const started = Date.now()
  const dir = path.join(opts.home, 'demo')
  const manifest = writeDemo(opts.catalog, dir, opts.scale, opts.asOf ?? new Date())
  const loads: SeedResult['loads'] = { committed: 0, duplicate: 0, refused: 0, failed: 0 }
  let rowsLoaded = 0
  let done = 0
  for (const d of manifest.deliveries) {
    const report = await loadFile({
      wh: opts.wh,
      catalog: opts.catalog,
      archiveDir: path.join(opts.home, 'archive'),
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
  return { manifest, loads, rowsLoaded, durationMs: Date.now() - started }
}
