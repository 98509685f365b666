import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { deliverLines } from '../../loaders/testing/deliver-lines.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import type { MailMessage } from '../../infra/files/mailer.ts'
import { writeDigest } from '../portal/submission-digest.ts'
import { planStats } from '../cube/cube-query.ts'
import * as clock from '../../infra/time/clock.ts'

const home = tempDir('kho-access-')
const env = {
  ...process.env,
  KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0',
  KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai',
}
let service: RunningService

async function deliver(name: string, dataset: string, agency: string, lines: string[]) {
  expect((await deliverLines(service.ctx, home, name, dataset, agency, lines)).rejects).toEqual([])
}

const token = (ctx: Record<string, unknown>) => signJwt(ctx, service.ctx.secret)

const { load } = httpClient(() => service.url)


beforeAll(async () => {
  service = await startService(loadConfig(env))
  await service.demoDone
  const kt = 'ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri'
  await deliver('ct.csv', 'chi_tieu_kt_xh', 'SO_CT', [kt, 'EXPORT_VAL,2026-01,24,100'])
  // Five steady months of imports, then one far outside the band.
  await deliver('ct-history.csv', 'chi_tieu_kt_xh', 'SO_CT', [kt, 'IMPORT_VAL,2025-01,24,100', 'IMPORT_VAL,2025-02,24,102', 'IMPORT_VAL,2025-03,24,98', 'IMPORT_VAL,2025-04,24,101', 'IMPORT_VAL,2025-05,24,99', 'IMPORT_VAL,2025-06,24,500'])
  await deliver('tc.csv', 'chi_tieu_kt_xh', 'SO_TC', [kt, 'ENT_NEW,2026-01,07210,3', 'ENT_NEW,2026-01,07228,4'])
  const people = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Ngày cập nhật'
  const rows = Array.from({ length: 7 }, (_, i) => `02709000${String(1000 + i)},Người ${i},01/02/1990,Nam,${i < 6 ? '07210' : '07228'},01/10/2026`)
  // One born before 1970, which a DateTime cannot hold.
  rows[0] = '027058001000,Người 0,09/03/1958,Nam,07210,01/10/2026'
  await deliver('dc.csv', 'dan_cu', 'CA_TINH', [people, ...rows])
  await service.ctx.transforms.run()
})
afterAll(() => service.stop())

describe('accounts and sessions', () => {
  it('logs in the first administrator from the environment and refuses a wrong password', async () => {
    const login = (password: string) => fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password }) })
    expect((await login('sai-mat-khau')).status).toBe(401)
    const ok = await login('mat-khau-rat-dai')
    const { token: session, account } = (await ok.json()) as any
    expect(account).toMatchObject({ username: 'quantri', role: 'admin' })
    expect(account.password_hash).toBeUndefined()
    for (const auth of [session, `Bearer ${session}`]) {
      const me = await fetch(`${service.url}/api/auth/me`, { headers: { authorization: auth } })
      expect(await me.json()).toMatchObject({ account: 'quantri', role: 'admin' })
    }
    const created = await fetch(`${service.url}/api/admin/accounts`, {
      method: 'POST', headers: { authorization: session, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'canbo.soct', password: 'mot-mat-khau-dai', role: 'agency_officer', agency: 'SO_CT' }),
    })
    expect(created.status).toBe(200)
    const officer = (await (await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'canbo.soct', password: 'mot-mat-khau-dai' }) })).json()) as any
    expect((await fetch(`${service.url}/api/admin/accounts`, { headers: { authorization: officer.token } })).status).toBe(403)
    const mine = await load({ measures: ['kt_xh.value'], dimensions: ['kt_xh.agency'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] }, officer.token)
    expect(mine.body.data).toEqual([{ 'kt_xh.agency': 'SO_CT', 'kt_xh.value': 100 }])
  })

  it('refuses a forged or expired token', async () => {
    const forged = signJwt({ role: 'admin' }, 'not-the-secret-not-the-secret-not-the-secret')
    expect((await load({ measures: ['kt_xh.value'] }, forged)).status).toBe(401)
    const expired = signJwt({ role: 'analyst' }, service.ctx.secret, -10)
    expect((await load({ measures: ['kt_xh.value'] }, expired)).status).toBe(401)
  })
})

