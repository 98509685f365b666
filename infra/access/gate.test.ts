import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../config.ts'
import { startService, type RunningService } from '../app/service/start-service.ts'
import { tempDir } from '../testing/temp-warehouse.ts'
import { queryRows } from '../warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { passwordWork, saveAccount } from './accounts.ts'
import { AuditLog } from './audit-log.ts'
import { accessGate, SERVICE_TOKEN_HEADER } from './gate.ts'
import { signJwt } from './tokens.ts'
import { openAuditSeal } from './audit-seal.ts'

const home = tempDir('kho-gate-')
const env = {
  ...process.env,
  KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0',
  KHO_LOGIN_ATTEMPTS: '4', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '8', KHO_API_RATE_PER_MIN: '100000',
}
let service: RunningService
let rejectedLoad = ''
const PASSWORD = 'mot-mat-khau-dai'

const token = (ctx: Record<string, unknown>, ttl?: number) => signJwt(ctx, service.ctx.secret, ttl)
const ROLE_TOKENS = () => ({
  anonymous: undefined,
  leader: token({ role: 'leader', sub: 't.leader' }),
  analyst: token({ role: 'analyst', sub: 't.analyst' }),
  officer: token({ role: 'agency_officer', agency: 'SO_TC', sub: 't.officer' }),
  steward: token({ role: 'steward', sub: 't.steward' }),
  admin: token({ role: 'admin', sub: 't.admin' }),
})
type RoleName = keyof ReturnType<typeof ROLE_TOKENS>

async function inject(method: string, url: string, opts: { auth?: string; body?: unknown; headers?: Record<string, string>; ip?: string } = {}) {
  const res = await service.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(opts.auth ? { authorization: opts.auth } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    ...(opts.ip ? { remoteAddress: opts.ip } : {}),
  })
  let body: any = res.body
  try {
    body = JSON.parse(res.body)
  } catch {
    // not JSON
  }
  return { status: res.statusCode, body, raw: res }
}

const load = (query: unknown, auth?: string, purpose?: string) =>
  inject('POST', '/cubejs-api/v1/load', { auth, body: { query }, headers: purpose ? { 'x-kho-purpose': encodeURIComponent(purpose) } : {} })

async function deliver(name: string, dataset: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, lines.join('\n'))
  return loadFile({ wh: service.ctx.wh, catalog: service.ctx.catalog, archiveDir: path.join(home, 'archive'), file, dataset, agency, channel: 'file' })
}

beforeAll(async () => {
  service = await startService(loadConfig(env))
  await service.demoDone
  const header = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật'
  // 50 men of 07210 born in 1990, 11 women born in 2000, and one man born in 1950: a cell of 1 in '65+'.
  const men = Array.from({ length: 50 }, (_, i) => `02709000${1000 + i},Người Nam ${i},01/02/1990,Nam,07210,Số ${i} Ngô Gia Tự,01/10/2026`)
  const women = Array.from({ length: 11 }, (_, i) => `02730000${2000 + i},Người Nữ ${i},01/02/2000,Nữ,07210,Số ${i} Lý Thái Tổ,01/10/2026`)
  const elder = '027050003000,Trần Văn Cụ,03/04/1950,Nam,07210,Xóm Chùa,01/10/2026'
  // Two rejected rows: a CCCD that lost its leading zero, and an impossible birth date.
  const bad = ['27090009999,Nguyễn Văn An,01/02/1990,Nam,07210,Số 9 Trần Phú,01/10/2026', '027090008888,Lê Thị Bình,31/02/1990,Nữ,07210,Số 8 Trần Phú,01/10/2026']
  const report = await deliver('dan-cu.csv', 'dan_cu', 'CA_TINH', [header, ...men, ...women, elder, ...bad])
  expect(report.rowsRejected).toBe(2)
  rejectedLoad = report.loadId
  await service.ctx.transforms.run()
}, 120_000)
afterAll(() => service.stop())

