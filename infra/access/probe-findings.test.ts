import { reasonWords } from '../contracts/audit-words.ts'
import ExcelJS from 'exceljs'
import { describe, expect, it, vi } from 'vitest'
import { useProbeService } from '../testing/probe-service.ts'
import { queryRows } from '../warehouse/client.ts'
import { passwordWork, saveAccount } from './accounts.ts'
import { SERVICE_TOKEN_HEADER } from './gate.ts'
import { signJwt } from './tokens.ts'

/*
 * What the outside probes found (personal data through rejected rows, small cells, reads without an
 * account, bad input, tokens, sign-in), each tried again as the prober tried it.
 */
const probe = useProbeService()
const PASSWORD = 'mot-mat-khau-dai'

describe('finding 1: personal data through rejected rows', () => {
  const RAW_CCCD = '27090009999'

  it('masks the CCCD, name and birth date of rejected rows for a leader or an analyst, reasons included', async () => {
    for (const role of ['leader', 'analyst'] as const) {
      const res = await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.json`, { auth: probe.token({ role, sub: `t.${role}` }) })
      expect(res.status).toBe(200)
      const text = JSON.stringify(res.body)
      expect(text).not.toContain(RAW_CCCD)
      expect(text).not.toContain('31/02/1990')
      expect(res.body).toContainEqual(expect.objectContaining({ column: 'cccd', value: '270xxxxxxxx' }))
      expect(res.body).toContainEqual(expect.objectContaining({ column: 'ngay_sinh', value: 'xx/xx/1990' }))
      expect(res.body.find((r: any) => r.column === 'cccd').reason_vi).toContain('270xxxxxxxx')
      const quality = await probe.inject('GET', '/api/quality/rejects?dataset=dan_cu', { auth: probe.token({ role, sub: `t.${role}` }) })
      expect(quality.body.length).toBe(2)
      expect(JSON.stringify(quality.body)).not.toContain(RAW_CCCD)
    }
  })

  it('masks the whole rows in the fix-it workbook too', async () => {
    const res = await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.xlsx`, { auth: probe.token({ role: 'leader' }) })
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
    const owner = await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.json`, { auth: probe.token({ role: 'agency_officer', agency: 'CA_TINH', sub: 't.police' }) })
    expect(JSON.stringify(owner.body)).toContain(RAW_CCCD)
    const steward = probe.token({ role: 'steward', personal_data: true, sub: 't.granted' })
    const noPurpose = await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.json`, { auth: steward })
    expect(JSON.stringify(noPurpose.body)).not.toContain(RAW_CCCD)
    const withPurpose = await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.json`, { auth: steward, headers: { 'x-kho-purpose': encodeURIComponent('Đối soát hồ sơ dân cư') } })
    expect(JSON.stringify(withPurpose.body)).toContain(RAW_CCCD)
    await probe.inject('GET', `/api/loads/${probe.rejectedLoad}/rejects.json`, { auth: probe.token({ role: 'analyst', sub: 't.audited' }) })
    await probe.service.ctx.audit.flush()
    const audit = await queryRows<Record<string, unknown>>(probe.service.ctx.wh.client, "SELECT account, endpoint, datasets, row_count, reason, purpose FROM meta.audit WHERE endpoint = 'rejects' AND account IN ('t.granted', 't.audited') ORDER BY at")
    // Each names the dataset whose rows were read (it had said none).
    // The reason in both languages, kept together in the chained entry.
    expect(audit.map((a) => ({ ...a, reason: reasonWords(String(a.reason), 'en') }))).toEqual([
      { account: 't.granted', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: 'Personal values masked', purpose: '' },
      { account: 't.granted', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: '', purpose: 'Đối soát hồ sơ dân cư' },
      { account: 't.audited', endpoint: 'rejects', datasets: ['dan_cu'], row_count: 2, reason: 'Personal values masked', purpose: '' },
    ])
  })
})

describe('finding 2: small cells against adversarial public queries', () => {
  const people = (extra: Record<string, unknown> = {}) => probe.load({ measures: ['population.people'], ...extra })
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
    expect((await probe.load({ measures: ['population.cell_key'] })).status).toBe(400)
    expect(JSON.stringify(a.body)).not.toContain('cell_key')
  })

  it('still shows exact counts to provincial roles and the owner agency', async () => {
    const exact = await people({ filters: [commune] })
    expect((await probe.load({ measures: ['population.people'], filters: [commune] }, probe.token({ role: 'analyst' }))).body.data).toEqual([{ 'population.people': 62 }])
    expect((await probe.load({ measures: ['population.people'], filters: [commune] }, probe.token({ role: 'agency_officer', agency: 'CA_TINH' }))).body.data).toEqual([{ 'population.people': 62 }])
    // The public's 62 is 60 or 65.
    expect([60, 65]).toContain(exact.body.data[0]['population.people'])
  })
})

describe('finding 3: reads that needed no account', () => {
  it('closes transform runs, lineage and metrics, and tells the public only that the service is up', async () => {
    expect((await probe.inject('GET', '/api/transform/runs')).status).toBe(401)
    expect((await probe.inject('GET', '/api/lineage')).status).toBe(401)
    expect((await probe.inject('GET', '/metrics')).status).toBe(401)
    const health = await probe.inject('GET', '/healthz')
    expect(health.body).toEqual({ status: 'ok' })
    const detailed = await probe.inject('GET', '/healthz', { auth: probe.token({ role: 'steward' }) })
    expect(detailed.body.tables['meta.accounts']).toBeTypeOf('number')
    expect((await probe.inject('GET', '/healthz', { auth: probe.token({ role: 'analyst' }) })).body).toEqual({ status: 'ok' })
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
        const res = await probe.inject('POST', url, { body: { query }, auth: probe.token({ role: 'analyst' }) })
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
    const nested = await probe.inject('POST', '/cubejs-api/v1/load', { body: { query: { ...base, filters: [filter] } } })
    expect(nested.status).toBe(400)
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const body = await probe.inject('POST', '/cubejs-api/v1/load', { body: `{"query":${deep}}` })
    expect(body.status).toBe(400)
    expect(body.body.message_en ?? body.body.error.message_en).toMatch(/nested too deep/)
    const get = await probe.inject('GET', `/cubejs-api/v1/load?query=${encodeURIComponent(deep.slice(0, 20_000) + deep.slice(-20_000))}`)
    expect(get.status).toBe(400)
    const login = await probe.inject('POST', '/api/auth/login', { body: deep })
    expect(login.status).toBe(400)
  })

  it('answers a transform selector naming no model with a 400, not a server error', async () => {
    for (const url of ['/api/admin/transform/test', '/api/admin/transform/run']) {
      const res = await probe.inject('POST', url, { body: { select: ['khong_co_mo_hinh+'] }, headers: { [SERVICE_TOKEN_HEADER]: probe.service.ctx.token } })
      expect(res.status, url).toBe(400)
      expect(res.body.error.message_en).toContain('no model named khong_co_mo_hinh')
    }
  })

  it('refuses a body over the limit with 413 and a prototype key with 400', async () => {
    expect((await probe.inject('POST', '/api/auth/login', { body: JSON.stringify({ username: 'x', password: 'y'.repeat(2 << 20) }) })).status).toBe(413)
    expect((await probe.inject('POST', '/api/auth/login', { body: '{"__proto__":{"admin":true},"username":"a","password":"b"}' })).status).toBe(400)
  })
})

describe('finding 5: tokens', () => {
  it('refuses a token with characters outside base64url appended, and a no-break space after Bearer', async () => {
    const t = probe.token({ role: 'analyst', sub: 't.strict' })
    expect((await probe.inject('GET', '/api/auth/me', { auth: `Bearer ${t}` })).status).toBe(200)
    for (const bad of [`Bearer ${t}!`, `Bearer ${t}~~`, `${t}=`, `Bearer\u00a0${t}`, `Bearer \u00a0`, 'Basic dXNlcjpwYXNz', `Bearer  ${t}`]) {
      const res = await probe.inject('GET', '/api/auth/me', { auth: bad })
      expect(res.status, JSON.stringify(bad)).toBe(401)
      // On an open route too: a presented credential that does not hold is never read as anonymous.
      expect((await probe.load({ measures: ['kt_xh.value'] }, bad)).status, JSON.stringify(bad)).toBe(401)
    }
  })

  it('refuses a token without an expiry, or one that lives longer than a session', async () => {
    const forever = signJwt({ role: 'admin', exp: undefined }, probe.service.ctx.secret)
    const [h, , s] = forever.split('.')
    const noExp = `${h}.${Buffer.from(JSON.stringify({ role: 'admin' })).toString('base64url')}.${s}`
    expect((await probe.inject('GET', '/api/admin/accounts', { auth: noExp })).status).toBe(401)
    const resigned = signJwt({ role: 'admin' }, probe.service.ctx.secret, 30 * 24 * 3600)
    const res = await probe.inject('GET', '/api/admin/accounts', { auth: resigned })
    expect(res.status).toBe(401)
    expect(res.body.error.message_en).toContain('longer than 12 h')
  })

  it('revokes an account’s tokens at once when it is disabled or its role changes', async () => {
    await saveAccount(probe.service.ctx.wh, { username: 'canbo.thuhoi', password: PASSWORD, role: 'analyst' })
    await saveAccount(probe.service.ctx.wh, { username: 'quantri.gate', password: PASSWORD, role: 'admin' })
    const signIn = async (username: string) => (await probe.inject('POST', '/api/auth/login', { body: { username, password: PASSWORD }, ip: '10.9.9.1' })).body.token as string
    const admin = await signIn('quantri.gate')
    let session = await signIn('canbo.thuhoi')
    expect((await probe.inject('GET', '/api/auth/me', { auth: session })).status).toBe(200)
    expect((await probe.inject('PATCH', '/api/admin/accounts/canbo.thuhoi', { auth: admin, body: { role: 'leader' } })).status).toBe(200)
    expect((await probe.inject('GET', '/api/auth/me', { auth: session })).status).toBe(401)
    session = await signIn('canbo.thuhoi')
    expect((await probe.inject('GET', '/api/auth/me', { auth: session })).body.role).toBe('leader')
    expect((await probe.inject('PATCH', '/api/admin/accounts/canbo.thuhoi', { auth: admin, body: { disabled: true } })).status).toBe(200)
    expect((await probe.inject('GET', '/api/auth/me', { auth: session })).status).toBe(401)
    expect((await probe.inject('POST', '/api/auth/login', { body: { username: 'canbo.thuhoi', password: PASSWORD }, ip: '10.9.9.2' })).status).toBe(401)
    // A change that grants nothing new (the display name) keeps the admin's own session.
    expect((await probe.inject('PATCH', '/api/admin/accounts/quantri.gate', { auth: admin, body: { display_name: 'Quản trị' } })).status).toBe(200)
    expect((await probe.inject('GET', '/api/auth/me', { auth: admin })).status).toBe(200)
  })
})

describe('finding 6: sign-in', () => {
  it('limits one address trying one password across many accounts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await probe.inject('POST', '/api/auth/login', { body: { username: `nguoi.${i}`, password: 'matkhau-pho-bien' }, ip: '10.1.1.1' })).status)
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401))
    expect(statuses.slice(8)).toEqual([429, 429])
  })

  it('limits one account tried from many addresses, with the lock-out said in Vietnamese and English', async () => {
    const statuses: number[] = []
    let last: any
    for (let i = 0; i < 6; i++) {
      last = await probe.inject('POST', '/api/auth/login', { body: { username: 'quantri.dich', password: 'doan-sai' }, ip: `10.2.2.${i}` })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
    expect(last.body.error.message).toContain('tạm khóa')
    expect(last.body.error.message_en).toContain('locked')
    expect(Number(last.raw.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('does the same password work for an unknown username as for a real one', async () => {
    await saveAccount(probe.service.ctx.wh, { username: 'canbo.thoigian', password: PASSWORD, role: 'analyst' })
    const spy = vi.spyOn(passwordWork, 'scrypt')
    await probe.inject('POST', '/api/auth/login', { body: { username: 'canbo.thoigian', password: 'sai-mat-khau' }, ip: '10.3.3.1' })
    const known = spy.mock.calls.length
    await probe.inject('POST', '/api/auth/login', { body: { username: 'khong.ton.tai', password: 'sai-mat-khau' }, ip: '10.3.3.2' })
    expect(spy.mock.calls.length - known).toBe(known)
    expect(known).toBe(1)
    spy.mockRestore()
  })
})
