import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { DemoManifest } from './write-demo.ts'

/** The demo's files being written beside the service's start, into `dir`. */
export interface DemoFiles {
  dir: string
  manifest: Promise<DemoManifest>
  /** Stops the writing (if still going) and removes what it wrote. */
  discard(): Promise<void>
}

/**
 * Begins writing the demo province's files in a worker thread as the service starts, on a fresh
 * home only (no demo begun or loaded): generating them is seconds of CPU that would otherwise wait
 * for the warehouse to open, the model to compile and the catalogue registrations to go through,
 * and then hold up the loads. They are written beside the demo folder (`<demo>.writing`); the seed
 * takes them in (seed-demo.ts) or discards them when the warehouse turns out to hold data already.
 */
export function startDemoFiles(demoDir: string, scale: number, asOf: Date): DemoFiles | null {
  if (fs.existsSync(path.join(demoDir, 'manifest.json')) || fs.existsSync(path.join(demoDir, 'loaded.json'))) return null
  const dir = `${demoDir}.writing`
  const worker = new Worker(new URL('./write-demo-worker.mjs', import.meta.url), { workerData: { dir, scale, asOf: asOf.toISOString() } })
  const manifest = new Promise<DemoManifest>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the demo writer stopped (exit code ${code}) before it finished`)))
  })
  manifest.catch(() => undefined)
  return {
    dir,
    manifest,
    async discard() {
      await worker.terminate()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