describe('the gate', () => {
  it('has a declaration for every route fastify registered', () => {
    const undeclared = service.app.routeList.filter((r) => r.access === null).map((r) => `${r.method} ${r.url}`)
    expect(service.app.routeList.length).toBeGreaterThan(50)
    expect(undeclared).toEqual([])
  })

  it('refuses everyone on a route registered without a declaration', async () => {
    const app = Fastify()
    const audit = new AuditLog(service.ctx.wh, openAuditSeal(tempDir('kho-audit-seal-')))
    const routes = accessGate(app, { wh: service.ctx.wh, secret: 's'.repeat(32), maxTokenSeconds: 3600, serviceToken: 't'.repeat(48), audit })
    app.get('/quen-khai-bao', async () => ({ secret: 'data' }))
    app.get('/cong-khai', { config: { access: { kind: 'public' } } }, async () => ({ ok: true }))
    expect(routes.find((r) => r.url === '/quen-khai-bao')?.access).toBeNull()
    const refused = await app.inject({ method: 'GET', url: '/quen-khai-bao', headers: { [SERVICE_TOKEN_HEADER]: 't'.repeat(48) } })
    expect(refused.statusCode).toBe(403)
    expect(refused.body).not.toContain('data')
    expect((await app.inject({ method: 'GET', url: '/cong-khai' })).statusCode).toBe(200)
    await app.close()
  })

  /**
   * Who may call what, written out by hand: P public, S signed in, L provincial roles (leader,
   * analyst, steward, admin), W stewards and admins, A admins, U uploaders and those answering error reports (officers, stewards,
   * admins), O officers, R those told of alerts (leaders, officers, stewards, admins), C the local CLI only, K an agency's push key only. Every registered route is here.
   */
  const MATRIX: [string, string, 'P' | 'S' | 'L' | 'W' | 'A' | 'U' | 'O' | 'R' | 'C' | 'K'][] = [
    ['GET', '/healthz', 'P'], ['GET', '/readyz', 'P'], ['GET', '/status', 'P'], ['GET', '/metrics', 'W'],
    ['GET', '/', 'P'], ['GET', '/assets/khong-co.js', 'P'], ['GET', '/login', 'P'], ['GET', '/kiosk', 'P'], ['GET', '/explorer', 'P'], ['GET', '/portal', 'P'], ['GET', '/sharing', 'P'],
    ['GET', '/quality', 'P'], ['GET', '/catalog', 'P'], ['GET', '/briefings', 'P'], ['GET', '/reports', 'P'], ['GET', '/alerts', 'P'], ['GET', '/admin', 'P'],
    ['GET', '/api/catalog', 'P'], ['GET', '/api/catalog/agencies', 'P'], ['GET', '/api/catalog/agencies/SO_TC', 'P'], ['GET', '/api/catalog/datasets', 'P'],
    ['GET', '/api/catalog/datasets/dan_cu', 'P'], ['GET', '/api/catalog/indicators', 'P'], ['GET', '/api/catalog/indicators/GRDP_CUR', 'P'], ['GET', '/api/catalog/sectors', 'P'], ['GET', '/api/catalog/dictionary', 'P'],
    ['GET', '/api/catalog/admin-units', 'P'], ['GET', '/api/catalog/admin-units/07210', 'P'], ['GET', '/api/datasets/dan_cu/template.xlsx', 'P'],
    ['GET', '/api/open-data', 'P'], ['GET', '/open-data', 'P'], ['GET', '/open-data/khong-co.csv', 'P'],
    ['POST', '/api/auth/login', 'P'], ['GET', '/api/auth/me', 'S'],
    ['GET', '/cubejs-api/v1/load', 'P'], ['POST', '/cubejs-api/v1/load', 'P'], ['GET', '/cubejs-api/v1/meta', 'P'], ['GET', '/cubejs-api/v1/sql', 'P'],
    ['POST', '/cubejs-api/v1/sql', 'P'], ['GET', '/cubejs-api/v1/dry-run', 'P'], ['POST', '/cubejs-api/v1/dry-run', 'P'], ['POST', '/api/export', 'P'], ['GET', '/cubejs-api/graphql', 'P'], ['POST', '/cubejs-api/graphql', 'P'], ['GET', '/api/live', 'P'],
    ['GET', '/api/lineage', 'S'], ['GET', '/api/freshness', 'S'], ['GET', '/api/transform/runs', 'W'], ['POST', '/api/admin/transform/run', 'C'], ['POST', '/api/admin/transform/test', 'C'],
    ['GET', '/api/submissions/upcoming', 'S'], ['GET', '/api/submissions/overdue', 'S'], ['GET', '/api/submissions/late', 'S'], ['GET', '/api/submissions/digest', 'S'],
    ['GET', '/api/quality/outliers', 'S'], ['POST', '/api/quality/outliers/review', 'W'], ['GET', '/api/quality/rejects', 'S'],
    ['GET', '/api/loads', 'S'], ['GET', '/api/loads/khong-co/rejects.json', 'S'], ['POST', '/api/loads', 'U'], ['POST', '/api/datasets/dan_cu/records', 'K'],
    ['GET', '/api/loads/khong-co/attachments', 'S'], ['POST', '/api/loads/khong-co/attachments', 'U'], ['GET', '/api/catalog/datasets/khong_co/attachments', 'S'],
    ['POST', '/api/catalog/datasets/khong_co/attachments', 'U'], ['GET', '/api/attachments/khong-co', 'S'],
    ['GET', '/api/saved-queries', 'S'], ['POST', '/api/saved-queries', 'S'], ['DELETE', '/api/saved-queries/khong-co', 'S'],
    ['GET', '/api/dashboards/ioc', 'S'], ['GET', '/api/briefings', 'L'], ['GET', '/api/briefings/kt_xh_quy/files/khong-co.xlsx', 'L'], ['POST', '/api/briefings/khong-co/run', 'L'],
    ['GET', '/api/error-reports', 'S'], ['POST', '/api/error-reports', 'S'], ['POST', '/api/error-reports/khong-co/answer', 'U'],
    ['GET', '/api/open-data/khong-co/versions', 'P'], ['GET', '/api/3/action/package_list', 'P'], ['GET', '/api/3/action/package_show', 'P'], ['GET', '/api/3/action/package_search', 'P'],
    ['POST', '/api/open-data/proposals', 'O'], ['GET', '/api/open-data/proposals', 'U'], ['POST', '/api/open-data/proposals/khong-co/decide', 'W'],
    ['GET', '/api/alerts', 'R'], ['POST', '/api/alerts/check', 'W'], ['GET', '/api/jobs', 'W'], ['POST', '/api/jobs/khong-co/run', 'A'], ['GET', '/api/map/communes', 'S'], ['POST', '/api/map/communes', 'W'],
    ['GET', '/api/admin/accounts', 'W'], ['POST', '/api/admin/accounts', 'A'], ['PATCH', '/api/admin/accounts/khong-co', 'A'], ['GET', '/api/audit', 'W'],
    ['POST', '/api/admin/accounts/khong-co/reset-password', 'A'], ['POST', '/api/auth/password', 'S'], ['GET', '/api/audit/verify', 'W'],
    ['GET', '/api/catalog/proposals', 'S'], ['POST', '/api/catalog/proposals', 'U'], ['POST', '/api/catalog/proposals/khong_co/1/decision', 'W'],
    ['GET', '/api/sharing/datasets', 'S'], ['GET', '/api/sharing/requests', 'S'], ['POST', '/api/sharing/requests', 'O'],
    ['POST', '/api/sharing/requests/khong-co/decision', 'U'], ['POST', '/api/sharing/requests/khong-co/status', 'U'],
    ['GET', '/api/admin/systems', 'W'], ['GET', '/api/admin/account-review', 'W'], ['GET', '/api/admin/system-register', 'L'], ['POST', '/api/admin/systems', 'W'], ['PATCH', '/api/admin/systems/khong-co', 'W'],
    ['POST', '/api/admin/systems/khong-co/keys', 'W'], ['DELETE', '/api/admin/systems/khong-co/keys/khong-co', 'W'],
    ['POST', '/api/open-data', 'W'], ['DELETE', '/api/open-data/khong-co', 'W'],
    ['POST', '/api/admin/backups', 'C'], ['GET', '/api/admin/backups', 'C'], ['POST', '/api/admin/migrate', 'C'], ['POST', '/api/admin/api-keys', 'C'],
    ['DELETE', '/api/admin/api-keys/khong-co', 'C'], ['POST', '/api/admin/seed', 'C'],
    ['GET', '/api/admin/secrets', 'A'], ['PUT', '/api/admin/secrets/khong-co', 'A'], ['DELETE', '/api/admin/secrets/khong-co', 'A'],
    ['GET', '/api/admin/pull-hosts', 'W'], ['PUT', '/api/admin/pull-hosts/khong-co.example', 'W'], ['DELETE', '/api/admin/pull-hosts/khong-co.example', 'W'],
  ]
  const ALLOWED: Record<string, RoleName[]> = {
    P: ['anonymous', 'leader', 'analyst', 'officer', 'steward', 'admin'],
    S: ['leader', 'analyst', 'officer', 'steward', 'admin'],
    L: ['leader', 'analyst', 'steward', 'admin'],
    W: ['steward', 'admin'],
    A: ['admin'],
    U: ['officer', 'steward', 'admin'],
    O: ['officer'],
    R: ['leader', 'officer', 'steward', 'admin'],
    C: [],
    K: [],
  }

  it('answers each role and anonymous on every route as the matrix says', async () => {
    const listed = new Set(MATRIX.map(([m, u]) => `${m} ${u}`))
    const registered = service.app.routeList.filter((r) => r.method !== 'HEAD')
    const toPath = (url: string) => MATRIX.find(([m, u]) => `${m} ${u}` === url || false)
    // Every registered route (by its pattern) has a row: a new route must be added here.
    const patterns = MATRIX.map(([m, u]) => ({ m, u }))
    const matches = (pattern: string, url: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+').replace(/\*/g, '.*')}$`).test(url)
    for (const r of registered) {
      expect(patterns.some((p) => p.m === r.method && matches(r.url, p.u)), `${r.method} ${r.url} is missing from the matrix`).toBe(true)
    }
    expect(listed.size).toBe(MATRIX.length)
    expect(toPath('GET /healthz')).toBeDefined()
    const tokens = ROLE_TOKENS()
    const wrong: string[] = []
    for (const [method, url, who] of MATRIX) {
      for (const [role, auth] of Object.entries(tokens) as [RoleName, string | undefined][]) {
        const { status } = await inject(method, url, { auth, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) })
        const allowed = ALLOWED[who]!.includes(role)
        const expected = allowed ? 'not 401/403' : role === 'anonymous' || who === 'C' || who === 'K' ? 401 : 403
        const ok = allowed ? status !== 401 && status !== 403 && status < 500 : status === expected
        if (!ok) wrong.push(`${role} ${method} ${url}: ${status}, expected ${expected}`)
      }
    }
    expect(wrong).toEqual([])
  }, 120_000)

  it('audits every refusal at the gate', async () => {
    await inject('GET', '/api/audit', { auth: token({ role: 'analyst', sub: 'gate.refused' }) })
    await service.ctx.audit.flush()
    const rows = await queryRows<{ outcome: string; endpoint: string; reason: string }>(service.ctx.wh.client, "SELECT outcome, endpoint, reason FROM meta.audit WHERE account = 'gate.refused'")
    expect(rows).toEqual([{ outcome: 'denied', endpoint: 'GET /api/audit', reason: 'Role analyst may not do this' }])
  })
})

