import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadCatalog, type Catalog } from '../catalog/load-catalog.ts'
import { syncCatalog } from '../catalog/sync-catalog.ts'
import { openWarehouse, type Warehouse } from '../warehouse/client.ts'
import { migrate } from '../warehouse/migrate.ts'

export interface TempWarehouse extends Warehouse {
  dir: string
  /** Closes the warehouse and removes its directory. */
  dispose(): Promise<void>
}

/** A real embedded ClickHouse in a fresh temporary directory, for one test file. */
export function openTempWarehouse(prefix = 'kho-test-'): TempWarehouse {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const wh = openWarehouse({ kind: 'chdb', dataDir: dir })
  return {
    ...wh,
    dir,
    async dispose() {
      await wh.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A temporary warehouse migrated and holding the catalogue, as the service leaves it at start. */
export async function openSyncedWarehouse(catalog: Catalog = loadCatalog()): Promise<TempWarehouse> {
  const wh = openTempWarehouse()
  await migrate(wh)
  await syncCatalog(wh, catalog)
  return wh
}

export function tempDir(prefix = 'kho-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}
