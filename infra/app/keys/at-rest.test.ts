import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { loadConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import { startService, type RunningService } from '../service/start-service.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../../warehouse/client.ts'
import { sealedWith } from '../../files/sealed-file.ts'
import { listBackups, RESTORING } from '../backup/backup.ts'

/**
 * Issue 41: no delivered resident readable in the clear anywhere under KHO_HOME — the archive, the
 * attachments, the backups, the inbox, and the warehouse itself (ClickHouse's encrypted disk).
 * Every byte of every file under the home is searched for the residents' numbers and names.
 */
const home = tempDir('kho-at-rest-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '1', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai' }
let service: RunningService

const kho = (args: string[], extra: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env: { ...env, ...extra } })

/** Residents no other test or file holds: numbers of the province's code, and names in full. */
const resident = (i: number) => ({ cccd: `02709${String(7310000 + i)}`, name: `Lò Thị Kín Đáo ${['Một', 'Hai', 'Ba', 'Bốn', 'Năm'][i % 5]} ${i}` })
const needles = (from: number, n: number) => Array.from({ length: n }, (_, i) => resident(from + i)).flatMap((r) => [r.cccd, r.name])
const residentsJson = (from: number, n: number) =>
  JSON.stringify(
    Array.from({ length: n }, (_, i) => resident(from + i)).map((r) => ({ cccd: r.cccd, ho_ten: r.name, ngay_sinh: '01/02/1990', gioi_tinh: 'Nữ', ma_xa: '07210', ngay_cap_nhat: '01/10/2026' })),
  )

/** Every file under `dir` (but the keys folder) holding any of the needles, with the needle. */
function clearUnder(dir: string, find: string[], skip: string[] = []): string[] {
  const found: string[] = []
  const wanted = find.map((s) => Buffer.from(s, 'utf8'))
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const file = path.join(dir, rel)
    if (skip.some((s) => file.startsWith(s))) continue
    let stat: fs.Stats
    try {
      stat = fs.statSync(file)
    } catch {
      continue // removed meanwhile (a merge's old part)
    }
    if (!stat.isFile()) continue
    const bytes = fs.readFileSync(file)
    const hit = wanted.find((w) => bytes.includes(w))
    if (hit) found.push(`${rel}: ${hit.toString('utf8')}`)
  }
  return found
}

const call = (method: string, url: string, body?: FormData) => fetch(`${service.url}${url}`, { method, body, headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })

/** Attachments are an account's to send and read: the administrator's. */
async function asAdmin(method: string, url: string, body?: FormData) {
  const login = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-rat-dai' }) })
  const { token } = (await login.json()) as { token: string }
  return fetch(`${service.url}${url}`, { method, body, headers: { authorization: `Bearer ${token}` } })
}

async function upload(name: string, content: string) {
  const form = new FormData()
  form.set('dataset', 'dan_cu')
  form.set('agency', 'CA_TINH')
  form.set('file', new Blob([content]), name)
  const res = await call('POST', '/api/loads', form)
  expect(res.status).toBe(200)
  return (await res.json()) as { loadId: string; sha256: string; status: string }
}

const ATTACHMENT = `%PDF-1.4\n% Công văn kèm danh sách: ${resident(0).name}, ${resident(0).cccd}\n%%EOF\n`
let attachmentId = ''
let firstSha = ''

beforeAll(async () => {
  service = await startService(loadConfig(env))
  // An upload, an attachment to it, a file dropped in the inbox, the marts, a backup.
  const first = await upload('dan-cu-1.json', residentsJson(0, 20))
  expect(first.status).toBe('committed')
  firstSha = first.sha256
  const form = new FormData()
  form.set('file', new Blob([ATTACHMENT]), 'cong-van.pdf')
  const attached = await asAdmin('POST', `/api/loads/${first.loadId}/attachments`, form)
  expect(attached.status).toBe(200)
  attachmentId = ((await attached.json()) as { id: string }).id
  const inbox = path.join(home, 'inbox', 'CA_TINH', 'dan_cu')
  fs.mkdirSync(inbox, { recursive: true })
  fs.writeFileSync(path.join(inbox, 'dan-cu-2.json'), residentsJson(20, 20))
  for (let i = 0; i < 200 && !fs.existsSync(path.join(inbox, '.done')); i++) await new Promise((r) => setTimeout(r, 100))
  expect(fs.readdirSync(path.join(inbox, '.done')).some((f) => f.endsWith('dan-cu-2.json.report.json'))).toBe(true)
  await service.ctx.transforms.run()
  expect((await call('POST', '/api/admin/backups')).status).toBe(200)
}, 240_000)
afterAll(() => service?.stop())