describe("the secret store's routes", () => {
  it('set a secret, list it by name only, refuse bad names and bodies with a 400, and delete it', async () => {
    const admin = token({ role: 'admin', sub: 't.admin' })
    expect((await inject('PUT', '/api/admin/secrets/dkkd-token', { auth: admin, body: { value: 'bi-mat-that' } })).status).toBe(200)
    const listed = await inject('GET', '/api/admin/secrets', { auth: admin })
    expect(listed.body).toEqual([expect.objectContaining({ name: 'dkkd-token', set_by: 't.admin' })])
    expect(JSON.stringify(listed.body)).not.toContain('bi-mat-that')
    expect((await inject('PUT', '/api/admin/secrets/KHO_ADMIN_PASSWORD', { auth: admin, body: { value: 'x' } })).status).toBe(400)
    for (const body of ['null', '[]', '{"value": ""}', '{"value": 5}', 'khong-phai-json']) {
      expect((await inject('PUT', '/api/admin/secrets/dkkd-token', { auth: admin, body })).status, body).toBe(400)
    }
    expect((await inject('DELETE', '/api/admin/secrets/dkkd-token', { auth: admin })).status).toBe(200)
    expect((await inject('DELETE', '/api/admin/secrets/dkkd-token', { auth: admin })).status).toBe(404)
  })
})

