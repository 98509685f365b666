import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import * as clock from '../../time/clock.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { queryRows } from '../../warehouse/client.ts'
import { archivePath } from '../../../loaders/archive.ts'
import { startService, type RunningService } from '../service/start-service.ts'

/**
 * Issue 41: the daily retention job. Population records (personal data, kept 24 months by
 * default) delivered in 2024 and judged in December 2026: the rows a later delivery replaced, the
 * rejected row and a file none of whose rows is current go; every row the marts hold stays.
 */
const home = tempDir('kho-retention-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai' }
let service: RunningService
let adminToken = ''

const person = (i: number, updated: string) => ({ cccd: `02709${String(7420000 + i)}`, ho_ten: `Hà Thị Lưu ${i}`, ngay_sinh: '01/02/1990', gioi_tinh: 'Nữ', ma_xa: '07210', ngay_cap_nhat: updated })
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)

async function upload(at: string, name: string, rows: object[]) {
  clock.setClock(new Date(at))
  const form = new FormData()
  form.set('dataset', 'dan_cu')
  form.set('agency', 'CA_TINH')
  form.set('file', new Blob([JSON.stringify(rows)]), name)
  const res = await fetch(`${service.url}/api/loads`, { method: 'POST', body: form, headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
  expect(res.status).toBe(200)
  const report = (await res.json()) as { loadId: string; sha256: string; status: string }
  expect(report.status).toBe('committed')
  return report
}

const asAdmin = (method: string, url: string) => fetch(`${service.url}${url}`, { method, headers: { authorization: `Bearer ${adminToken}` } })
const count = async (sql: string) => Number((await queryRows<{ n: number }>(service.ctx.wh.client, sql))[0]!.n)
const rawRows = () => count('SELECT count() AS n FROM raw.dan_cu')
const current = () => count('SELECT count() AS n FROM std.citizens FINAL')

let a: Awaited<ReturnType<typeof upload>>
let b: Awaited<ReturnType<typeof upload>>
let c: Awaited<ReturnType<typeof upload>>

beforeAll(async () => {
  service = await startService(loadConfig(env))
  const login = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-rat-dai' }) })
  adminToken = ((await login.json()) as { token: string }).token
  // A: ten residents. C: two more. B, a month later: five of A's and both of C's updated, twenty
  // new, and one row with a number that is not a CCCD (rejected, the load still committed).
  a = await upload('2024-03-01T09:00:00+07:00', 'dan-cu-a.json', range(0, 10).map((i) => person(i, '01/02/2024')))
  c = await upload('2024-03-05T09:00:00+07:00', 'dan-cu-c.json', range(10, 2).map((i) => person(i, '01/03/2024')))
  b = await upload('2024-04-01T09:00:00+07:00', 'dan-cu-b.json', [
    ...[...range(0, 5), ...range(10, 2), ...range(20, 20)].map((i) => person(i, '15/03/2024')),
    { ...person(99, '15/03/2024'), cccd: 'không có' },
  ])
  await service.ctx.transforms.run()
}, 240_000)
afterAll(async () => {
  clock.setClock(null)
  await service?.stop()
})

describe('the retention job', () => {
  it('removes nothing while the keeping period (24 months for personal data) runs', async () => {
    clock.setClock(new Date('2026-02-15T09:00:00+07:00'))
    const res = await asAdmin('POST', '/api/jobs/retention/run')
    expect(res.status).toBe(200)
    expect(await rawRows()).toBe(10 + 2 + 28)
    for (const l of [a, b, c]) expect(fs.existsSync(archivePath(service.ctx.config.paths.archive, l.sha256))).toBe(true)
  })

  it('after it: replaced and rejected personal rows and a file with nothing current go; every current record stays', async () => {
    expect(await current()).toBe(32)
    clock.setClock(new Date('2026-12-04T09:00:00+07:00'))
    const res = await asAdmin('POST', '/api/jobs/retention/run')
    expect(res.status).toBe(200)
    expect(JSON.stringify(await res.json())).toContain('1 delivered files')

    // A keeps its five residents B did not update; C's two were updated, B's bad row was rejected.
    expect(await rawRows()).toBe(40 - 5 - 2 - 1)
    const byLoad = await queryRows<{ id: string; n: number }>(service.ctx.wh.client, 'SELECT _load_id AS id, count() AS n FROM raw.dan_cu GROUP BY id')
    expect(Object.fromEntries(byLoad.map((r) => [r.id, Number(r.n)]))).toEqual({ [a.loadId]: 5, [b.loadId]: 27 })
    expect(await count(`SELECT count() AS n FROM meta.rejects WHERE load_id = '${b.loadId}'`)).toBe(0)
    // What the marts hold is what they held, and a rebuild from raw gives it again.
    expect(await current()).toBe(32)
    await service.ctx.transforms.run({ fullRefresh: true })
    expect(await current()).toBe(32)

    const archive = service.ctx.config.paths.archive
    expect(fs.existsSync(archivePath(archive, a.sha256))).toBe(true)
    expect(fs.existsSync(archivePath(archive, b.sha256))).toBe(true)
    expect(fs.existsSync(archivePath(archive, c.sha256))).toBe(false)
    // Each load's counts stay as delivered.
    const loads = (await (await asAdmin('GET', `/api/loads?load=${c.loadId}`)).json()) as { rows_loaded: number }[]
    expect(loads[0]!.rows_loaded).toBe(2)
  })

  it("keeps each load's whole life, what retention removed included, and logs the run in the sharing log", async () => {
    const events = (await (await asAdmin('GET', `/api/loads/${c.loadId}/events`)).json()) as { event: string; by: string; rows: number }[]
    expect(events.map((e) => e.event)).toEqual(['started', 'committed', 'file_removed', 'rows_removed'])
    expect(events[0]!.by).toMatch(/^cli:/)
    expect(events.slice(2).every((e) => e.by === 'job:retention')).toBe(true)
    expect(events[3]!.rows).toBe(2)

    const audit = (await (await asAdmin('GET', '/api/audit?limit=20&format=json')).json()) as { endpoint: string; account: string; datasets: string[]; row_count: number }[]
    const entry = audit.find((e) => e.endpoint === 'retention.apply')
    expect(entry).toMatchObject({ account: 'job:retention', datasets: ['dan_cu'], row_count: 8 })
  })

  it('a second run finds nothing more to remove', async () => {
    const res = await asAdmin('POST', '/api/jobs/retention/run')
    expect(JSON.stringify(await res.json())).toContain('0 delivered files (0 MB) and 0 personal rows removed')
    expect(await rawRows()).toBe(32)
  })
})
