import fs from 'node:fs'
import type { KhoConfig } from '../../config.ts'
import { loadCatalog, type Catalog } from '../../catalog/load-catalog.ts'
import { compileSemanticModel } from '../../../semantic/cube/compile-model.ts'
import { generatedCubeFiles } from '../../../semantic/model/dataset-cubes.ts'
import { registeredDemoCatalog } from '../demo/demo-entries.ts'
import { startDemoFiles, type DemoFiles } from '../demo/demo-files.ts'
import * as clock from '../../time/clock.ts'

export interface WarmStart {
  demoFiles: DemoFiles | null
}

/** The semantic model of a catalogue, as bootstrap.ts's derivedModels compiles it (shared by content). */
const compileFor = (catalog: Catalog) => compileSemanticModel(undefined, generatedCubeFiles(catalog)).catch(() => undefined)

/**
 * What a start on a fresh home will need that can begin before the rest of kho has loaded and the
 * warehouse has opened, each on its own thread: the semantic model of the shipped catalogue (what
 * the boot serves), and with the demo on, the model of the demo province once its agencies'
 * registrations are approved and the demo's files. The compiles are kept by content
 * (compile-model.ts), so the boot and the approval take them when they ask for the same model; on
 * a home that holds a warehouse already, nothing is begun (its catalogue is not known yet).
 */
export function warmStart(config: KhoConfig): WarmStart {
  // The first thing a start does: everything after (the demo's data included) reads kho's clock.
  if (config.now) clock.setClock(config.now)
  const fresh = config.warehouse.kind === 'chdb' && !fs.existsSync(config.warehouse.dataDir)
  if (!fresh) return { demoFiles: null }
  const shipped = compileFor(loadCatalog())
  if (!config.demo.enabled) return { demoFiles: null }
  const demoFiles = startDemoFiles(config.paths.demo, config.demo.scale, clock.now())
  // After the first: most files are the same, and Cube's transpile caches then serve them.
  void shipped.then(() => compileFor(registeredDemoCatalog()))
  return { demoFiles }
}