describe('finding 1: personal data through rejected rows', () => {
  const RAW_CCCD = '27090009999'

  it('masks the CCCD, name and birth date of rejected rows for a leader or an analyst, reasons included', async () => {
    for (const role of ['leader', 'analyst'] as const) {
      const res = await inject('GET', `/api/loads/${rejectedLoad}/rejects.json`, { auth: token({ role, sub: `t.${role}` }) })
      expect(res.status).toBe(200)
      const text = JSON.stringify(res.body)
      expect(text).not.toContain(RAW_CCCD)
      expect(text).not.toContain('31/02/1990')
      expect(res.body).toContainEqual(expect.objectContaining({ column: 'cccd', value: '270xxxxxxxx' }))
      expect(res.body).toContainEqual(expect.objectContaining({ column: 'ngay_sinh', value: 'xx/xx/1990' }))
      expect(res.body.find((r: any) => r.column === 'cccd').reason_vi).toContain('270xxxxxxxx')
      const quality = await inject('GET', '/api/quality/rejects?dataset=dan_cu', { auth: token({ role, sub: `t.${role}` }) })
      expect(quality.body.length).toBe(2)
      expect(JSON.stringify(quality.body)).not.toContain(RAW_CCCD)
    }
  })

  it('masks the whole rows in the fix-it workbook too', async () => {
    const res = await inject('GET', `/api/loads/${rejectedLoad}/rejects.xlsx`, { auth: token({ role: 'leader' }) })
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.raw.rawPayload as never)
    const cells: string[] = []
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value)))))
    const all = cells.join('|')
    expect(all).not.toContain(RAW_CCCD)
    expect(all).not.toContain('Nguyễn Văn An')
    expect(all).not.toContain('Số 9 Trần Phú')
    expect(all).toContain('N.V.A.')
  })

  it("shows them whole to the owner agency's officers and to a personal-data grant with a purpose, and audits each read", async () => {
    const owner = await inject('GET', `/api/loads/${rejectedLoad}/rejects.json`, { auth: token({ role: 'agency_officer', agency: 'CA_TINH', sub: 't.police' }) })
    expect(JSON.stringify(owner.body)).toContain(RAW_CCCD)
    const steward = token({ role: 'steward', personal_data: true, sub: 't.granted' })
    const noPurpose = await inject('GET', `/api/loads/${rejectedLoad}/rejects.json`, { auth: steward })
    expect(JSON.stringify(noPurpose.body)).not.toContain(RAW_CCCD)
    const withPurpose = await inject('GET', `/api/loads/${rejectedLoad}/rejects.json`, { auth: steward, headers: { 'x-kho-purpose': encodeURIComponent('Đối soát hồ sơ dân cư') } })
    expect(JSON.stringify(withPurpose.body)).toContain(RAW_CCCD)
    await inject('GET', `/api/loads/${rejectedLoad}/rejects.json`, { auth: token({ role: 'analyst', sub: 't.audited' }) })
    await service.ctx.audit.flush()
    const audit = await queryRows<Record<string, unknown>>(service.ctx.wh.client, "SELECT account, endpoint, datasets, row_count, reason, purpose FROM meta.audit WHERE endpoint = 'rejects' AND account IN ('t.granted', 't.audited') ORDER BY at")
    // Each names the dataset whose rows were read (it had said none).
    expect(audit).toEqual([
      { account: 't.granted', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: 'personal values masked', purpose: '' },
      { account: 't.granted', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: '', purpose: 'Đối soát hồ sơ dân cư' },
      { account: 't.audited', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: 'personal values masked', purpose: '' },
    ])
  })
})

