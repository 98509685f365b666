import fs from 'node:fs'
import path from 'node:path'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { loadFile } from '../load-file.ts'
import type { LoadReport } from '../load-report.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

/** For tests: writes the lines as a file under `dir` and loads it as the agency's delivery of the dataset. */
export async function deliverLines(deps: { wh: Warehouse; model: { readonly now: { readonly catalog: Catalog } } }, dir: string, name: string, dataset: string, agency: string, lines: string[]): Promise<LoadReport> {
  const file = path.join(dir, name)
  fs.writeFileSync(file, lines.join('\n'))
  return loadFile({ wh: deps.wh, catalog: deps.model.now.catalog, archive: keptUnder(dir), file, dataset, agency, channel: 'file' })
}
