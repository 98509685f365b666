import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../infra/catalog/load-catalog.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../infra/warehouse/client.ts'

const home = tempDir('kho-kill-')
const env = { ...process.env, KHO_HOME: home, KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent' }
const kho = path.join(PROJECT_ROOT, 'bin/kho.js')
const ROWS = 600_000

function writeRegister(file: string) {
  const out = [`Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật`]
  for (let i = 0; i < ROWS; i++) out.push(`027090${String(i).padStart(6, '0')},Nguyễn Văn An,01/02/1990,Nam,07210,"Thôn 1, Phường Bắc Giang",01/10/2026`)
  fs.writeFileSync(file, out.join('\n') + '\n')
}

async function inspect() {
  const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
  try {
    const loads = await queryRows<{ load_id: string; status: string; message: string }>(wh.client, 'SELECT load_id, status, message FROM meta.loads FINAL ORDER BY started_at')
    const [visible] = await queryRows<{ n: number }>(
      wh.client,
      "SELECT count() AS n FROM raw.dan_cu WHERE _load_id IN (SELECT load_id FROM meta.loads FINAL WHERE status = 'committed')",
    )
    const [stored] = await queryRows<{ n: number }>(wh.client, 'SELECT count() AS n FROM raw.dan_cu')
    const [inputs] = await queryRows<{ n: number }>(wh.client, "SELECT count() AS n FROM system.tables WHERE database = 'raw' AND startsWith(name, '__')")
    return { loads, visible: Number(visible!.n), stored: Number(stored!.n), inputs: Number(inputs!.n) }
  } finally {
    await wh.close()
  }
}

describe('a load killed half-way', () => {
  it('leaves nothing visible, and the retry completes', async () => {
    const file = path.join(home, 'dan_cu_600k.csv')
    writeRegister(file)
    await promisify(execFile)(process.execPath, [kho, 'migrate'], { env })

    const child = spawn(process.execPath, [kho, 'load', file, '--dataset', 'dan_cu', '--agency', 'CA_TINH'], { env, stdio: 'ignore' })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    // Kill as soon as the engine has written the load's first part (of several) into raw.dan_cu.
    const table = path.join(home, 'warehouse', 'data', 'raw', 'dan_cu')
    const writing = () => fs.existsSync(table) && fs.readdirSync(table).some((name) => name.startsWith('all_'))
    while (!writing()) await sleep(2)
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const after = await inspect()
    expect(after.loads.map((l) => l.status)).toEqual(['started'])
    expect(after.stored).toBeGreaterThan(0)
    expect(after.stored).toBeLessThan(ROWS)
    expect(after.visible).toBe(0)

    const retry = await promisify(execFile)(process.execPath, [kho, 'load', file, '--dataset', 'dan_cu', '--agency', 'CA_TINH', '--json'], { env })
    const report = JSON.parse(retry.stdout)
    expect(report).toMatchObject({ status: 'committed', rowsLoaded: ROWS, rowsRejected: 0 })

    const done = await inspect()
    expect(done.loads.map((l) => l.status)).toEqual(['failed', 'committed'])
    expect(done.loads[0]!.message).toMatch(/^interrupted/)
    expect(done.visible).toBe(ROWS)
    // Whatever the killed load had written is gone, not just hidden.
    expect(done.stored).toBe(ROWS)
    expect(done.inputs).toBe(0)
    // Two loads of 600k rows and the marts after the retry: ~50 s alone, more beside other test files.
  }, 180_000)
})