describe('finding 2: small cells against adversarial public queries', () => {
  const people = (extra: Record<string, unknown> = {}) => load({ measures: ['population.people'], ...extra })
  const commune = { member: 'population.commune_code', operator: 'equals', values: ['07210'] }

  it('refuses filtering, HAVING and ordering on the protected count, and ungrouped rows', async () => {
    for (const n of ['1', '2', '3', '4']) {
      const res = await people({ dimensions: ['population.commune_code', 'population.age_band', 'population.gender'], filters: [{ member: 'population.people', operator: 'equals', values: [n] }] })
      expect(res.status).toBe(403)
      expect(res.body.error).toContain('population.people')
    }
    expect((await people({ dimensions: ['population.age_band'], filters: [{ or: [commune, { member: 'population.people', operator: 'lt', values: ['5'] }] }] })).status).toBe(403)
    expect((await people({ dimensions: ['population.age_band'], order: { 'population.people': 'asc' } })).status).toBe(403)
    expect((await people({ dimensions: ['population.age_band'], ungrouped: true })).status).toBe(403)
  })

  it('gives nothing away by differencing: every shown count is a multiple of 5, and the cell of 1 is not recovered', async () => {
    const total = (await people({ filters: [commune] })).body.data[0]['population.people']
    const without65 = (await people({ filters: [commune, { member: 'population.age_band', operator: 'notEquals', values: ['65+'] }] })).body.data[0]['population.people']
    const cell = (await people({ dimensions: ['population.age_band'], filters: [commune, { member: 'population.age_band', operator: 'equals', values: ['65+'] }] })).body.data
    expect(cell).toEqual([{ 'population.age_band': '65+', 'population.people': null }])
    for (const v of [total, without65]) expect(v % 5).toBe(0)
    // True counts: 62 and 61; the difference shown is 0 or a multiple of 5, never the 1 it hides.
    expect(Math.abs(total - without65) % 5).toBe(0)
    const cells = (await people({ dimensions: ['population.commune_code', 'population.age_band', 'population.gender'] })).body.data
    for (const c of cells) expect(c['population.people'] === null || c['population.people'] % 5 === 0).toBe(true)
  })

  it('answers the same people with the same number however the question is written, so repeating gains nothing', async () => {
    const bands = ['0-14', '15-24', '25-34', '35-44', '45-54', '55-64']
    const a = await people({ filters: [commune, { member: 'population.age_band', operator: 'notEquals', values: ['65+'] }] })
    const b = await people({ filters: [{ member: 'population.age_band', operator: 'equals', values: bands }, commune] })
    const c = await people({ dimensions: ['population.commune_code'], filters: [{ member: 'population.age_band', operator: 'notEquals', values: ['65+'] }] })
    expect(b.body.data[0]['population.people']).toBe(a.body.data[0]['population.people'])
    expect(c.body.data[0]['population.people']).toBe(a.body.data[0]['population.people'])
    for (let i = 0; i < 3; i++) expect((await people({ filters: [commune] })).body.data).toEqual((await people({ filters: [commune] })).body.data)
    // The cell key never leaves: not as a member the public may ask for, nor in an answer.
    expect((await load({ measures: ['population.cell_key'] })).status).toBe(400)
    expect(JSON.stringify(a.body)).not.toContain('cell_key')
  })

  it('still shows exact counts to provincial roles and the owner agency', async () => {
    const exact = await people({ filters: [commune] })
    expect((await load({ measures: ['population.people'], filters: [commune] }, token({ role: 'analyst' }))).body.data).toEqual([{ 'population.people': 62 }])
    expect((await load({ measures: ['population.people'], filters: [commune] }, token({ role: 'agency_officer', agency: 'CA_TINH' }))).body.data).toEqual([{ 'population.people': 62 }])
    // The public's 62 is 60 or 65.
    expect([60, 65]).toContain(exact.body.data[0]['population.people'])
  })
})

