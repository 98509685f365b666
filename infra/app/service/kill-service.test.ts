import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../../warehouse/client.ts'
import { readServiceFile, type ServiceFile } from './service-file.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'

/*
 * `kill -9` of the service itself: during an upload and during a transform run. After each, what
 * readers can see is whole (the committed loads; the marts of the last finished build), and once
 * restarted the work completes.
 */
const home = tempDir('kho-kill9-')
const ROWS = 400_000
const file = path.join(home, 'dan_cu_400k.csv')
let child: ChildProcess | null = null

async function startChild(): Promise<ServiceFile> {
  fs.rmSync(path.join(home, 'service.json'), { force: true })
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/app/service/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai' },
    stdio: 'ignore',
  })
  for (let i = 0; i < 600; i++) {
    const svc = readServiceFile(home)
    if (svc && svc.pid === child.pid) {
      const ready = await fetch(`${svc.url}/readyz`).catch(() => null)
      if (ready?.status === 200) return svc
    }
    await sleep(100)
  }
  throw new Error('the service did not start')
}

async function kill9(): Promise<void> {
  const c = child!
  const exited = new Promise<NodeJS.Signals | null>((resolve) => c.on('exit', (_code, signal) => resolve(signal)))
  c.kill('SIGKILL')
  expect(await exited).toBe('SIGKILL')
  child = null
}

async function stopChild(): Promise<void> {
  const c = child!
  const exited = new Promise((resolve) => c.on('exit', resolve))
  c.kill('SIGTERM')
  await exited
  child = null
}

/** What readers can see, read with the service down. */
async function inspect() {
  const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
  try {
    const loads = await queryRows<{ status: string }>(wh.client, "SELECT status FROM meta.loads FINAL WHERE dataset = 'dan_cu' ORDER BY started_at")
    const [visible] = await queryRows<{ n: number }>(wh.client, "SELECT count() AS n FROM raw.dan_cu WHERE _load_id IN (SELECT load_id FROM meta.loads FINAL WHERE status = 'committed')")
    const tables = await queryRows<{ name: string }>(wh.client, "SELECT concat(database, '.', name) AS name FROM system.tables WHERE database IN ('std', 'marts')")
    const names = new Set(tables.map((t) => t.name))
    // Transform runs that built every model (a run killed half-way has fewer rows here).
    const [complete] = await queryRows<{ n: number }>(
      wh.client,
      "SELECT count() AS n FROM (SELECT run_id, count() AS models FROM meta.runs GROUP BY run_id) WHERE models = (SELECT max(models) FROM (SELECT count() AS models FROM meta.runs GROUP BY run_id))",
    )
    const count = async (t: string) => (names.has(t) ? Number((await queryRows<{ n: number }>(wh.client, `SELECT count() AS n FROM ${t}`))[0]!.n) : null)
    return { loads: loads.map((l) => l.status), visible: Number(visible!.n), citizens: await count('std.citizens'), dimCitizens: await count('marts.dim_citizen'), completeRuns: Number(complete!.n) }
  } finally {
    await wh.close()
  }
}

async function upload(svc: ServiceFile) {
  const form = new FormData()
  form.set('dataset', 'dan_cu')
  form.set('agency', 'CA_TINH')
  form.set('file', new Blob([fs.readFileSync(file)]), 'dan_cu_400k.csv')
  return fetch(`${svc.url}/api/loads`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: svc.token }, body: form })
}

afterAll(async () => {
  if (child) await kill9().catch(() => undefined)
})

describe('kill -9 of the service', () => {
  it('during an upload: nothing of it is visible, and delivering again completes', async () => {
    const lines = ['Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Ngày cập nhật']
    for (let i = 0; i < ROWS; i++) lines.push(`027090${String(i).padStart(6, '0')},Nguyễn Văn An,01/02/1990,Nam,07210,01/10/2026`)
    fs.writeFileSync(file, lines.join('\n') + '\n')

    let svc = await startChild()
    const pending = upload(svc).catch(() => null)
    // The upload is archived just before the load starts writing; kill while it stages and checks.
    for (let i = 0; i < 400 && !(fs.existsSync(path.join(home, 'archive')) && fs.readdirSync(path.join(home, 'archive')).length > 0); i++) await sleep(20)
    await sleep(300)
    await kill9()
    expect(await pending).toBeNull()

    const after = await inspect()
    expect(after.loads).toEqual(['started'])
    expect(after.visible).toBe(0)

    svc = await startChild()
    const res = await upload(svc)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'committed', rowsLoaded: ROWS })
    await fetch(`${svc.url}/api/admin/transform/run`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: svc.token, 'content-type': 'application/json' }, body: '{}' })
    await stopChild()
    const done = await inspect()
    expect(done.loads).toEqual(['failed', 'committed'])
    expect(done.visible).toBe(ROWS)
    expect(done.citizens).toBe(ROWS)
  }, 240_000)

  it('during a transform run: the marts stay as the last finished build, and the next run completes', async () => {
    const before = await inspect()
    expect(before.dimCitizens).toBe(ROWS)
    const svc = await startChild()
    const run = fetch(`${svc.url}/api/admin/transform/run`, {
      method: 'POST',
      headers: { [SERVICE_TOKEN_HEADER]: svc.token, 'content-type': 'application/json' },
      body: JSON.stringify({ full_refresh: true }),
    }).catch(() => null)
    await sleep(400)
    await kill9()
    expect(await run).toBeNull()

    const after = await inspect()
    expect(after.completeRuns, 'the killed run must not have finished').toBe(before.completeRuns)
    expect(after.citizens).toBe(ROWS)
    expect(after.dimCitizens).toBe(ROWS)

    // Restarted, the service builds the marts again.
    const again = await startChild()
    const rebuilt = await fetch(`${again.url}/api/admin/transform/run`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: again.token, 'content-type': 'application/json' }, body: JSON.stringify({ full_refresh: true }) })
    expect(rebuilt.status).toBe(200)
    await stopChild()
    const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
    try {
      const [last] = await queryRows<{ failed: number; models: number }>(
        wh.client,
        "SELECT countIf(status != 'success') AS failed, count() AS models FROM meta.runs WHERE run_id = (SELECT argMax(run_id, started_at) FROM meta.runs)",
      )
      expect(Number(last!.failed)).toBe(0)
      expect(Number(last!.models)).toBeGreaterThan(10)
      const leftovers = await queryRows<{ name: string }>(wh.client, "SELECT name FROM system.tables WHERE database IN ('std', 'marts') AND endsWith(name, '__build')")
      expect(leftovers).toEqual([])
      const [citizens] = await queryRows<{ n: number }>(wh.client, 'SELECT count() AS n FROM marts.dim_citizen')
      expect(Number(citizens!.n)).toBe(ROWS)
    } finally {
      await wh.close()
    }
  }, 240_000)
})
