import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openWarehouse, type Warehouse } from '../warehouse/client.ts'

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

export function tempDir(prefix = 'kho-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}
