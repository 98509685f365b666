import fs from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { loadCatalog, withDatasets, type Catalog } from '../../catalog/load-catalog.ts'
import { datasetSchema } from '../../catalog/schema.ts'

/** The demo's datasets beyond the shipped catalogue, as their owner agencies would enter them. */
const ENTRIES_DIR = new URL('./entries/', import.meta.url)

/** Proposed in the demo and left for a steward to review on the catalogue page. */
export const DEMO_PENDING_DATASET = 'giay_phep_xay_dung'

/** The demo entries by dataset id, read from entries/*.yaml. */
export function demoEntries(): { id: string; owner: string; raw: unknown }[] {
  return fs
    .readdirSync(ENTRIES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const raw = parseYaml(fs.readFileSync(new URL(f, ENTRIES_DIR), 'utf8')) as { id: string; owner: string }
      return { id: raw.id, owner: raw.owner, raw }
    })
}

/**
 * The catalogue a fresh demo province has once its agencies' registrations are approved: the
 * shipped one with every demo entry but the pending one. The demo's files are written for it while
 * the service starts, before the registrations themselves go through the catalogue.
 */
export function registeredDemoCatalog(): Catalog {
  const entries = demoEntries().filter((e) => e.id !== DEMO_PENDING_DATASET)
  return withDatasets(loadCatalog(), entries.map((e) => datasetSchema.parse(e.raw)))
}