describe('finding 3: reads that needed no account', () => {
  it('closes transform runs, lineage and metrics, and tells the public only that the service is up', async () => {
    expect((await inject('GET', '/api/transform/runs')).status).toBe(401)
    expect((await inject('GET', '/api/lineage')).status).toBe(401)
    expect((await inject('GET', '/metrics')).status).toBe(401)
    const health = await inject('GET', '/healthz')
    expect(health.body).toEqual({ status: 'ok' })
    const detailed = await inject('GET', '/healthz', { auth: token({ role: 'steward' }) })
    expect(detailed.body.tables['meta.accounts']).toBeTypeOf('number')
    expect((await inject('GET', '/healthz', { auth: token({ role: 'analyst' }) })).body).toEqual({ status: 'ok' })
  })
})

describe('finding 4: bad input is a 400, never a 500', () => {
  const base = { measures: ['kt_xh.value'] }
  const cases: [string, unknown][] = [
    ['dateRange of words', { ...base, timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['abc', 'def'] }] }],
    ['impossible dates', { ...base, timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: ['2026-13-45', '2026-02-30'] }] }],
    ['SQL-ish date', { ...base, filters: [{ member: 'kt_xh.period_start', operator: 'beforeDate', values: ["'; DROP"] }] }],
    ['text for a number', { ...base, filters: [{ member: 'kt_xh.value', operator: 'gt', values: ['abc'] }] }],
    // Found by the fuzz test: ordering by a member of another view reached the engine as a 500.
    ['an order by a member the query does not return', { dimensions: ['population.age_band'], order: { 'kt_xh.value': 'asc' } }],
  ]
  for (const [what, query] of cases) {
    it(`refuses ${what} on /load and /sql with a reason in both languages`, async () => {
      for (const url of ['/cubejs-api/v1/load', '/cubejs-api/v1/sql', '/api/export']) {
        const res = await inject('POST', url, { body: { query }, auth: token({ role: 'analyst' }) })
        expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(400)
        // Cube's shape under /cubejs-api, kho's elsewhere: the reason in both languages either way.
        const [vi, en] = url.startsWith('/cubejs-api') ? [res.body.error, res.body.message_en] : [res.body.error.message, res.body.error.message_en]
        expect(vi).toMatch(/\S/)
        expect(en).toMatch(/\S/)
        expect(JSON.stringify(res.body)).not.toContain('Invalid date')
      }
    })
  }

  it('refuses filters nested 300 deep and a body nested 100,000 deep', async () => {
    let filter: unknown = { member: 'kt_xh.indicator_code', operator: 'equals', values: ['X'] }
    for (let i = 0; i < 300; i++) filter = { and: [filter] }
    const nested = await inject('POST', '/cubejs-api/v1/load', { body: { query: { ...base, filters: [filter] } } })
    expect(nested.status).toBe(400)
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const body = await inject('POST', '/cubejs-api/v1/load', { body: `{"query":${deep}}` })
    expect(body.status).toBe(400)
    expect(body.body.message_en ?? body.body.error.message_en).toMatch(/nested too deep/)
    const get = await inject('GET', `/cubejs-api/v1/load?query=${encodeURIComponent(deep.slice(0, 20_000) + deep.slice(-20_000))}`)
    expect(get.status).toBe(400)
    const login = await inject('POST', '/api/auth/login', { body: deep })
    expect(login.status).toBe(400)
  })

  it('answers a transform selector naming no model with a 400, not a server error', async () => {
    for (const url of ['/api/admin/transform/test', '/api/admin/transform/run']) {
      const res = await inject('POST', url, { body: { select: ['khong_co_mo_hinh+'] }, headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })
      expect(res.status, url).toBe(400)
      expect(res.body.error.message_en).toContain('no model named khong_co_mo_hinh')
    }
  })

  it('refuses a body over the limit with 413 and a prototype key with 400', async () => {
    expect((await inject('POST', '/api/auth/login', { body: JSON.stringify({ username: 'x', password: 'y'.repeat(2 << 20) }) })).status).toBe(413)
    expect((await inject('POST', '/api/auth/login', { body: '{"__proto__":{"admin":true},"username":"a","password":"b"}' })).status).toBe(400)
  })
})

