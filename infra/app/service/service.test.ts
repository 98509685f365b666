import { execFile } from 'node:child_process'
import fs from 'node:fs'
import ExcelJS from 'exceljs'
import path from 'node:path'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { loadConfig } from '../../config.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { queryRows } from '../../warehouse/client.ts'
import { migrations } from '../../warehouse/migrations.ts'
import { readServiceFile } from './service-file.ts'
import { startService, type RunningService } from './start-service.ts'

const run = promisify(execFile)
const home = tempDir('kho-service-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.02', KHO_LOG_LEVEL: 'silent' }

/** Runs the real CLI as a user would, in its own process. */
async function kho(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env, cwd: PROJECT_ROOT })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let service: RunningService
let tablesWhileServing: Record<string, number>

beforeAll(async () => {
  service = await startService(loadConfig(env))
  await service.demoDone
}, 180_000)
afterAll(async () => {
  await service?.stop()
})

async function get(p: string) {
  const res = await fetch(service.url + p)
  return { status: res.status, body: (await res.json()) as any }
}

describe('the kho service with the demo province', () => {
  it('answers /healthz with engine chdb, schema version and row counts once the demo is in', async () => {
    // The public learns only that the service is up; a steward (here the local CLI's token) the details.
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    const res = await fetch(service.url + '/healthz', { headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
    const [status, body] = [res.status, (await res.json()) as any]
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'ok', engine: 'chdb', schemaVersion: migrations.length, demo: { state: 'ready' } })
    expect(body.version).toMatch(/^\d+\.\d+/)
    // 4,000 citizens delivered and kept as delivered; the deliberate defects are rejected (kept in raw, marked).
    expect(body.tables['raw.dan_cu']).toBe(4000)
    expect(body.tables['meta.rejects']).toBeGreaterThan(0)
    expect(body.tables['raw.doanh_nghiep']).toBeGreaterThanOrEqual(390)
    expect(body.tables['raw.chi_tieu_kt_xh']).toBeGreaterThan(50_000)
    expect(body.loads.committed).toBeGreaterThan(300)
    expect((await get('/readyz')).status).toBe(200)
    tablesWhileServing = body.tables
  })

  it("shows the demo's deliberate defects in the scorecard, not as wrong numbers", async () => {
    const q = <T>(sql: string) => queryRows<T>(service.ctx.wh.client, sql)
    // Bảo hiểm xã hội delivers late half the time: its timeliness trails Công an tỉnh's.
    const [t] = await q<{ bhxh: number; ca: number }>(
      "SELECT avgIf(timeliness, agency = 'BHXH_TINH') AS bhxh, avgIf(timeliness, agency = 'CA_TINH') AS ca FROM marts.fct_quality_score",
    )
    expect(t!.bhxh).toBeLessThan(t!.ca)
    expect(Number((await q<{ n: number }>("SELECT count() AS n FROM marts.fct_submission WHERE agency = 'BHXH_TINH' AND status = 'late'"))[0]!.n)).toBeGreaterThan(0)
    // Bad CCCDs are rejected rows, which lower the police's validity when the register arrives.
    const [v] = await q<{ v: number }>("SELECT min(validity) AS v FROM marts.fct_quality_score WHERE agency = 'CA_TINH' AND validity IS NOT NULL")
    expect(v!.v).toBeLessThan(100)
    expect(v!.v).toBeGreaterThan(95)
    // Duplicate people are resolved, not counted twice.
    const [dup] = await q<{ n: number; u: number }>('SELECT count() AS n, uniqExact(id_number) AS u FROM marts.dim_citizen')
    expect(Number(dup!.n)).toBe(Number(dup!.u))
  })

  it("alerts on the demo's overdue obligations: stewards see all, an agency's officer only its own, the public nothing", async () => {
    const signIn = async (username: string) => {
      const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'kho-demo-2026' }) })
      return ((await res.json()) as { token: string }).token
    }
    const check = await fetch(`${service.url}/api/alerts/check`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
    expect(check.status).toBe(200)
    const list = async (token: string, state = 'open') => {
      const res = await fetch(`${service.url}/api/alerts?state=${state}`, { headers: { authorization: token } })
      return { status: res.status, alerts: ((await res.json()) as { alerts: { rule: string; agency: string; key: string; title_vi: string }[] }).alerts }
    }
    const all = await list(await signIn('quantri'))
    const overdue = all.alerts.filter((a) => a.rule === 'dataset_overdue')
    expect(overdue.length).toBeGreaterThan(0)
    // The same obligations the portal lists as overdue: one alert per agency, dataset and period.
    const items = await queryRows<{ n: string }>(service.ctx.wh.client, "SELECT toString(count(DISTINCT (agency, dataset, period))) AS n FROM marts.fct_submission WHERE status IN ('missing', 'rejected')")
    expect(overdue.length).toBe(Number(items[0]!.n))
    expect(overdue[0]!.title_vi).toMatch(/^Quá hạn nộp: /)
    const agency = overdue[0]!.agency
    const officer = (await import('../../access/accounts.ts')).DEMO_ACCOUNTS.find((a) => a.role === 'agency_officer' && a.agency === agency)
    if (officer) {
      const theirs = await list(await signIn(officer.username))
      expect(theirs.alerts.length).toBeGreaterThan(0)
      expect(new Set(theirs.alerts.map((a) => a.agency))).toEqual(new Set([agency]))
    }
    // Checked again: the same alerts, none opened twice.
    await fetch(`${service.url}/api/alerts/check`, { method: 'POST', headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
    const again = await list(await signIn('quantri'), 'all')
    expect(again.alerts.filter((a) => a.rule === 'dataset_overdue').length).toBe(overdue.length)
    expect((await fetch(`${service.url}/api/alerts`)).status).toBe(401)
    expect((await list(await signIn('phantich'))).status).toBe(403)
  })

  it('serves the catalogue', async () => {
    const catalog = await get('/api/catalog')
    // The four shipped datasets and the seven the demo's agencies register through the catalogue.
    expect(catalog.body.counts).toEqual({ agencies: 113, datasets: 11, indicators: 48, communes: 99 })
    const danCu = await get('/api/catalog/datasets/dan_cu')
    expect(danCu.body).toMatchObject({ owner: 'CA_TINH', personal_data: true, deadline: { after: 'period_end', days: 15 } })
    const bySector = await get('/api/catalog/indicators?sector=thuong_mai')
    expect(bySector.body.map((i: { code: string }) => i.code)).toEqual(['EXPORT_VAL', 'IMPORT_VAL'])
    const agency = await get('/api/catalog/agencies/SO_TC')
    expect(agency.body.datasets).toEqual(['chi_tieu_kt_xh', 'doanh_nghiep', 'nop_thue'])
    const communes = await get('/api/catalog/admin-units')
    expect(communes.body).toHaveLength(99)
  })

  it('answers bad input with 4xx and a Vietnamese message, never a 500', async () => {
    const missing = await get('/api/catalog/datasets/khong_co')
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'Không tìm thấy bộ dữ liệu / dataset "khong_co"' })
    const badKind = await get("/api/catalog/agencies?kind=' OR 1=1 --")
    expect(badKind.status).toBe(400)
    expect(badKind.body.error.message).toMatch(/^Yêu cầu không hợp lệ: kind/)
    const lostZero = await get('/api/catalog/admin-units/7210')
    expect(lostZero.body.error.code).toBe('commune.leading_zero_lost')
    const noRoute = await get('/api/nothing')
    expect(noRoute.status).toBe(404)
  })

  it('refuses admin commands without the service token', async () => {
    const res = await fetch(service.url + '/api/admin/migrate', { method: 'POST' })
    expect(res.status).toBe(401)
  })

  it('routes CLI commands through the running service', async () => {
    expect(readServiceFile(home)?.url).toBe(service.url)
    const status = await kho('status', '--json')
    expect(status.code).toBe(0)
    const body = JSON.parse(status.stdout)
    expect(body.via).toEqual({ via: 'service', url: service.url })
    expect(body.engine).toBe('chdb')
    // The same tables and counts, but for the scheduled jobs' history, which the digest may be writing
    // meanwhile, the audit log, which the requests in between add to, and the rows stored by tables
    // that keep versions (ReplacingMergeTree), which a background merge may collapse in between.
    const replacing = new Set(
      (await queryRows<{ t: string }>(service.ctx.wh.client, "SELECT concat(database, '.', name) AS t FROM system.tables WHERE engine LIKE 'Replacing%'")).map((r) => r.t),
    )
    const comparable = (t: Record<string, number>) =>
      Object.fromEntries(Object.entries(t).map(([k, n]) => [k, replacing.has(k) ? 'versions' : n]).filter(([k]) => k !== 'meta.job_runs' && k !== 'meta.audit'))
    expect(comparable(body.tables)).toEqual(comparable(tablesWhileServing))
    // `transform test` tests and builds nothing (it used to post to the run route and rebuild the marts).
    const runsBefore = Number((await queryRows<{ n: string }>(service.ctx.wh.client, 'SELECT count() AS n FROM meta.runs'))[0]!.n)
    const tested = await kho('transform', 'test', '--json')
    expect(tested.code, tested.stderr).toBe(0)
    const outcome = JSON.parse(tested.stdout)
    expect(outcome.run.results).toEqual([])
    expect(outcome.tests.results.length).toBeGreaterThan(10)
    expect(Number((await queryRows<{ n: string }>(service.ctx.wh.client, 'SELECT count() AS n FROM meta.runs'))[0]!.n)).toBe(runsBefore)
    const migrated = await kho('migrate', '--json')
    expect(JSON.parse(migrated.stdout)).toMatchObject({ applied: [], version: migrations.length, via: { via: 'service' } })
    // A template for a dataset registered in the product (not a YAML file of loaders/datasets/), the service's own bytes.
    const file = path.join(home, 'mau-truong-hoc.xlsx')
    const template = await kho('template', 'truong_hoc', '--out', file, '--json')
    expect(template.code, template.stderr).toBe(0)
    expect(JSON.parse(template.stdout)).toMatchObject({ dataset: 'truong_hoc', via: { via: 'service' } })
    const served = Buffer.from(await (await fetch(`${service.url}/api/datasets/truong_hoc/template.xlsx`)).arrayBuffer())
    const sheets = async (bytes: Buffer) => {
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(bytes as unknown as ArrayBuffer)
      return wb.worksheets.map((ws) => [ws.name, ws.getSheetValues().slice(0, 6)])
    }
    expect(await sheets(fs.readFileSync(file))).toEqual(await sheets(served))
    const unknown = await kho('template', 'khong_co', '--out', file)
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toContain('khong_co')
  }, 150_000)

  it('after a stop, the CLI opens the warehouse itself; a restart keeps the data and does not seed again', async () => {
    await service.stop()
    expect(readServiceFile(home)).toBeNull()
    const status = await kho('status', '--json')
    expect(status.code, status.stderr).toBe(0)
    const body = JSON.parse(status.stdout)
    expect(body.via).toEqual({ via: 'direct', dataDir: path.join(home, 'warehouse') })
    expect(body.tables['raw.dan_cu']).toBe(tablesWhileServing['raw.dan_cu'])
    // In-process the command sends the same request to the same route: `transform test` builds nothing.
    const tested = await kho('transform', 'test', '--json')
    expect(tested.code, tested.stderr).toBe(0)
    expect(JSON.parse(tested.stdout)).toMatchObject({ run: { results: [] }, via: { via: 'direct' } })
    const template = await kho('template', 'truong_hoc', '--out', path.join(home, 'mau-2.xlsx'), '--json')
    expect(template.code, template.stderr).toBe(0)
    expect(JSON.parse(template.stdout)).toMatchObject({ dataset: 'truong_hoc', via: { via: 'direct' } })

    service = await startService(loadConfig(env))
    await service.demoDone
    const again = { body: (await (await fetch(service.url + '/healthz', { headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })).json()) as any }
    expect(again.body.tables['raw.dan_cu']).toBe(tablesWhileServing['raw.dan_cu'])
    expect(again.body.loads.committed).toBe(body.loads.committed)
    // Three CLI processes each open the warehouse in turn, then the service restarts: ≈ 30 s alone,
    // twice that on a busy machine.
  }, 150_000)

  it('gives usage errors exit code 2', async () => {
    expect((await kho('frobnicate')).code).toBe(2)
    expect((await kho('seed')).stderr).toContain('--demo')
    expect((await kho('status', '--bogus')).code).toBe(2)
  })
})
