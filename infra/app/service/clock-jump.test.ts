import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { openWarehouse, queryRows } from '../../warehouse/client.ts'
import { readServiceFile, type ServiceFile } from './service-file.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'

/*
 * Issue 41: the machine's clock moves while the service runs (libfaketime, a timestamp file the
 * test rewrites): across September's monthly deadline (15 October) and back, and forward again.
 * The obligations' statuses follow the calendar each time (a new day rebuilds the marts), and
 * nothing is done twice: no obligation twice, no scheduled job run twice for one time.
 */
const lib = fs.readdirSync('/usr/lib', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => path.join('/usr/lib', d.name, 'faketime/libfaketimeMT.so.1'))
  .find((f) => fs.existsSync(f))
const home = tempDir('kho-clock-jump-')
const clockFile = path.join(home, 'faketime')
let child: ChildProcess | null = null
let svc: ServiceFile
let admin = ''

/** Sets the service machine's clock (UTC). */
const setMachineClock = (utc: string) => fs.writeFileSync(clockFile, `@${utc}\n`)
const BEFORE = '2026-10-14 15:00:00' // 22:00 on 14 October in Vietnam: September is due tomorrow
const AFTER = '2026-10-16 01:00:00' // 08:00 on 16 October: it is overdue, the 07:00 digest has fired

interface Obligation { agency: string; dataset: string; indicator_code: string; period: string; due_on: string; status: string }
const september = (list: Obligation[]) => list.filter((o) => o.period === '2026-09' && o.due_on === '2026-10-15')
const key = (o: Obligation) => `${o.agency}/${o.dataset}/${o.indicator_code}`
async function signIn() {
  const login = await fetch(`${svc.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-rat-dai' }) })
  admin = ((await login.json()) as { token: string }).token
}
/** The list as a signed-in admin sees it; a day and a half later the session has ended: signed in again. */
async function list(name: 'upcoming' | 'overdue'): Promise<Obligation[]> {
  const get = () => fetch(`${svc.url}/api/submissions/${name}?days=3`, { headers: { authorization: `Bearer ${admin}` } })
  let res = await get()
  if (res.status === 401) {
    await signIn()
    res = await get()
  }
  expect(res.status).toBe(200)
  return september((await res.json()) as Obligation[])
}

/** Waits until the lists say what the calendar does (the day watcher rebuilds the marts). */
async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 240; i++) {
    if (await check()) return
    await sleep(500)
  }
  throw new Error(`never: ${what}`)
}

beforeAll(async () => {
  if (!lib) throw new Error('libfaketime is missing (apt-get install faketime)')
  setMachineClock(BEFORE)
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/app/service/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      // The machine's clock, faked, instead of the clock the other tests pin kho to.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'KHO_NOW' && k !== 'KHO_NOW_SINCE')),
      KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_JOB_CHECK_S: '1', KHO_ALERT_CHECK_S: '0',
      KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai',
      LD_PRELOAD: lib, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_CACHE_DURATION: '1', FAKETIME_DISABLE_SHM: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    stdio: 'ignore',
  })
  for (let i = 0; i < 1200 && !svc; i++) {
    const s = readServiceFile(home)
    if (s && s.pid === child.pid && (await fetch(`${s.url}/readyz`).catch(() => null))?.status === 200) svc = s
    else await sleep(100)
  }
  if (!svc) throw new Error('the service did not start')
  await signIn()
  // August's report arrives (late): monthly reports are owed from August on, September's due 15 October.
  const form = new FormData()
  form.set('dataset', 'chi_tieu_kt_xh')
  form.set('agency', 'SO_CT')
  form.set('file', new Blob(['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri\nEXPORT_VAL,2026-08,24,123456\n']), 'bao-cao-thang-8.csv')
  const delivered = await fetch(`${svc.url}/api/loads`, { method: 'POST', body: form, headers: { [SERVICE_TOKEN_HEADER]: svc.token } })
  expect(((await delivered.json()) as { status: string }).status).toBe('committed')
  const built = await fetch(`${svc.url}/api/admin/transform/run`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: svc.token, 'content-type': 'application/json' }, body: '{}' })
  expect(built.status).toBe(200)
}, 600_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.on('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
})

describe('the clock moved across a deadline and back', () => {
  it('statuses follow the calendar each way, and nothing is done twice', async () => {
    const due = await list('upcoming')
    expect(due.length).toBeGreaterThan(0)
    expect(due.every((o) => o.status === 'pending')).toBe(true)
    expect(await list('overdue')).toEqual([])
    const obligations = due.map(key).sort()

    setMachineClock(AFTER)
    await until(async () => (await list('overdue')).length === obligations.length, 'overdue after the deadline')
    const overdue = await list('overdue')
    expect(overdue.map(key).sort()).toEqual(obligations)
    expect(overdue.every((o) => o.status === 'missing')).toBe(true)
    expect(await list('upcoming')).toEqual([])

    setMachineClock(BEFORE)
    await until(async () => (await list('upcoming')).length === obligations.length, 'pending again with the clock set back')
    expect(await list('overdue')).toEqual([])

    setMachineClock(AFTER)
    await until(async () => (await list('overdue')).length === obligations.length, 'overdue again')

    const exited = new Promise((resolve) => child!.on('exit', resolve))
    child!.kill('SIGTERM')
    await exited
    const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(home, 'warehouse'), keysDir: path.join(home, 'keys') })
    try {
      const twice = await queryRows<{ k: string }>(wh.client, 'SELECT concat(agency, dataset, indicator_code, period) AS k FROM marts.fct_submission GROUP BY k HAVING count() > 1')
      expect(twice).toEqual([])
      const runs = await queryRows<{ job: string; at: string; n: number }>(
        wh.client,
        "SELECT job, toString(scheduled_for) AS at, count() AS n FROM meta.job_runs FINAL WHERE trigger != 'manual' AND status != 'skipped' GROUP BY job, at ORDER BY job, at",
      )
      expect(runs.filter((r) => Number(r.n) > 1)).toEqual([])
      // The 07:00 digest of 16 October ran once, though the clock passed 07:00 twice.
      expect(runs.filter((r) => r.job === 'digest')).toEqual([{ job: 'digest', at: '2026-10-16 00:00:00.000', n: 1 }])
    } finally {
      await wh.close()
    }
  }, 600_000)
})
