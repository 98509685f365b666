import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { queryRows } from '../../warehouse/client.ts'
import { startService, type RunningService } from './start-service.ts'

/**
 * Issue 41: the disk under KHO_HOME fills (a tmpfs of its own, filled with a filler file to a
 * chosen margin). A delivery then is refused with the disk named, in both languages, leaving
 * nothing half-written; a mart build fails, is marked so and alerts, and the marts it would have
 * replaced keep answering. Once space is freed, both go through.
 */
const home = tempDir('kho-disk-full-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ALERT_CHECK_S: '0' }
let service: RunningService
const filler = path.join(home, 'filler')

/** Leaves `bytes` free on the home's disk (the engine's own writes move it a little). */
function leaveFree(bytes: number) {
  fs.rmSync(filler, { force: true })
  const { bavail, bsize } = fs.statfsSync(home)
  const size = Math.max(0, bavail * bsize - bytes)
  const fd = fs.openSync(filler, 'w')
  const block = Buffer.alloc(1024 * 1024, 1)
  for (let written = 0; written < size; written += block.length) fs.writeSync(fd, block, 0, Math.min(block.length, size - written))
  fs.closeSync(fd)
}

const citizens = (from: number, n: number) =>
  ['cccd,ho_ten,ngay_sinh,gioi_tinh,ma_xa,dia_chi,ngay_cap_nhat']
    .concat(Array.from({ length: n }, (_, i) => `0270997${String(from + i).padStart(5, '0')},Đinh Văn Đầy ${from + i},01/02/1990,Nam,07210,Thôn Đông ${i % 50} xã Đông Hưng,01/10/2026`))
    .join('\n')

async function upload(name: string, csv: string) {
  const form = new FormData()
  form.set('dataset', 'dan_cu')
  form.set('agency', 'CA_TINH')
  form.set('file', new Blob([csv]), name)
  const res = await fetch(`${service.url}/api/loads`, { method: 'POST', body: form, headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
  return { status: res.status, body: (await res.json()) as { status?: string; refusal?: { code: string; vi: string; en: string }; error?: { code: string; message: string; message_en: string } } }
}

const runTransforms = () =>
  fetch(`${service.url}/api/admin/transform/run`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token, 'content-type': 'application/json' }, body: '{}' })
const leftovers = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => !fs.statSync(path.join(dir, f)).isDirectory()) : [])
const count = async (sql: string) => Number((await queryRows<{ n: number }>(service.ctx.wh.client, sql))[0]!.n)
const visibleCitizens = () => count("SELECT count() AS n FROM raw.dan_cu WHERE _load_id IN (SELECT load_id FROM meta.loads FINAL WHERE status = 'committed')")
const martCitizens = () => count('SELECT count() AS n FROM marts.dim_citizen')

beforeAll(async () => {
  // A disk of its own: the test needs root to mount it, as CI's machine gives.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', home])
  service = await startService(loadConfig(env))
}, 120_000)
afterAll(async () => {
  await service?.stop()
  try {
    execFileSync('umount', [home])
  } catch {
    // left to the machine's reboot
  }
})

describe('a full disk', () => {
  it('during a delivery: 507 naming the disk in both languages, nothing half-written, the service serving, the next delivery accepted once space allows', async () => {
    const big = citizens(0, 60_000) // ≈ 5 MB
    // Once where the file system itself refuses (the archive cannot be written), once where the
    // engine does (the archive is written, the data tables' reserve of the disk is reached).
    for (const free of [1024 * 1024, 16 * 1024 * 1024]) {
      leaveFree(free)
      const refused = await upload('dan-cu-lon.csv', big)
      expect(refused.status).toBe(507)
      const message = refused.body.refusal ?? { vi: refused.body.error!.message, en: refused.body.error!.message_en, code: refused.body.error!.code }
      expect(message.code).toBe('disk_full')
      expect(message.vi).toContain('đã đầy')
      expect(message.vi).toContain(home)
      expect(message.en).toContain('is full')
      // Nothing of it: no rows, not even hidden ones, no file half in the archive, no upload left behind.
      expect(await count('SELECT count() AS n FROM raw.dan_cu')).toBe(0)
      expect(leftovers(path.join(home, 'archive'))).toEqual([])
      expect(leftovers(path.join(home, 'uploads'))).toEqual([])
    }
    // Serving all the while.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)

    fs.rmSync(filler, { force: true })
    const accepted = await upload('dan-cu-lon.csv', big)
    expect(accepted.status).toBe(200)
    expect(accepted.body.status).toBe('committed')
    expect(await visibleCitizens()).toBe(60_000)
    expect(await count("SELECT count() AS n FROM raw.dan_cu WHERE _load_id NOT IN (SELECT load_id FROM meta.loads FINAL WHERE status = 'committed')")).toBe(0)
  }, 240_000)

  it('during a mart build: the run is marked failed and alerts, the old marts keep answering, the next run completes', async () => {
    fs.rmSync(filler, { force: true })
    const r0 = await runTransforms()
    expect(r0.status).toBe(200)
    expect(await martCitizens()).toBe(60_000)
    expect((await upload('dan-cu-them.csv', citizens(60_000, 100))).status).toBe(200)

    // Below the data tables' reserve: the marts cannot be written, kho's records still can.
    leaveFree(16 * 1024 * 1024)
    const failed = await runTransforms()
    expect(failed.status).toBe(200)
    const outcome = (await failed.json()) as { run: { results: { model: string; status: string; error: string }[] } }
    expect(outcome.run.results.find((r) => r.model === 'dim_citizen')!.status).not.toBe('success')
    expect(outcome.run.results.some((r) => r.status === 'error' && r.error.includes('free space'))).toBe(true)
    expect(await martCitizens()).toBe(60_000)
    // The run's end checks the alerts (or the check here does, if it has not yet).
    await fetch(`${service.url}/api/alerts/check`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
    const open = await queryRows<{ rule: string; key: string }>(service.ctx.wh.client, 'SELECT rule, key FROM meta.alerts FINAL WHERE resolved_at IS NULL')
    expect(open.filter((a) => a.rule === 'transform_failed').length).toBeGreaterThan(0)
    fs.rmSync(filler, { force: true })

    expect((await runTransforms()).status).toBe(200)
    expect(await martCitizens()).toBe(60_100)
    await fetch(`${service.url}/api/alerts/check`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
    const still = await queryRows<{ rule: string }>(service.ctx.wh.client, "SELECT rule FROM meta.alerts FINAL WHERE resolved_at IS NULL AND rule = 'transform_failed'")
    expect(still).toEqual([])
  }, 240_000)
})