describe('finding 5: tokens', () => {
  it('refuses a token with characters outside base64url appended, and a no-break space after Bearer', async () => {
    const t = token({ role: 'analyst', sub: 't.strict' })
    expect((await inject('GET', '/api/auth/me', { auth: `Bearer ${t}` })).status).toBe(200)
    for (const bad of [`Bearer ${t}!`, `Bearer ${t}~~`, `${t}=`, `Bearer\u00a0${t}`, `Bearer \u00a0`, 'Basic dXNlcjpwYXNz', `Bearer  ${t}`]) {
      const res = await inject('GET', '/api/auth/me', { auth: bad })
      expect(res.status, JSON.stringify(bad)).toBe(401)
      // On an open route too: a presented credential that does not hold is never read as anonymous.
      expect((await load({ measures: ['kt_xh.value'] }, bad)).status, JSON.stringify(bad)).toBe(401)
    }
  })

  it('refuses a token without an expiry, or one that lives longer than a session', async () => {
    const forever = signJwt({ role: 'admin', exp: undefined }, service.ctx.secret)
    const [h, , s] = forever.split('.')
    const noExp = `${h}.${Buffer.from(JSON.stringify({ role: 'admin' })).toString('base64url')}.${s}`
    expect((await inject('GET', '/api/admin/accounts', { auth: noExp })).status).toBe(401)
    const resigned = signJwt({ role: 'admin' }, service.ctx.secret, 30 * 24 * 3600)
    const res = await inject('GET', '/api/admin/accounts', { auth: resigned })
    expect(res.status).toBe(401)
    expect(res.body.error.message_en).toContain('longer than 12 h')
  })

  it('revokes an account’s tokens at once when it is disabled or its role changes', async () => {
    await saveAccount(service.ctx.wh, { username: 'canbo.thuhoi', password: PASSWORD, role: 'analyst' })
    await saveAccount(service.ctx.wh, { username: 'quantri.gate', password: PASSWORD, role: 'admin' })
    const signIn = async (username: string) => (await inject('POST', '/api/auth/login', { body: { username, password: PASSWORD }, ip: '10.9.9.1' })).body.token as string
    const admin = await signIn('quantri.gate')
    let session = await signIn('canbo.thuhoi')
    expect((await inject('GET', '/api/auth/me', { auth: session })).status).toBe(200)
    expect((await inject('PATCH', '/api/admin/accounts/canbo.thuhoi', { auth: admin, body: { role: 'leader' } })).status).toBe(200)
    expect((await inject('GET', '/api/auth/me', { auth: session })).status).toBe(401)
    session = await signIn('canbo.thuhoi')
    expect((await inject('GET', '/api/auth/me', { auth: session })).body.role).toBe('leader')
    expect((await inject('PATCH', '/api/admin/accounts/canbo.thuhoi', { auth: admin, body: { disabled: true } })).status).toBe(200)
    expect((await inject('GET', '/api/auth/me', { auth: session })).status).toBe(401)
    expect((await inject('POST', '/api/auth/login', { body: { username: 'canbo.thuhoi', password: PASSWORD }, ip: '10.9.9.2' })).status).toBe(401)
    // A change that grants nothing new (the display name) keeps the admin's own session.
    expect((await inject('PATCH', '/api/admin/accounts/quantri.gate', { auth: admin, body: { display_name: 'Quản trị' } })).status).toBe(200)
    expect((await inject('GET', '/api/auth/me', { auth: admin })).status).toBe(200)
  })
})

