import { spawn } from 'node:child_process'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../../warehouse/client.ts'
import { readServiceFile } from './service-file.ts'

async function waitFor<T>(probe: () => T | null | Promise<T | null>, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(100)
  }
}

describe('service process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('exits cleanly on %s and releases the data directory', async (signal) => {
    const home = tempDir('kho-shutdown-')
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/app/service/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const service = await waitFor(() => readServiceFile(home), 60_000)
    expect((await fetch(service.url + '/healthz')).status).toBe(200)

    child.kill(signal)
    expect(await exited, stderr).toBe(0)
    expect(readServiceFile(home)).toBeNull()
    // The directory is free: this process can open it and finds the migrated schema.
    const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
    const [row] = await queryRows<{ v: number }>(wh.client, 'SELECT max(version) AS v FROM meta.schema_migrations')
    expect(Number(row!.v)).toBeGreaterThan(0)
    await wh.close()
  })
})
