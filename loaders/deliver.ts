import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../infra/warehouse/client.ts'
import type { KeptFiles } from '../infra/files/sealed-file.ts'
import { Keyring } from '../infra/keys/keyring.ts'
import { loadFile, loadFiles, type LoadFileOptions, type LoadFilesOptions, type LoadReport } from './load-file.ts'
import { loadRecords, type RecordsOptions } from './load-records.ts'

/** A delivery as any channel hands it over: the file (or records) and who sent what. */
export type FileDelivery = Omit<LoadFileOptions, 'wh' | 'catalog' | 'archive'>
export type RecordsDelivery = Omit<RecordsOptions, 'wh' | 'catalog' | 'archive' | 'uploadsDir'>

/**
 * The one delivery path: upload, push, inbox, pull, the CLI, the demo and the admin seed all
 * deliver through it. It loads (every guarantee of loadFile) and, when the load is committed,
 * tells `onCommitted` — where the composition root makes the marts follow.
 */
export interface Deliver {
  file(delivery: FileDelivery): Promise<LoadReport>
  /** Many files at once (a backlog, the demo): each its own load, small ones sharing the writes. */
  files(deliveries: FileDelivery[], progress?: Pick<LoadFilesOptions, 'signal' | 'onSettled'>): Promise<LoadReport[]>
  records(delivery: RecordsDelivery): Promise<LoadReport>
}

export interface DeliverDeps {
  wh: Warehouse
  /** The catalogue in force, read for each delivery (a registration may replace it meanwhile). */
  catalog: () => Catalog
  /** Where delivered files are archived (sealed with the keys under `keys`), and where kho stages records it writes as files. */
  paths: { archive: string; keys: string; uploads: string }
  onCommitted: (report: LoadReport) => void
  /** Every delivery as it settles, whatever its outcome, with who delivered it (the sharing log's entry). */
  onSettled?: (report: LoadReport, delivery: Pick<FileDelivery, 'channel' | 'deliveredBy'>) => void
}

export function deliverer(deps: DeliverDeps): Deliver {
  const done = (report: LoadReport, delivery: Pick<FileDelivery, 'channel' | 'deliveredBy'>) => {
    deps.onSettled?.(report, delivery)
    if (report.status === 'committed') deps.onCommitted(report)
    return report
  }
  const archive: KeptFiles = { dir: deps.paths.archive, keys: Keyring.open(deps.paths.keys) }
  // One catalogue for a whole delivery, however long it takes.
  const base = () => ({ wh: deps.wh, catalog: deps.catalog(), archive })
  return {
    file: async (d) => done(await loadFile({ ...base(), ...d }), d),
    files: async (files, progress) => (await loadFiles({ ...base(), ...progress, files })).map((r, i) => done(r, files[i]!)),
    records: async (d) => done(await loadRecords({ ...base(), uploadsDir: deps.paths.uploads, ...d }), d),
  }
}