describe('nothing delivered is readable in the clear under KHO_HOME', () => {
  it('the warehouse holds the residents, and no file under the home shows a number or a name of one', async () => {
    // They are there to be found: in the raw rows and the marts, and in the file as delivered.
    const [raw] = await queryRows<{ n: number }>(service.ctx.wh.client, `SELECT count() AS n FROM raw.dan_cu WHERE cccd IN {c:Array(String)}`, { c: [resident(3).cccd, resident(33).cccd] })
    expect(Number(raw!.n)).toBe(2)
    const [mart] = await queryRows<{ n: number }>(service.ctx.wh.client, `SELECT count() AS n FROM marts.dim_citizen WHERE id_number = {c:String}`, { c: resident(33).cccd })
    expect(Number(mart!.n)).toBe(1)
    expect(listBackups(path.join(home, 'backups'))).toHaveLength(1)
    await service.ctx.wh.client.command({ query: 'SYSTEM FLUSH LOGS' }).catch(() => undefined)
    expect(clearUnder(home, needles(0, 40), [path.join(home, 'keys')])).toEqual([])
  })

  it('the same search finds them in a warehouse on a clear disk (the search can fail)', async () => {
    // Another process: the embedded engine opens one data directory per process.
    const dir = tempDir('kho-clear-disk-')
    const rows = Array.from({ length: 20 }, (_, i) => `('${resident(i).cccd}', '${resident(i).name}')`).join(', ')
    const script = `import { Session } from 'chdb'
const s = new Session(${JSON.stringify(dir)})
s.query("CREATE TABLE default.residents (cccd String, ho_ten String) ENGINE = MergeTree ORDER BY cccd")
s.query(${JSON.stringify(`INSERT INTO default.residents VALUES ${rows}`)})
s.close()`
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT })
    expect(clearUnder(dir, needles(0, 20)).length).toBeGreaterThan(0)
  })

  it('keeps the keys apart: a folder of their own readable by kho alone, in no backup', () => {
    const keys = path.join(home, 'keys')
    expect(fs.statSync(keys).mode & 0o077).toBe(0)
    for (const f of fs.readdirSync(keys)) expect(fs.statSync(path.join(keys, f)).mode & 0o077, f).toBe(0)
    const backup = path.join(home, 'backups', listBackups(path.join(home, 'backups'))[0]!.id)
    expect(fs.readdirSync(backup, { recursive: true }).map(String).filter((f) => /keyring|warehouse-disks/.test(f))).toEqual([])
  })

  it('downloads decrypt on the fly: the attachment comes back byte for byte, nothing opened left on disk', async () => {
    const before = fs.readdirSync(home, { recursive: true }).length
    const res = await asAdmin('GET', `/api/attachments/${attachmentId}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(ATTACHMENT)
    expect(fs.readdirSync(home, { recursive: true }).length).toBe(before)
    expect(clearUnder(home, [resident(0).name], [path.join(home, 'keys')])).toEqual([])
  })

  it('a backup restores into a new home whose files are sealed as well, with every table identical', async () => {
    const target = tempDir('kho-at-rest-restored-')
    const [backup] = listBackups(path.join(home, 'backups'))
    const { stdout } = await kho(['backup', 'restore', backup!.id, '--home', target, '--json'])
    const restored = JSON.parse(stdout) as { tables: { table: string; ok: boolean }[]; archive_files: number; attachment_files: number }
    expect(restored.tables.every((t) => t.ok)).toBe(true)
    expect(restored).toMatchObject({ archive_files: 2, attachment_files: 1 })
    const status = JSON.parse((await kho(['status', '--json'], { KHO_HOME: target })).stdout) as { tables: Record<string, number> }
    expect(status.tables['raw.dan_cu']).toBe(40)
    expect(clearUnder(target, needles(0, 40), [path.join(target, 'keys')])).toEqual([])
  })
})

describe('rotating the key', () => {
  it('seals new files with the new key, opens old ones with theirs, and re-seals them all on request', async () => {
    const rotated = JSON.parse((await kho(['keys', 'rotate', '--json'])).stdout) as { current: number }
    expect(rotated.current).toBe(2)
    const second = await upload('dan-cu-3.json', residentsJson(40, 5))
    expect(second.status).toBe('committed')
    const archive = (sha: string) => path.join(home, 'archive', sha.slice(0, 2), sha)
    expect(sealedWith(archive(second.sha256))).toBe(2)
    expect(sealedWith(archive(firstSha))).toBe(1)
    // The attachment, sealed with key 1, still opens.
    expect(await (await asAdmin('GET', `/api/attachments/${attachmentId}`)).text()).toBe(ATTACHMENT)
    const before = JSON.parse((await kho(['keys', 'list', '--json'])).stdout) as { current: number; keys: { id: number; files: number }[]; clear: number }
    expect(before.current).toBe(2)
    expect(before.keys.find((k) => k.id === 1)!.files).toBeGreaterThan(0)
    expect(before.clear).toBe(0)

    await kho(['keys', 'reseal', '--json'])
    const after = JSON.parse((await kho(['keys', 'list', '--json'])).stdout) as { keys: { id: number; files: number }[] }
    expect(after.keys).toEqual([
      { id: 1, files: 0 },
      { id: 2, files: before.keys.reduce((n, k) => n + k.files, 0) },
    ])
    expect(await (await asAdmin('GET', `/api/attachments/${attachmentId}`)).text()).toBe(ATTACHMENT)

    // The warehouse's disk keeps both keys: after a restart the parts written with key 1 still read.
    await service.stop()
    service = await startService(loadConfig(env))
    const [n] = await queryRows<{ n: number }>(service.ctx.wh.client, 'SELECT count() AS n FROM raw.dan_cu')
    expect(Number(n!.n)).toBe(45)
    expect((await upload('dan-cu-4.json', residentsJson(45, 5))).status).toBe('committed')
    expect(clearUnder(home, needles(0, 50), [path.join(home, 'keys')])).toEqual([])
  }, 180_000)
})

describe('kill -9 during a backup and during a restore', () => {
  /** Runs `kho …` and kills it with SIGKILL once `ready()` holds; returns whether it was still running. */
  async function killWhen(args: string[], extra: Record<string, string>, ready: () => boolean): Promise<boolean> {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env: { ...env, ...extra }, stdio: 'ignore' })
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    let running = true
    child.once('exit', () => (running = false))
    for (let i = 0; i < 3000 && running && !ready(); i++) await new Promise((r) => setTimeout(r, 5))
    const killedMidWay = running
    child.kill('SIGKILL')
    await exited
    return killedMidWay
  }

  it('no backup is listed that cannot restore, and the next start removes what the killed one wrote', async () => {
    await service.stop()
    const backups = path.join(home, 'backups')
    const listed = listBackups(backups).map((b) => b.id)
    const partial = () => fs.existsSync(backups) && fs.readdirSync(backups).some((f) => f.endsWith('.partial') && fs.readdirSync(path.join(backups, f)).length > 3)
    expect(await killWhen(['backup', 'create'], { KHO_NOW: '2026-12-01T09:00:00+07:00' }, partial)).toBe(true)
    expect(listBackups(backups).map((b) => b.id)).toEqual(listed)
    service = await startService(loadConfig(env))
    expect(fs.readdirSync(backups).filter((f) => f.startsWith('.'))).toEqual([])
    expect((await call('POST', '/api/admin/backups')).status).toBe(200)
    expect(listBackups(backups)).toHaveLength(listed.length + 1)
  }, 180_000)

  it('a restore killed half-way leaves a home kho will not open, and restoring again gives it whole', async () => {
    const target = tempDir('kho-at-rest-killed-restore-')
    const [backup] = listBackups(path.join(home, 'backups'))
    const tables = () => (fs.existsSync(path.join(target, 'warehouse', 'metadata', 'raw')) ? fs.readdirSync(path.join(target, 'warehouse', 'metadata', 'raw')).length : 0)
    expect(await killWhen(['backup', 'restore', backup!.id, '--home', target], {}, () => tables() > 3)).toBe(true)
    expect(fs.existsSync(path.join(target, RESTORING))).toBe(true)
    const refused = await kho(['status'], { KHO_HOME: target }).catch((e: { code: number; stderr: string }) => e)
    expect((refused as { code: number }).code).not.toBe(0)
    expect((refused as { stderr: string }).stderr).toMatch(/khôi phục chưa xong.*restore that never finished/s)
    const { stdout } = await kho(['backup', 'restore', backup!.id, '--home', target, '--json'])
    expect((JSON.parse(stdout) as { tables: { ok: boolean }[] }).tables.every((t) => t.ok)).toBe(true)
    expect(fs.existsSync(path.join(target, RESTORING))).toBe(false)
    const status = JSON.parse((await kho(['status', '--json'], { KHO_HOME: target })).stdout) as { tables: Record<string, number> }
    expect(status.tables['raw.dan_cu']).toBe(50)
  }, 240_000)
})

describe('a home written before encryption', () => {
  it('is sealed on start: the warehouse parts move onto the encrypted disk, clear archive files are sealed', async () => {
    // The embedded engine opens one data directory per process: the service steps aside.
    await service.stop()
    const old = tempDir('kho-at-rest-old-')
    // The warehouse as a release before encryption left it: a clear disk, a table of residents.
    const plain = openWarehouse({ kind: 'chdb', dataDir: path.join(old, 'warehouse') })
    await plain.client.command({ query: 'CREATE DATABASE IF NOT EXISTS raw' })
    await plain.client.command({ query: 'CREATE TABLE raw.cu_dan_cu (cccd String, ho_ten String) ENGINE = MergeTree ORDER BY cccd' })
    await plain.client.insert({ table: 'raw.cu_dan_cu', values: Array.from({ length: 10 }, (_, i) => ({ cccd: resident(100 + i).cccd, ho_ten: resident(100 + i).name })), format: 'JSONEachRow' })
    await plain.close()
    const clearFile = path.join(old, 'archive', 'ab', 'ab'.padEnd(64, '0'))
    fs.mkdirSync(path.dirname(clearFile), { recursive: true })
    fs.writeFileSync(clearFile, residentsJson(100, 10))
    expect(clearUnder(old, needles(100, 10)).length).toBeGreaterThan(1)

    const upgraded = await startService(loadConfig({ ...env, KHO_HOME: old }))
    try {
      const parts = await queryRows<{ disk: string }>(upgraded.ctx.wh.client, `SELECT DISTINCT disk_name AS disk FROM system.parts WHERE active AND database = 'raw'`)
      expect(parts).toEqual([{ disk: 'sealed' }])
      for (let i = 0; i < 100 && sealedWith(clearFile) === null; i++) await new Promise((r) => setTimeout(r, 50))
      expect(sealedWith(clearFile)).toBe(1)
      const [n] = await queryRows<{ n: number }>(upgraded.ctx.wh.client, 'SELECT count() AS n FROM raw.cu_dan_cu')
      expect(Number(n!.n)).toBe(10)
    } finally {
      await upgraded.stop()
    }
    expect(clearUnder(old, needles(100, 10), [path.join(old, 'keys')])).toEqual([])
    // Without its keys the encrypted warehouse is refused, not opened empty (and written in clear).
    expect(() => openWarehouse({ kind: 'chdb', dataDir: path.join(old, 'warehouse') })).toThrow(/KHO_KEYS_DIR/)
  }, 120_000)
})