describe('scopes injected server-side', () => {
  it('keeps an agency officer to its own rows of a closed view, whatever the query asks', async () => {
    const auth = token({ role: 'agency_officer', agency: 'SO_TC', sub: 'canbo.sotc' })
    const own = (await load({ measures: ['submissions.obligations'], dimensions: ['submissions.agency'] }, auth)).body.data
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((r: any) => r['submissions.agency'] === 'SO_TC')).toBe(true)
    const escape = await load({ measures: ['submissions.obligations'], dimensions: ['submissions.agency'], filters: [{ or: [{ member: 'submissions.agency', operator: 'equals', values: ['SO_CT'] }, { member: 'submissions.agency', operator: 'notEquals', values: ['x'] }] }] }, auth)
    expect(escape.body.data).toEqual(own)
    const quality = (await load({ measures: ['data_quality.deliveries', 'data_quality.reject_rate'], dimensions: ['data_quality.agency'] }, auth)).body.data
    expect(quality).toEqual([{ 'data_quality.agency': 'SO_TC', 'data_quality.deliveries': 1, 'data_quality.reject_rate': 0 }])
  })

  it("never serves one officer's scope to another through a cached plan", async () => {
    const q = { measures: ['submissions.obligations'], dimensions: ['submissions.agency', 'submissions.dataset'], filters: [{ member: 'submissions.dataset', operator: 'equals', values: ['chi_tieu_kt_xh'] }] }
    const as = (agency: string) => token({ role: 'agency_officer', agency, sub: `canbo.${agency.toLowerCase()}` })
    const agencies = (rows: any[]) => [...new Set(rows.map((r) => r['submissions.agency']))]
    const first = (await load(q, as('SO_TC'))).body.data
    expect(agencies(first)).toEqual(['SO_TC'])
    // The same question from another agency is the same shape: its plan is reused, with its own scope bound.
    const hits = planStats.hits
    const other = (await load(q, as('SO_CT'))).body.data
    expect(planStats.hits).toBeGreaterThan(hits)
    expect(agencies(other)).toEqual(['SO_CT'])
    expect(agencies((await load(q, as('SO_TC'))).body.data)).toEqual(['SO_TC'])
    // A provincial role asks without the officers' row filter: another shape, every agency.
    const all = (await load(q, token({ role: 'leader', sub: 'lanhdao' }))).body.data
    expect(agencies(all).length).toBeGreaterThan(2)
  })

  it('gives an officer an open view at least as the public sees it: its own scope exactly, the rest as the public', async () => {
    const auth = token({ role: 'agency_officer', agency: 'UBND_X07210', commune_code: '07210' })
    const q = { measures: ['kt_xh.value'], dimensions: ['kt_xh.unit_code'], order: { 'kt_xh.unit_code': 'asc' } }
    // An open view is open: the commune officer sees every unit, as anonymous users do (it used to see only its own).
    expect((await load(q, auth)).body.data).toEqual((await load(q)).body.data)
    expect((await load(q, auth)).body.data.map((r: any) => r['kt_xh.unit_code'])).toEqual(['07210', '07228', '24'])
    const people = { measures: ['population.people'], dimensions: ['population.commune_code'] }
    const own = (await load({ ...people, filters: [{ member: 'population.commune_code', operator: 'equals', values: ['07210'] }] }, auth)).body.data
    expect(own).toEqual([{ 'population.commune_code': '07210', 'population.people': 6 }])
    // Reaching past its commune, it sees what the public sees: protected counts.
    expect((await load(people, auth)).body.data).toEqual((await load(people)).body.data)
  })

  it("opens a dataset to its owner and the consumers the catalogue names, and to no other agency", async () => {
    // doanh_nghiep: owner SO_TC, consumers include SO_CT (it used to be refused: owners were hard-coded).
    const res = await load({ measures: ['enterprises.count'] }, token({ role: 'agency_officer', agency: 'SO_YT' }))
    expect(res.status).toBe(403)
    expect(res.body.error).toContain('SO_YT')
    expect((await load({ measures: ['enterprises.count'] }, token({ role: 'agency_officer', agency: 'SO_TC' }))).status).toBe(200)
    expect((await load({ measures: ['enterprises.count'] }, token({ role: 'agency_officer', agency: 'SO_CT' }))).status).toBe(200)
    // dan_cu: SO_YT is a named consumer: it counts residents, but personal members still need a grant and a purpose.
    const health = token({ role: 'agency_officer', agency: 'SO_YT' })
    expect((await load({ measures: ['citizens.count'], dimensions: ['citizens.commune_code'] }, health)).status).toBe(200)
    expect((await load({ measures: ['citizens.count'], dimensions: ['citizens.full_name'] }, health, 'Khám sức khỏe định kỳ')).status).toBe(403)
    expect((await load({ measures: ['citizens.count'] }, token({ role: 'agency_officer', agency: 'SO_CT' }))).status).toBe(403)
  })

  it('lists in /meta exactly the views an officer may query', async () => {
    const views = async (auth: string) =>
      ((await (await fetch(`${service.url}/cubejs-api/v1/meta`, { headers: { authorization: auth } })).json()) as any).cubes.map((c: any) => c.name).sort()
    expect(await views(token({ role: 'agency_officer', agency: 'SO_CT' }))).toEqual(['agency_ranking', 'data_quality', 'enterprises', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
    expect(await views(token({ role: 'agency_officer', agency: 'SO_XD' }))).toEqual(['agency_ranking', 'data_quality', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
    expect(await views(token({ role: 'agency_officer', agency: 'SO_TC' }))).toEqual(['agency_ranking', 'data_quality', 'enterprises', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
    // A commune officer: every dataset with a commune column, its commune's rows (bhxh_tham_gia's view is generated from its entry).
    expect(await views(token({ role: 'agency_officer', agency: 'UBND_X07210', commune_code: '07210' }))).toEqual(['agency_ranking', 'bhxh_tham_gia', 'citizens', 'data_quality', 'enterprises', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
  })
})

describe('personal data and open data', () => {
  const personal = { dimensions: ['citizens.full_name'], measures: ['citizens.count'] }

  it('needs a grant and a declared purpose for personal-data members', async () => {
    expect((await load(personal, token({ role: 'analyst' }), 'Thống kê dân số')).status).toBe(403)
    const noPurpose = await load(personal, token({ role: 'steward', personal_data: true }))
    expect(noPurpose.status).toBe(403)
    expect(noPurpose.body.error).toContain('mục đích')
    const ok = await load(personal, token({ role: 'steward', personal_data: true, sub: 'quantri' }), 'Xác minh hồ sơ an sinh xã hội')
    expect(ok.status).toBe(200)
    expect(ok.body.data).toHaveLength(7)
    // Birth dates before 1970 come out as they were delivered (1958 had come out as 2094-11-09 06:28:16).
    const born = await load({ dimensions: ['citizens.id_number', 'citizens.birth_date'], order: { 'citizens.id_number': 'asc' }, limit: 2 }, token({ role: 'steward', personal_data: true, sub: 'quantri' }), 'Xác minh hồ sơ an sinh xã hội')
    expect(born.body.data.map((r: any) => r['citizens.birth_date'].slice(0, 10))).toEqual(['1958-03-09', '1990-02-01'])
    const byYear = await load({ measures: ['citizens.count'], timeDimensions: [{ dimension: 'citizens.birth_date', granularity: 'year' }], order: { 'citizens.birth_date': 'asc' } }, token({ role: 'steward', personal_data: true, sub: 'quantri' }), 'Xác minh hồ sơ an sinh xã hội')
    expect(byYear.body.data.map((r: any) => [r['citizens.birth_date.year'].slice(0, 4), Number(r['citizens.count'])])).toEqual([['1958', 1], ['1990', 6]])
    // Counts without personal members need no grant.
    expect((await load({ measures: ['citizens.count'], dimensions: ['citizens.commune_code'] }, token({ role: 'analyst' }))).status).toBe(200)
  })

  it('gives the public only open views, with cells under 5 people suppressed', async () => {
    expect((await load({ measures: ['submissions.obligations'] })).status).toBe(403)
    expect((await load(personal)).status).toBe(403)
    const cells = (await load({ measures: ['population.people'], dimensions: ['population.commune_code'], order: { 'population.commune_code': 'asc' } })).body.data
    // 6 people round at random to 5 or 10 (fixed by the cell's key); 1 person is not shown.
    expect(cells).toEqual([{ 'population.commune_code': '07210', 'population.people': expect.toBeOneOf([5, 10]) }, { 'population.commune_code': '07228', 'population.people': null }])
    const meta = (await (await fetch(`${service.url}/cubejs-api/v1/meta`)).json()) as any
    expect(meta.cubes.map((c: any) => c.name).sort()).toEqual(['agency_ranking', 'kt_xh', 'population', 'sharing_stats'])
  })
})

describe('obligation lists', () => {
  it("lists an officer's own overdue reports, and needs an account", async () => {
    const get = async (path: string, auth?: string) => {
      const res = await fetch(`${service.url}${path}`, { headers: auth ? { authorization: auth } : {} })
      return { status: res.status, body: (await res.json()) as any }
    }
    expect((await get('/api/submissions/overdue')).status).toBe(401)
    const officer = token({ role: 'agency_officer', agency: 'SO_CT' })
    const overdue = (await get('/api/submissions/overdue?agency=SO_TC', officer)).body as any[]
    expect(overdue.length).toBeGreaterThan(0)
    expect(overdue.every((r) => r.agency === 'SO_CT')).toBe(true)
    expect(overdue).toContainEqual(expect.objectContaining({ indicator_code: 'IMPORT_VAL', period: '2026-01', status: 'missing', period_label: 'tháng 1/2026' }))
    const upcoming = await get('/api/submissions/upcoming?days=3', officer)
    expect(upcoming.status).toBe(200)
    expect(upcoming.body.every((r: any) => r.agency === 'SO_CT' && r.days_left <= 3)).toBe(true)
    const all = (await get('/api/submissions/overdue', token({ role: 'leader' }))).body as any[]
    expect(new Set(all.map((r) => r.agency)).size).toBeGreaterThan(1)
  })

  it('gives each officer its own daily digest, and stewards the whole province', async () => {
    const get = async (p: string, auth: string) => fetch(`${service.url}${p}`, { headers: { authorization: auth } })
    const mine = (await (await get('/api/submissions/digest', token({ role: 'agency_officer', agency: 'SO_CT' }))).json()) as any
    expect(mine.agencies.map((a: any) => a.agency)).toEqual(['SO_CT'])
    expect(mine.agencies[0].overdue).toContainEqual(expect.objectContaining({ indicator_code: 'IMPORT_VAL', period: '2026-01' }))
    expect(mine.totals.overdue).toBe(mine.agencies[0].overdue.length)
    // The police's population snapshot arrived now, after October's due day (16/11): late, with its dataset named.
    const police = (await (await get('/api/submissions/late?days=1', token({ role: 'agency_officer', agency: 'CA_TINH' }))).json()) as any[]
    expect(police).toEqual([expect.objectContaining({ dataset: 'dan_cu', dataset_name: 'Dữ liệu dân cư', indicator_code: '', period: '2026-10', status: 'late' })])
    const html = await get('/api/submissions/digest?format=html', token({ role: 'steward', sub: 'quantri' }))
    expect(html.headers.get('content-type')).toContain('text/html')
    const page = await html.text()
    expect(page).toContain('Tình hình nộp báo cáo ngày')
    expect(page).toContain('Quá hạn chưa nộp')
    expect(page).toContain('Sở Công Thương')
    // In English for an English reader: the words, the periods and the days; the names as they are.
    const en = await (await get('/api/submissions/digest?format=html&lang=en', token({ role: 'steward', sub: 'quantri' }))).text()
    expect(en).toContain('<html lang="en">')
    expect(en).toContain('Overdue, not received')
    expect(en).toContain('Jan 2026')
    expect(en).not.toMatch(/Quá hạn|Tháng \d|\d{4}-\d{2}-\d{2}/)
    expect(en).toContain('<h2 lang="vi">Sở Công Thương</h2>')
  })

  it('e-mails each agency that has a contact address its own part of the digest', async () => {
    const sent: MailMessage[] = []
    const done = await writeDigest(service.ctx.wh, path.join(home, 'digests'), clock.now(), { send: async (m) => void sent.push(m), emailOf: (a) => (a === 'SO_CT' ? 'vanthu.soct@bacninh.gov.vn' : undefined) })
    expect(done).toMatch(/\(e-mail: 1\)$/)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ to: ['vanthu.soct@bacninh.gov.vn'], subject: expect.stringContaining('Sở Công Thương') })
    expect(sent[0]!.text).toContain('IMPORT_VAL')
    expect(sent[0]!.html).toContain('Quá hạn chưa nộp')
    expect(sent[0]!.html).not.toContain('Công an tỉnh')
  })

  it('writes the digest as a scheduled job that an administrator can run and stewards can follow', async () => {
    const admin = token({ role: 'admin', sub: 'quantri' })
    const post = (auth: string) => fetch(`${service.url}/api/jobs/digest/run`, { method: 'POST', headers: { authorization: auth } })
    expect((await post(token({ role: 'steward', sub: 'quantri' }))).status).toBe(403)
    const run = (await (await post(admin)).json()) as any
    expect(run).toMatchObject({ job: 'digest', status: 'succeeded', trigger: 'manual' })
    expect(run.output).toMatch(/digests\/\d{4}-\d{2}-\d{2}\.html$/)
    expect(fs.readFileSync(run.output, 'utf8')).toContain('Sở Công Thương')
    const listed = (await (await fetch(`${service.url}/api/jobs?job=digest`, { headers: { authorization: admin } })).json()) as any
    expect(listed.jobs).toEqual(expect.arrayContaining(['digest', 'backup', 'briefing:kt_xh_quy', 'briefing:kt_xh_thang']))
    expect(listed.runs[0]).toMatchObject({ job: 'digest', status: 'succeeded' })
  })
})

describe('accuracy review and drill-down', () => {
  it('flags a value outside its history band; a steward confirms it and the accuracy score takes it back', async () => {
    const get = async (p: string, auth: string) => (await (await fetch(`${service.url}${p}`, { headers: { authorization: auth } })).json()) as any
    const steward = token({ role: 'steward', sub: 'quantri' })
    const open = await get('/api/quality/outliers?review=open', steward)
    expect(open).toEqual([expect.objectContaining({ indicator_code: 'IMPORT_VAL', period: '2025-06', unit_code: '24', value: 500, review: 'open', agency: 'SO_CT' })])
    const accuracy = async () =>
      Number((await queryRows<{ a: number }>(service.ctx.wh.client, "SELECT accuracy AS a FROM marts.fct_quality_score WHERE agency = 'SO_CT' AND quarter_start = '2025-04-01'"))[0]!.a)
    // Q2 2025 has two values with a band (May inside it, June outside): 50%.
    expect(await accuracy()).toBe(50)
    const review = (auth: string) =>
      fetch(`${service.url}/api/quality/outliers/review`, {
        method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ indicator_code: 'IMPORT_VAL', period: '2025-06', unit_code: '24', decision: 'confirmed', note: 'Hợp đồng nhập khẩu thiết bị lớn' }),
      })
    expect((await review(token({ role: 'agency_officer', agency: 'SO_CT' }))).status).toBe(403)
    expect((await review(steward)).status).toBe(200)
    await service.ctx.transforms.run()
    expect((await get('/api/quality/outliers', steward))[0]).toMatchObject({ review: 'confirmed', reviewer: 'quantri' })
    expect(await accuracy()).toBe(100)
  })

  it("drills to an agency's rejected rows, an officer seeing only its own", async () => {
    await deliverLines(service.ctx, home, 'bad.csv', 'chi_tieu_kt_xh', 'SO_CT', ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', 'EXPORT_VAL,2026-02,24,1', 'EXPORT_VAL,2026-13,24,1'])
    const rows = (await (await fetch(`${service.url}/api/quality/rejects?agency=SO_TC`, { headers: { authorization: token({ role: 'agency_officer', agency: 'SO_CT' }) } })).json()) as any[]
    expect(rows).toEqual([expect.objectContaining({ agency: 'SO_CT', source: 'bad.csv', row: 3, column: 'ky_bao_cao', code: 'value.period' })])
  })
})

describe('audit', () => {
  it('records allowed and denied queries with who, why, what and how many rows; stewards search and export it', async () => {
    await load({ measures: ['kt_xh.reports'], dimensions: ['kt_xh.agency'], filters: [{ member: 'kt_xh.agency', operator: 'equals', values: ['SO_TC'] }] }, token({ role: 'agency_officer', agency: 'SO_TC', sub: 'audit.officer' }), 'Kiểm tra số liệu')
    await load({ measures: ['enterprises.count'] }, token({ role: 'agency_officer', agency: 'SO_YT', sub: 'audit.denied' }))
    await service.ctx.audit.flush()
    const rows = await queryRows<Record<string, any>>(service.ctx.wh.client, "SELECT * FROM meta.audit WHERE account IN ('audit.officer', 'audit.denied') ORDER BY at")
    expect(rows[0]).toMatchObject({ account: 'audit.officer', role: 'agency_officer', purpose: 'Kiểm tra số liệu', endpoint: 'load', members: ['kt_xh.reports', 'kt_xh.agency'], row_count: 1, outcome: 'ok', client: '127.0.0.1' })
    expect(rows[0]!.filters).toContain('"kt_xh.agency"')
    expect(rows[1]).toMatchObject({ account: 'audit.denied', outcome: 'denied', reason: expect.stringContaining('SO_YT') })
    const steward = token({ role: 'steward', sub: 'quantri' })
    const searchRes = await fetch(`${service.url}/api/audit?outcome=denied`, { headers: { authorization: steward } })
    const search = (await searchRes.json()) as any[]
    expect(searchRes.status, JSON.stringify(search)).toBe(200)
    expect(search.some((r) => r.account === 'audit.denied')).toBe(true)
    expect(search.every((r) => r.outcome === 'denied')).toBe(true)
    const ranged = (await (await fetch(`${service.url}/api/audit?account=audit.officer&from=2020-01-01&to=2099-12-31`, { headers: { authorization: steward } })).json()) as any[]
    expect(ranged).toHaveLength(1)
    const future = (await (await fetch(`${service.url}/api/audit?account=audit.officer&from=2099-01-01`, { headers: { authorization: steward } })).json()) as any[]
    expect(future).toEqual([])
    const csv = await fetch(`${service.url}/api/audit?format=csv&account=audit.officer`, { headers: { authorization: steward } })
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(await csv.text()).toContain('audit.officer')
    expect((await fetch(`${service.url}/api/audit`, { headers: { authorization: token({ role: 'analyst' }) } })).status).toBe(403)
  })
})

describe('result cache', () => {
  it('answers a repeated query from cache, and a new load shows once the marts are rebuilt', async () => {
    const auth = token({ role: 'analyst' })
    const q = { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] }
    const first = await load(q, auth)
    const hits = service.ctx.cache.hits
    expect((await load(q, auth)).body.data).toEqual(first.body.data)
    expect(service.ctx.cache.hits).toBe(hits + 1)
    // The same new query twice at once runs once.
    const misses = service.ctx.cache.misses
    await Promise.all([load({ ...q, limit: 7 }, auth), load({ ...q, limit: 7 }, auth)])
    expect(service.ctx.cache.misses).toBe(misses + 1)
    await deliver('ct2.csv', 'chi_tieu_kt_xh', 'SO_CT', ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', 'EXPORT_VAL,2026-02,24,50'])
    await service.ctx.transforms.run()
    expect((await load(q, auth)).body.data).toEqual([{ 'kt_xh.value': 150 }])
  })
})
