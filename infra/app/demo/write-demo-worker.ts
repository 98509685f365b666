import { parentPort, workerData } from 'node:worker_threads'
import { registeredDemoCatalog } from './demo-entries.ts'
import { writeDemo } from './write-demo.ts'

// Writes the demo's files for the catalogue a fresh demo province will have (demo-files.ts).
const { dir, scale, asOf } = workerData as { dir: string; scale: number; asOf: string }
const manifest = await writeDemo(registeredDemoCatalog(), dir, scale, new Date(asOf))
parentPort!.postMessage(manifest)