describe('finding 6: sign-in', () => {
  it('limits one address trying one password across many accounts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await inject('POST', '/api/auth/login', { body: { username: `nguoi.${i}`, password: 'matkhau-pho-bien' }, ip: '10.1.1.1' })).status)
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401))
    expect(statuses.slice(8)).toEqual([429, 429])
  })

  it('limits one account tried from many addresses, with the lock-out said in Vietnamese and English', async () => {
    const statuses: number[] = []
    let last: any
    for (let i = 0; i < 6; i++) {
      last = await inject('POST', '/api/auth/login', { body: { username: 'quantri.dich', password: 'doan-sai' }, ip: `10.2.2.${i}` })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
    expect(last.body.error.message).toContain('tạm khóa')
    expect(last.body.error.message_en).toContain('locked')
    expect(Number(last.raw.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('does the same password work for an unknown username as for a real one', async () => {
    await saveAccount(service.ctx.wh, { username: 'canbo.thoigian', password: PASSWORD, role: 'analyst' })
    const spy = vi.spyOn(passwordWork, 'scrypt')
    await inject('POST', '/api/auth/login', { body: { username: 'canbo.thoigian', password: 'sai-mat-khau' }, ip: '10.3.3.1' })
    const known = spy.mock.calls.length
    await inject('POST', '/api/auth/login', { body: { username: 'khong.ton.tai', password: 'sai-mat-khau' }, ip: '10.3.3.2' })
    expect(spy.mock.calls.length - known).toBe(known)
    expect(known).toBe(1)
    spy.mockRestore()
  })
})
