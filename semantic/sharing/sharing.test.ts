import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../infra/catalog/load-catalog.ts'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { smtpSink } from '../../infra/testing/smtp-sink.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import * as clock from '../../infra/time/clock.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

const home = tempDir('kho-sharing-')
let sink: Awaited<ReturnType<typeof smtpSink>>
let service: RunningService
let env: NodeJS.ProcessEnv

const client = httpClient(() => service.url)
const { call } = client
const load = (auth: string, query: unknown) => client.load(query, auth)
/** A fresh session (sign-in is rate-limited per account: the flows below reuse one with `login`). */
const signIn = (username: string, password = 'mot-mat-khau-dai') => client.login(username, password)
const sessions = new Map<string, Promise<string>>()
const login = (username: string) => sessions.get(username) ?? (sessions.set(username, signIn(username)), sessions.get(username)!)
/** A signed letter as a PDF (its content says what it is, whatever its name). */
const letter = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`)
/** The written request attached, then the owner's and the operator's approvals, each with its letter. */
async function approveBoth(id: string, requester: string, owner: string) {
  await attach(id, 'request', requester)
  await call('POST', `/api/sharing/requests/${id}/decision`, owner, { approve: true, letter: await attach(id, 'owner', owner) })
  const operator = await login('vanhanh')
  const done = await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: await attach(id, 'operator', operator) })
  expect(done.body.status).toBe('approved')
}
/** Attaches a letter of `kind` to a request as `auth`; its attachment id. */
async function attach(id: string, kind: string, auth: string): Promise<string> {
  const sent = await client.send(`/api/sharing/requests/${id}/letters?kind=${kind}`, auth, `${kind}-${id}.pdf`, letter(`${kind} ${id}`))
  expect(sent.status, JSON.stringify(sent.body)).toBe(200)
  return sent.body.id
}

let admin: string
beforeAll(async () => {
  sink = await smtpSink()
  env = {
    ...process.env,
    KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0',
    KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai', KHO_SMTP_URL: sink.url,
    // The change feeds' receiving system listens on this machine: the operator allows its address.
    KHO_PULL_HOSTS: '127.0.0.1',
  }
  service = await startService(loadConfig(env))
  await service.demoDone
  const file = path.join(home, 'dn.csv')
  const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Tình trạng,Ngày cập nhật'
  fs.writeFileSync(file, [header, '0100047516,Công ty A,01/02/2020,07210,2610,dang_hoat_dong,01/10/2026', '0100233488,Công ty B,01/02/2021,07228,4659,dang_hoat_dong,01/10/2026'].join('\n'))
  const r = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file' })
  expect(r.status).toBe('committed')
  // A KT-XH report from the owner agency, so its quarter has deliveries to report on.
  const kt = path.join(home, 'ct.csv')
  fs.writeFileSync(kt, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', `ENT_NEW,${lastMonthOfPreviousQuarter()},07210,3`].join('\n'))
  const k = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file: kt, dataset: 'chi_tieu_kt_xh', agency: 'SO_TC', channel: 'file' })
  expect(k.status).toBe('committed')
  await service.ctx.transforms.run()
  admin = await signIn('quantri', 'mat-khau-rat-dai')
  for (const [username, agency, email] of [['canbo.soyt', 'SO_YT', 'soyt@bacninh.gov.vn'], ['canbo.sotc', 'SO_TC', 'sotc@bacninh.gov.vn'], ['canbo.soct', 'SO_CT', ''], ['canbo.ca', 'CA_TINH', '']]) {
    const made = await call('POST', '/api/admin/accounts', admin, { username, password: 'mot-mat-khau-dai', role: 'agency_officer', agency, email })
    expect(made.status).toBe(200)
  }
  // The warehouse's operator: a data steward of the department that runs it.
  expect((await call('POST', '/api/admin/accounts', admin, { username: 'vanhanh', password: 'mot-mat-khau-dai', role: 'steward', agency: 'SO_KHCN' })).status).toBe(200)
}, 120_000)
afterAll(async () => {
  await service?.stop()
  sink?.close()
})

const count = { measures: ['enterprises.count'] }
const byCommune = { measures: ['enterprises.count'], dimensions: ['enterprises.commune_code'] }
const today = clock.today
/** "2026-09" on 2026-11-28: a month whose KT-XH obligations have all fallen due. */
function lastMonthOfPreviousQuarter() {
  const [y, m] = today().split('-').map(Number) as [number, number]
  const month = Math.floor((m - 1) / 3) * 3 // the previous quarter's last month, 0 = December of last year
  return month === 0 ? `${y - 1}-12` : `${y}-${String(month).padStart(2, '0')}`
}
const previousQuarter = () => {
  const [y, m] = lastMonthOfPreviousQuarter().split('-').map(Number) as [number, number]
  return `${y}-Q${Math.ceil(m / 3)}`
}
const inDays = (n: number) => new Date(clock.nowMs() + 7 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10)

describe('requests and grants', () => {
  it('a named consumer sees the dataset without asking; another agency is refused and told to ask', async () => {
    expect((await load(await login('canbo.soct'), count)).status).toBe(200)
    const refused = await load(await login('canbo.soyt'), count)
    expect(refused.status).toBe(403)
    expect(refused.body.message_en).toContain('request "doanh_nghiep" from its owner agency')
  })

  it('an officer asks, the owner approves narrower, the officer queries what was granted and nothing more', async () => {
    const health = await login('canbo.soyt')
    const finance = await login('canbo.sotc')
    const other = await login('canbo.soct')
    const ask = { dataset: 'doanh_nghiep', views: ['enterprises'], members: ['enterprises.count', 'enterprises.commune_code'], purpose: 'Theo dõi cơ sở y tế tư nhân', legal_basis: 'QĐ 53/2024 Điều 7', starts_on: today(), ends_on: inDays(90), frequency: 'weekly' }
    // Checked before anything is stored: a member outside the dataset, an end before the start.
    expect((await call('POST', '/api/sharing/requests', health, { ...ask, members: ['citizens.full_name'] })).status).toBe(400)
    expect((await call('POST', '/api/sharing/requests', health, { ...ask, ends_on: inDays(-3) })).body.error.message_en).toBe('The end date is before the start date')
    // Nothing named grants nothing, so a request naming nothing is refused.
    expect((await call('POST', '/api/sharing/requests', health, { ...ask, views: [], members: [] })).body.error.message_en).toBe('Name at least one view or member')
    const made = await call('POST', '/api/sharing/requests', health, ask)
    expect(made.status).toBe(200)
    const id = made.body.id
    expect(made.body).toMatchObject({ status: 'pending', agency: 'SO_YT', requester: 'canbo.soyt', recipient: 'agency', level: 'use', method: 'query', frequency: 'weekly' })
    // The owner agency is told by e-mail.
    await expect.poll(() => sink.messages.some((m) => m.includes('To: sotc@bacninh.gov.vn') && m.includes(id))).toBe(true)
    expect((await load(health, count)).status).toBe(403)
    // Another agency neither sees nor decides it.
    expect((await call('GET', '/api/sharing/requests', other)).body.map((r: any) => r.id)).not.toContain(id)
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, other, { approve: true })).status).toBe(404)
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, health, { approve: true })).status).toBe(403)
    // Nothing is decided before the asking agency's written request is attached; nothing approved without the signer's letter.
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true })).body.error.message_en).toBe('The request has no written request attached yet; it cannot be decided')
    expect((await client.send(`/api/sharing/requests/${id}/letters?kind=request`, finance, 'x.pdf', letter('x'))).status).toBe(403)
    const requestLetter = await attach(id, 'request', health)
    expect((await call('GET', '/api/sharing/requests', health)).body.find((r: any) => r.id === id)).toMatchObject({ request_letter: requestLetter, waiting_for: ['owner', 'operator'] })
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true })).body.error.message_en).toBe('An approval needs the letter of the data owner agency (attach it first)')
    const ownerLetter = await attach(id, 'owner', finance)
    // Wider than asked is refused; narrower is fine.
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true, members: ['enterprises.count', 'enterprises.name'], letter: ownerLetter })).status).toBe(400)
    const approved = await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true, members: ['enterprises.count'], note: 'Chỉ số lượng', letter: ownerLetter })
    // The owner's approval alone opens nothing: the operator has not signed.
    expect(approved.body).toMatchObject({ status: 'pending', granted_members: ['enterprises.count'] })
    expect((await call('GET', '/api/sharing/requests', health)).body.find((r: any) => r.id === id)).toMatchObject({ waiting_for: ['operator'], signs_as: null })
    expect((await load(health, count)).status).toBe(403)
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true, letter: ownerLetter })).status).toBe(409)
    // The operator signs with its own letter (not the owner's), and may not widen what the owner approved.
    const operator = await login('vanhanh')
    expect((await call('GET', '/api/sharing/requests', operator)).body.find((r: any) => r.id === id)).toMatchObject({ decides: true, signs_as: 'operator' })
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: ownerLetter })).body.error.message_en).toBe('The letter named is not one you attached to this request')
    const operatorLetter = await attach(id, 'operator', operator)
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: operatorLetter, members: ['enterprises.count', 'enterprises.commune_code'] })).status).toBe(400)
    const both = await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: operatorLetter, note: 'Đơn vị vận hành đồng ý' })
    expect(both.body).toMatchObject({ status: 'approved', granted_members: ['enterprises.count'], decided_by: 'vanhanh' })
    expect(both.body.decisions.map((d: any) => [d.side, d.approve, d.by, d.letter])).toEqual([
      ['owner', true, 'canbo.sotc', ownerLetter],
      ['operator', true, 'vanhanh', operatorLetter],
    ])
    // The letters are kept with the request, for both agencies to read.
    const letters = (await call('GET', `/api/sharing/requests/${id}/letters`, health)).body
    expect(letters.map((l: any) => [l.media_type, l.uploaded_by])).toEqual([
      ['application/pdf', 'canbo.soyt'],
      ['application/pdf', 'canbo.sotc'],
      ['application/pdf', 'vanhanh'],
    ])
    const read = await fetch(`${service.url}/api/attachments/${ownerLetter}`, { headers: { authorization: `Bearer ${health}` } })
    expect([read.status, (await read.text()).includes(`owner ${id}`)]).toEqual([200, true])
    expect((await fetch(`${service.url}/api/attachments/${ownerLetter}`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403)
    // In force at once: the count, not the communes.
    const now = await load(health, count)
    expect(now.status).toBe(200)
    expect(Number(now.body.data[0]['enterprises.count'])).toBe(2)
    expect((await load(health, byCommune)).body.message_en).toContain('does not include enterprises.commune_code')
    // /meta shows what the grant opened: the view, with the granted member only.
    const meta = (await call('GET', '/cubejs-api/v1/meta', health)).body.cubes.find((c: any) => c.name === 'enterprises')
    expect([...meta.measures, ...meta.dimensions].map((m: any) => m.name)).toEqual(['enterprises.count'])
    const mine = (await call('GET', '/api/sharing/requests', health)).body.find((r: any) => r.id === id)
    expect(mine).toMatchObject({ status: 'approved', in_force: true })
    const datasets = (await call('GET', '/api/sharing/datasets', health)).body
    expect(datasets.find((d: any) => d.id === 'doanh_nghiep').access).toBe('granted')

    // Suspended: refused on the next request; resumed: open again; ended: closed for good.
    expect((await call('POST', `/api/sharing/requests/${id}/status`, finance, { status: 'suspended' })).body.error.message_en).toBe('A reason is required')
    expect((await call('POST', `/api/sharing/requests/${id}/status`, finance, { status: 'suspended', note: 'Rà soát mục đích' })).body.status).toBe('suspended')
    expect((await load(health, count)).status).toBe(403)
    expect((await call('POST', `/api/sharing/requests/${id}/status`, finance, { status: 'approved' })).body.status).toBe('approved')
    expect((await load(health, count)).status).toBe(200)
    expect((await call('POST', `/api/sharing/requests/${id}/status`, health, { status: 'ended', note: 'Không còn cần' })).body.status).toBe('ended')
    expect((await load(health, count)).status).toBe(403)
    expect((await call('POST', `/api/sharing/requests/${id}/status`, finance, { status: 'approved' })).status).toBe(409)

    // Every step is in the sharing log with its dataset.
    await service.ctx.audit.flush()
    const steps = await queryRows<{ endpoint: string; account: string; agency: string; datasets: string[] }>(
      service.ctx.wh.client,
      "SELECT endpoint, account, agency, datasets FROM meta.audit WHERE endpoint LIKE 'sharing.%' AND query LIKE {id:String} ORDER BY seq",
      { id: `%${id}%` },
    )
    expect(steps.map((s) => `${s.endpoint} ${s.account}`)).toEqual([
      'sharing.request canbo.soyt', 'sharing.letter canbo.soyt', 'sharing.letter canbo.sotc', 'sharing.decision canbo.sotc', 'sharing.letter vanhanh', 'sharing.decision vanhanh',
      'sharing.status canbo.sotc', 'sharing.status canbo.sotc', 'sharing.status canbo.soyt',
    ])
    expect(steps.every((s) => s.datasets.join() === 'doanh_nghiep')).toBe(true)
  })

  it('a refusal needs a reason and opens nothing', async () => {
    const health = await login('canbo.soyt')
    const made = await call('POST', '/api/sharing/requests', health, { dataset: 'doanh_nghiep', views: ['enterprises'], purpose: 'Thống kê doanh nghiệp dược', legal_basis: 'NĐ 47/2020', starts_on: today(), ends_on: inDays(30) })
    const finance = await login('canbo.sotc')
    await attach(made.body.id, 'request', health)
    expect((await call('POST', `/api/sharing/requests/${made.body.id}/decision`, finance, { approve: false })).status).toBe(400)
    // One side's refusal ends it: the operator has nothing left to sign.
    const refused = await call('POST', `/api/sharing/requests/${made.body.id}/decision`, finance, { approve: false, note: 'Chưa đủ căn cứ' })
    expect(refused.body).toMatchObject({ status: 'refused', decisions: [{ side: 'owner', approve: false, by: 'canbo.sotc', note: 'Chưa đủ căn cứ' }] })
    expect((await call('POST', `/api/sharing/requests/${made.body.id}/decision`, await login('vanhanh'), { approve: true })).status).toBe(409)
    expect((await load(health, count)).status).toBe(403)
  })

  it('a view-only grant answers on kho, never as a download', async () => {
    const health = await login('canbo.soyt')
    const ask = { dataset: 'doanh_nghiep', views: ['enterprises'], purpose: 'Xem số doanh nghiệp trên trang', legal_basis: 'QĐ 53/2024 Điều 7', starts_on: today(), ends_on: inDays(30), level: 'view' }
    expect((await call('POST', '/api/sharing/requests', health, { ...ask, method: 'export' })).body.error.message_en).toBe('The view-only level allows no download or feed')
    const id = (await call('POST', '/api/sharing/requests', health, ask)).body.id
    await attach(id, 'request', health)
    const finance = await login('canbo.sotc')
    const operator = await login('vanhanh')
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: await attach(id, 'operator', operator) })).body.status).toBe('pending')
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true, letter: await attach(id, 'owner', finance) })).body).toMatchObject({ status: 'approved', level: 'view' })
    expect((await load(health, byCommune)).status).toBe(200)
    const exported = await call('POST', '/api/export', health, { query: byCommune })
    expect(exported.status).toBe(403)
    expect(exported.body.message_en ?? exported.body.error?.message_en).toContain('view-only')
    await call('POST', `/api/sharing/requests/${id}/status`, health, { status: 'ended', note: 'Đã xem xong' })
    expect((await load(health, byCommune)).status).toBe(403)
  })

  it('a consuming system asks through the same request: its agency registers it, both sides sign, a third party commits first', async () => {
    const health = await login('canbo.soyt')
    const finance = await login('canbo.sotc')
    const operator = await login('vanhanh')
    // The agency registers its own system (Lào Cai Điều 8.6a); views outside its scope take a request, even from a steward.
    const his = { id: 'his-yte', name: 'Hệ thống thông tin y tế', agency: 'SO_YT', contact: 'it@soyt.gov.vn' }
    expect((await call('POST', '/api/admin/systems', health, { ...his, views: ['enterprises'] })).body.error.code).toBe('outside_scope')
    expect((await call('POST', '/api/admin/systems', admin, { ...his, views: ['enterprises'] })).body.error.code).toBe('outside_scope')
    expect((await call('POST', '/api/admin/systems', health, { ...his, agency: 'SO_TC' })).status).toBe(403)
    expect((await call('POST', '/api/admin/systems', health, his)).status).toBe(200)
    const key = (await call('POST', '/api/admin/systems/his-yte/keys', operator)).body.key
    expect((await load(key, count)).status).toBe(403)
    const ask = { dataset: 'doanh_nghiep', recipient: 'system', system_id: 'his-yte', views: ['enterprises'], purpose: 'Đồng bộ danh sách cơ sở kinh doanh dược', legal_basis: 'QĐ 53/2024 Điều 7', starts_on: today(), ends_on: inDays(90), method: 'feed', frequency: 'daily' }
    expect((await call('POST', '/api/sharing/requests', health, { ...ask, level: 'view' })).body.error.message_en).toBe('A system uses data: ask at the "use" level')
    expect((await call('POST', '/api/sharing/requests', await login('canbo.soct'), ask)).body.error.message_en).toBe('Agency SO_CT has no registered system "his-yte"')
    const id = (await call('POST', '/api/sharing/requests', health, ask)).body.id
    await attach(id, 'request', health)
    await call('POST', `/api/sharing/requests/${id}/decision`, finance, { approve: true, letter: await attach(id, 'owner', finance) })
    expect((await load(key, count)).status).toBe(403)
    await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: await attach(id, 'operator', operator) })
    // The grant is the system's, not its agency's officers'.
    const answer = await load(key, count)
    expect([answer.status, Number(answer.body.data[0]['enterprises.count'])]).toEqual([200, 2])
    expect((await load(health, count)).status).toBe(403)

    // A system a third party runs: the owner cannot approve before the third party's written commitment is attached.
    const vien = { id: 'vien-ncyt', name: 'Phần mềm nghiên cứu dịch tễ', agency: 'SO_YT', third_party: true, operator_name: 'Viện Nghiên cứu Y tế công cộng' }
    expect((await call('POST', '/api/admin/systems', health, vien)).status).toBe(200)
    const third = (await call('POST', '/api/sharing/requests', health, { ...ask, system_id: 'vien-ncyt' })).body.id
    await attach(third, 'request', health)
    const ownerLetter = await attach(third, 'owner', finance)
    expect((await call('POST', `/api/sharing/requests/${third}/decision`, finance, { approve: true, letter: ownerLetter })).body.error.message_en).toBe(
      'A system run by a third party: its written commitment is needed before a grant',
    )
    const commitment = await attach(third, 'commitment', health)
    expect((await call('POST', `/api/sharing/requests/${third}/decision`, finance, { approve: true, letter: ownerLetter })).body).toMatchObject({ status: 'pending', commitment_letter: commitment })
  })

  it('a system reads personal data only under a grant that names each personal member, with a declared purpose', async () => {
    const health = await login('canbo.soyt')
    const police = await login('canbo.ca')
    const operator = await login('vanhanh')
    const key = (await call('POST', '/api/admin/systems/his-yte/keys', operator)).body.key
    const names = { measures: ['citizens.count'], dimensions: ['citizens.full_name'] }
    const purpose = 'Đối chiếu hồ sơ khám chữa bệnh'
    expect((await client.load(names, key, purpose)).status).toBe(403)
    const ask = { dataset: 'dan_cu', recipient: 'system', system_id: 'his-yte', views: [], members: ['citizens.count', 'citizens.full_name'], purpose, legal_basis: 'Luật Dữ liệu 2024 Điều 18; NĐ 13/2023 Điều 17', starts_on: today(), ends_on: inDays(30) }
    const id = (await call('POST', '/api/sharing/requests', health, ask)).body.id
    await attach(id, 'request', health)
    await call('POST', `/api/sharing/requests/${id}/decision`, police, { approve: true, letter: await attach(id, 'owner', police) })
    expect((await call('POST', `/api/sharing/requests/${id}/decision`, operator, { approve: true, letter: await attach(id, 'operator', operator) })).body.status).toBe('approved')
    expect((await client.load(names, key, purpose)).status).toBe(200)
    // Without a purpose, or a personal member the grant does not name: refused.
    expect((await client.load(names, key)).status).toBe(403)
    expect((await client.load({ measures: ['citizens.count'], dimensions: ['citizens.birth_date'] }, key, purpose)).status).toBe(403)
  })
})

describe('accounts', () => {
  // Disabling and enabling an account ends its sessions: the flows after these sign in again.
  afterAll(() => sessions.clear())
  it('a disabled account is refused on its next request, and enabled again it signs in anew', async () => {
    const other = await signIn('canbo.soct')
    expect((await load(other, count)).status).toBe(200)
    expect((await call('PATCH', '/api/admin/accounts/canbo.soct', admin, { disabled: true })).status).toBe(200)
    expect((await load(other, count)).status).toBe(401)
    expect((await call('POST', '/api/auth/login', undefined, { username: 'canbo.soct', password: 'mot-mat-khau-dai' })).status).toBe(401)
    await call('PATCH', '/api/admin/accounts/canbo.soct', admin, { disabled: false })
    expect((await load(other, count)).status).toBe(401)
    expect((await load(await signIn('canbo.soct'), count)).status).toBe(200)
  })

  it('a reset password works once and must be changed before anything else', async () => {
    await call('POST', '/api/admin/accounts', admin, { username: 'canbo.reset', password: 'mot-mat-khau-dai', role: 'agency_officer', agency: 'SO_TC' })
    const before = await signIn('canbo.reset')
    const reset = await call('POST', '/api/admin/accounts/canbo.reset/reset-password', admin, {})
    expect(reset.status).toBe(200)
    const temporary = reset.body.temporary_password
    expect(temporary).toMatch(/^[A-Za-z0-9_-]{12}$/)
    expect((await call('GET', '/api/auth/me', before)).status).toBe(401)
    const signedIn = await call('POST', '/api/auth/login', undefined, { username: 'canbo.reset', password: temporary })
    expect(signedIn.body.account.must_change_password).toBe(true)
    const session = signedIn.body.token
    const blocked = await load(session, count)
    expect(blocked.status).toBe(403)
    expect(blocked.body.code).toBe('password_change_required')
    expect((await call('POST', '/api/auth/password', session, { current: 'sai', password: 'mat-khau-moi-cua-toi' })).status).toBe(400)
    const changed = await call('POST', '/api/auth/password', session, { current: temporary, password: 'mat-khau-moi-cua-toi' })
    expect(changed.status).toBe(200)
    expect((await load(session, count)).status).toBe(401)
    expect((await load(changed.body.token, count)).status).toBe(200)
  })

  it('lists each account with its last sign-in', async () => {
    await service.ctx.audit.flush()
    const accounts = (await call('GET', '/api/admin/accounts', admin)).body
    expect(accounts.find((a: any) => a.username === 'canbo.soyt').last_sign_in).toMatch(/^\d{4}-\d{2}-\d{2} /)
  })
})

describe('consuming systems', () => {
  it('a system key reaches only its views, is logged as the system, and stops when revoked, expired or called from elsewhere', async () => {
    const reg = await call('POST', '/api/admin/systems', admin, { id: 'tk-lgsp', name: 'Hệ thống thống kê', agency: 'TK_TINH', contact: 'it@tk.gov.vn', views: ['enterprises'] })
    expect(reg.status).toBe(200)
    const issued = await call('POST', '/api/admin/systems/tk-lgsp/keys', admin)
    const key = issued.body.key
    expect(key).toMatch(/^kho_sys_[0-9a-f]{12}_/)
    const listed = JSON.stringify((await call('GET', '/api/admin/systems', admin)).body)
    // The secret is everything after the key id (base64url: it may itself hold '_').
    const secret = key.slice('kho_sys_'.length + 13)
    expect(secret.length).toBeGreaterThanOrEqual(32)
    expect(listed).not.toContain(secret)
    const first = await load(key, count)
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect((await load(key, { measures: ['citizens.count'] })).status).toBe(403)
    expect((await call('GET', '/api/loads', key)).status).toBe(403)
    // Nor a public route outside the Cube API: an export was answered (second probe).
    expect((await call('POST', '/api/export', key, { query: { measures: ['enterprises.count'] } })).status).toBe(403)
    // A format that is not offered is refused, not silently an XLSX.
    expect((await call('POST', '/api/export', admin, { query: { measures: ['enterprises.count'] }, format: 'pdf' })).body.error.message_en).toBe('No format "pdf"; choose xlsx or csv')
    await service.ctx.audit.flush()
    const logged = await queryRows<{ account: string; via: string; agency: string; datasets: string[]; outcome: string }>(
      service.ctx.wh.client,
      "SELECT account, via, agency, datasets, outcome FROM meta.audit WHERE account = 'sys:tk-lgsp' AND endpoint = 'load' ORDER BY seq",
    )
    expect(logged).toEqual([
      { account: 'sys:tk-lgsp', via: 'system-key', agency: 'TK_TINH', datasets: ['doanh_nghiep'], outcome: 'ok' },
      { account: 'sys:tk-lgsp', via: 'system-key', agency: 'TK_TINH', datasets: [], outcome: 'denied' },
    ])
    // Rotation: a second key works beside the first until the first is revoked.
    const next = (await call('POST', '/api/admin/systems/tk-lgsp/keys', admin)).body
    expect((await call('DELETE', `/api/admin/systems/tk-lgsp/keys/${issued.body.key_id}`, admin)).status).toBe(200)
    expect((await load(key, count)).status).toBe(401)
    expect((await load(next.key, count)).status).toBe(200)
    // An address allow-list and an expiry hold.
    await call('PATCH', '/api/admin/systems/tk-lgsp', admin, { addresses: ['10.9.8.7'] })
    expect((await load(next.key, count)).body.message_en).toBe('System tk-lgsp may not call from 127.0.0.1')
    await call('PATCH', '/api/admin/systems/tk-lgsp', admin, { addresses: [], expires_on: inDays(-1) })
    expect((await load(next.key, count)).status).toBe(401)
    await call('PATCH', '/api/admin/systems/tk-lgsp', admin, { expires_on: null })
    expect((await load(next.key, count)).status).toBe(200)
    expect((await call('POST', '/api/admin/systems', admin, { id: 'x-bad', name: 'x', agency: 'SO_YT', views: ['khong_co'] })).status).toBe(400)
  })
})

describe('the sharing log', () => {
  const run = promisify(execFile)
  const kho = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env, cwd: PROJECT_ROOT })
      return { code: 0, stdout }
    } catch (err) {
      const e = err as { code: number; stdout: string }
      return { code: e.code, stdout: e.stdout }
    }
  }

  it('kho audit verify says the log is whole, and after an entry is edited names it', async () => {
    const whole = await kho('audit', 'verify')
    expect(whole.code).toBe(0)
    expect(whole.stdout).toContain('the sharing log is whole')
    await service.ctx.audit.flush()
    const [victim] = await queryRows<{ seq: string }>(service.ctx.wh.client, "SELECT seq FROM meta.audit WHERE endpoint = 'sharing.decision' ORDER BY seq LIMIT 1")
    await service.ctx.wh.client.command({ query: `ALTER TABLE meta.audit UPDATE reason = 'edited' WHERE seq = ${Number(victim!.seq)} SETTINGS mutations_sync = 1` })
    const broken = await kho('audit', 'verify')
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain(`entry ${victim!.seq} was changed after it was written`)
    const json = JSON.parse((await kho('audit', 'verify', '--json')).stdout)
    expect(json).toMatchObject({ ok: false, broken: { seq: Number(victim!.seq) } })
    // The nightly verification fails on it, and that raises the critical alert.
    const run = await call('POST', '/api/jobs/audit-verify/run', admin)
    expect(run.body).toMatchObject({ job: 'audit-verify', status: 'failed', message: expect.stringContaining(`entry ${victim!.seq} was changed after it was written`) })
    await service.ctx.alerts.check()
    const open = await service.ctx.alerts.list({ state: 'open', agency: '', limit: 50 })
    expect(open).toContainEqual(expect.objectContaining({ rule: 'audit_chain_broken', severity: 'critical' }))
  }, 60_000)
})

describe('account review', () => {
  it('lists personal-data accounts, grants ending within 30 days and unused accounts, on the page and in the workbook and the reminder', async () => {
    const health = await login('canbo.soyt')
    const finance = await login('canbo.sotc')
    const made = await call('POST', '/api/sharing/requests', health, { dataset: 'doanh_nghiep', views: ['enterprises'], purpose: 'Theo dõi doanh nghiệp dược phẩm', legal_basis: 'QĐ 53/2024', starts_on: today(), ends_on: inDays(20) })
    await approveBoth(made.body.id, health, finance)
    await call('POST', '/api/admin/accounts', admin, { username: 'canbo.baomat', password: 'mot-mat-khau-dai', role: 'steward', personal_data: true, email: 'baomat@bacninh.gov.vn' })
    // An account made long ago that never signed in.
    await service.ctx.wh.client.command({ query: "INSERT INTO meta.accounts (username, display_name, password_hash, role, agency, commune_code, personal_data, disabled, token_version, created_at, updated_at) VALUES ('canbo.cu', 'Cán bộ cũ', 'x', 'agency_officer', 'SO_XD', '', false, false, 0, '2025-01-01 00:00:00', now64(3))" })
    const review = (await call('GET', '/api/admin/account-review', admin)).body
    expect(review.personal_data.map((a: any) => a.username)).toContain('canbo.baomat')
    expect(review.grants_ending).toContainEqual(expect.objectContaining({ id: made.body.id, agency: 'SO_YT', ends_on: inDays(20) }))
    expect(review.unused.map((a: any) => a.username)).toEqual(['canbo.cu'])
    const res = await fetch(`${service.url}/api/admin/account-review?format=xlsx`, { headers: { authorization: `Bearer ${admin}` } })
    expect(res.headers.get('content-type')).toContain('spreadsheetml')
    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Khong dung 90 ngay', 'Du lieu ca nhan', 'Quyen sap het han', 'Khoa qua 1 nam'])
    expect(wb.getWorksheet('Khong dung 90 ngay')!.getCell('A3').value).toBe('canbo.cu')
    // The quarterly job writes the workbook and e-mails the stewards who have an address.
    const before = sink.messages.length
    const run = await call('POST', '/api/jobs/account-review/run', admin)
    expect(run.body).toMatchObject({ status: 'succeeded' })
    expect(run.body.output).toContain('e-mail: 1')
    expect(sink.messages.slice(before).some((m) => m.includes('To: baomat@bacninh.gov.vn') && m.includes('ra_soat_tai_khoan_'))).toBe(true)
  })
})

describe('usage statistics', () => {
  it('the usage view counts what the sharing log holds, per dataset and consumer, and an owner sees its own datasets only', async () => {
    await load(await login('canbo.soct'), count)
    await service.ctx.audit.flush()
    const q = { measures: ['usage.queries', 'usage.rows', 'usage.users'], dimensions: ['usage.dataset', 'usage.consumer'], order: [['usage.dataset', 'asc'], ['usage.consumer', 'asc']] }
    const viaApi = (await load(admin, q)).body.data.map((r: any) => [r['usage.dataset'], r['usage.consumer'], Number(r['usage.queries']), Number(r['usage.rows']), Number(r['usage.users'])])
    const fromLog = (
      await queryRows<{ dataset: string; consumer: string; queries: string; rows: string; users: string }>(
        service.ctx.wh.client,
        `SELECT dataset, if(via = 'system-key', account, agency) AS consumer, count() AS queries, sum(row_count) AS rows, uniqExact(account) AS users
         FROM meta.audit ARRAY JOIN datasets AS dataset
         WHERE outcome = 'ok' AND endpoint IN ('load', 'ask', 'sql', 'trace', 'export', 'rejects', 'open_data.download') AND (endpoint != 'sql' OR startsWith(via, 'sql-')) GROUP BY dataset, consumer ORDER BY dataset, consumer`,
      )
    ).map((r) => [r.dataset, r.consumer, Number(r.queries), Number(r.rows), Number(r.users)])
    expect(viaApi).toEqual(fromLog)
    expect(viaApi.map((r: any[]) => r[1])).toEqual(expect.arrayContaining(['SO_CT', 'SO_YT', 'sys:his-yte']))
    // Not cached: one more query shows at once.
    const before = viaApi.find((r: any[]) => r[1] === 'SO_CT')[2]
    await load(await login('canbo.soct'), count)
    await service.ctx.audit.flush()
    const after = (await load(admin, { measures: ['usage.queries'], filters: [{ member: 'usage.consumer', operator: 'equals', values: ['SO_CT'] }] })).body.data[0]['usage.queries']
    expect(Number(after)).toBe(before + 1)
    const owners = (await load(await login('canbo.sotc'), { measures: ['usage.queries'], dimensions: ['usage.owner'] })).body.data
    expect(owners.map((r: any) => r['usage.owner'])).toEqual(['SO_TC'])
    expect((await load(await login('canbo.soyt'), { measures: ['usage.queries'], dimensions: ['usage.owner'] })).body.data).toEqual([])
  })
})

describe('quarterly report per agency', () => {
  it("builds an agency's quarter-to-date report whose numbers equal the API's", async () => {
    const { quarterToDate } = await import('../../dashboards/briefings/briefing-period.ts')
    const { sharingQuery, submissionQuery, usageQuery } = await import('../../dashboards/briefings/briefing-queries.ts')
    const period = quarterToDate(today())
    const built = await call('POST', '/api/briefings/co_quan_quy/run', admin, { agency: 'SO_TC' })
    expect(built.status).toBe(200)
    expect(built.body).toMatchObject({ period: period.code, name: `co_quan_quy_${period.code.replace('..', '_')}_SO_TC.xlsx` })
    expect(built.body.label).toMatch(/^Quý [IV]+\/\d{4}/)
    const res = await fetch(`${service.url}/api/briefings/co_quan_quy/files/${built.body.name}`, { headers: { authorization: `Bearer ${admin}` } })
    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Nop bao cao', 'Lan gui du lieu', 'Chat luong du lieu', 'Khai thac du lieu', 'Bao loi du lieu', 'Yeu cau chia se', 'De xuat danh muc'])
    // Data rows start below the title block and the two header rows.
    const rowsOf = (name: string, n: number) => Array.from({ length: n }, (_, i) => (wb.getWorksheet(name)!.getRow(8 + i).values as unknown[]).slice(1))
    // Usage: SO_TC's datasets as others used them, exactly the API's rows.
    const api = (await load(admin, usageQuery(period, 'SO_TC'))).body.data
    expect(api.length).toBeGreaterThan(0)
    const sheet = rowsOf('Khai thac du lieu', api.length)
    expect(sheet.map((r) => [r[3], r[4], r[5]])).toEqual(api.map((r: any) => [Number(r['usage.queries']), Number(r['usage.rows']), Number(r['usage.users'])]))
    expect(sheet.map((r) => r[2])).toEqual(expect.arrayContaining(['Hệ thống his-yte']))
    // Sharing requests (Đắk Nông Điều 17.3): those SO_TC owns or made, exactly the API's counts, methods in words.
    const asked = (await load(admin, sharingQuery(period, 'SO_TC'))).body.data
    expect(asked.length).toBeGreaterThan(0)
    const sharingSheet = rowsOf('Yeu cau chia se', asked.length)
    expect(sharingSheet.map((r) => r.slice(4, 8))).toEqual(asked.map((r: any) => ['requests', 'granted', 'refused', 'pending'].map((k) => Number(r[`sharing_stats.${k}`]))))
    expect(sharingSheet.map((r) => r[3])).toEqual(expect.arrayContaining(['Nhận dữ liệu tự động']))
    expect(sharingSheet[0]![0]).toBe('Sở Tài chính')
    // Deliveries, for the last whole quarter: the same counts as the submissions view.
    const { periodFromCode } = await import('../../dashboards/briefings/briefing-period.ts')
    const last = periodFromCode(previousQuarter())!
    const lastBuilt = await call('POST', '/api/briefings/co_quan_quy/run', admin, { agency: 'SO_TC', period: last.code })
    const lastFile = await fetch(`${service.url}/api/briefings/co_quan_quy/files/${lastBuilt.body.name}`, { headers: { authorization: `Bearer ${admin}` } })
    await wb.xlsx.load(Buffer.from(await lastFile.arrayBuffer()) as never)
    const subs = (await load(admin, submissionQuery(last, 'SO_TC'))).body.data
    expect(subs.length).toBeGreaterThan(0)
    const subSheet = rowsOf('Nop bao cao', subs.length)
    expect(subSheet.map((r) => r.slice(1, 6))).toEqual(subs.map((r: any) => ['obligations', 'on_time', 'late', 'missing', 'rejected'].map((k) => Number(r[`submissions.${k}`]))))
    expect(subSheet[0]![0]).toBe('Sở Tài chính')
  })
})

describe('sharing statistics of the province', () => {
  it('count the requests as they stand, open to everyone, and are published as open data', async () => {
    const all = (await call('GET', '/api/sharing/requests', admin)).body as any[]
    const owner = (r: any) => service.ctx.model.now.catalog.dataset(r.dataset)!.owner
    const expected = [...new Set(all.map(owner))].sort().map((o) => {
      const mine = all.filter((r) => owner(r) === o)
      return [o, mine.length, mine.filter((r) => ['approved', 'suspended', 'ended'].includes(r.status)).length, mine.filter((r) => r.status === 'refused').length]
    })
    const stats = { measures: ['sharing_stats.requests', 'sharing_stats.granted', 'sharing_stats.refused'], dimensions: ['sharing_stats.owner'], order: { 'sharing_stats.owner': 'asc' } }
    // The public reads them: counts between public bodies, no purpose, no person.
    const open = await load('', stats)
    expect(open.status).toBe(200)
    expect(open.body.data.map((r: any) => [r['sharing_stats.owner'], ...['requests', 'granted', 'refused'].map((k) => Number(r[`sharing_stats.${k}`]))])).toEqual(expected)
    // The nightly open-data job publishes them (then every quarter), for anyone to download.
    expect((await call('POST', '/api/jobs/open-data-refresh/run', admin)).status).toBe(200)
    await expect.poll(async () => (await fetch(`${service.url}/open-data/thong-ke-chia-se-du-lieu.csv`)).status, { timeout: 20_000 }).toBe(200)
    const csv = (await (await fetch(`${service.url}/open-data/thong-ke-chia-se-du-lieu.csv`)).text()).replace('\uFEFF', '')
    expect(csv.split('\r\n')[0]).toContain('Số yêu cầu được cấp quyền')
    expect(csv).toContain('SO_TC')
  })
})

describe("a dataset's guide for those who use it (Đắk Nông Điều 5.2)", () => {
  it('is generated from the entry in either language, with a call that works as written, and the owner adds its own notes', async () => {
    const guide = (await call('GET', '/api/catalog/datasets/doanh_nghiep/guide')).body
    expect(guide.sections.map((x: any) => x.heading)).toEqual(['Dữ liệu này là gì', 'Ai được khai thác, và cách đề nghị', 'Các trường dữ liệu', 'Cách khai thác', 'Khi thấy dữ liệu sai'])
    expect(guide.sections[0].paragraphs[1]).toContain('Cơ quan chủ quản: Sở Tài chính')
    expect(guide.sections[1].paragraphs[1]).toContain('văn bản đề nghị có chữ ký')
    const fields = guide.sections[2].table
    expect(fields.rows.map((r: string[]) => r[0])).toEqual(service.ctx.model.now.catalog.dataset('doanh_nghiep')!.columns.map((c) => c.label))
    expect(fields.rows.find((r: string[]) => r[0] === 'Tình trạng')[3]).toContain('Tạm ngừng kinh doanh')
    // The API call it prints answers as it is.
    const [api, sql] = (guide.sections[3].code as { text: string }[]).map((c) => c.text)
    expect(sql).toContain('FROM enterprises')
    const printed = JSON.parse(api!.slice(api!.indexOf('\n') + 1)).query
    expect((await load(admin, printed)).status).toBe(200)
    const en = (await call('GET', '/api/catalog/datasets/dan_cu/guide?lang=en')).body
    expect(en.sections.map((x: any) => x.heading)).toEqual(['What this data is', 'Who may use it, and how to ask', 'Its fields', 'How to read it', 'When the data looks wrong'])
    expect(en.sections[0].paragraphs.join(' ')).toContain('It holds personal data')
    expect(en.title).toBe('Guide to Population register')

    // The owner writes its notes; another agency may not; the public sees them.
    const owner = await login('canbo.sotc')
    expect((await call('GET', '/api/catalog/datasets/doanh_nghiep/guide', owner)).body.editable).toBe(true)
    expect((await call('GET', '/api/catalog/datasets/doanh_nghiep/guide', await login('canbo.soyt'))).body.editable).toBe(false)
    expect((await call('PUT', '/api/catalog/datasets/doanh_nghiep/guide', await login('canbo.soyt'), { text: 'Không phải của tôi' })).status).toBe(403)
    expect((await call('PUT', '/api/catalog/datasets/doanh_nghiep/guide', undefined, { text: 'x' })).status).toBe(401)
    const notes = 'Số liệu doanh nghiệp cập nhật từ Hệ thống đăng ký quốc gia vào thứ Hai hằng tuần.'
    expect((await call('PUT', '/api/catalog/datasets/doanh_nghiep/guide', owner, { text: notes })).status).toBe(200)
    expect((await call('GET', '/api/catalog/datasets/doanh_nghiep/guide')).body.notes).toMatchObject({ text: notes, by: 'canbo.sotc' })
    expect((await call('PUT', '/api/catalog/datasets/doanh_nghiep/guide', owner, { text: 'x'.repeat(20_001) })).status).toBe(400)
  })
})

describe('the register of connected systems', () => {
  it('lists consuming systems with the datasets they read and their last successful call, and agencies sending by push key', async () => {
    const { createApiKey } = await import('../../infra/access/push-keys.ts')
    await createApiKey(service.ctx.wh, 'BHXH_TINH', 'Phần mềm quản lý thu BHXH')
    await service.ctx.audit.flush()
    const register = (await call('GET', '/api/admin/system-register', admin)).body
    const his = register.find((s: any) => s.id === 'his-yte')
    expect(his).toMatchObject({ direction: 'consumes', channel: 'lgsp', agency: 'SO_YT', datasets: ['dan_cu', 'doanh_nghiep'], active: true })
    expect(his.last_success).toMatch(/^\d{4}-\d{2}-\d{2} /)
    expect(register.find((s: any) => s.id === 'push:BHXH_TINH')).toMatchObject({ direction: 'supplies', channel: 'push', name: 'Phần mềm quản lý thu BHXH', active: true })
    // The systems that must connect (Lào Cai Điều 8.2), each with its state read from what connects.
    const required = (await call('GET', '/api/admin/system-register/required', admin)).body as any[]
    expect(required.map((r) => [r.id, r.group, r.state, r.overdue])).toEqual([
      ['csdl_dan_cu', 'quoc_gia', 'not_connected', false],
      // Only files officers deliver, no system yet.
      ['csdl_dang_ky_doanh_nghiep', 'quoc_gia', 'manual', false],
      // A push key is issued, but nothing of the dataset has come through it.
      ['csdl_bao_hiem', 'quoc_gia', 'not_connected', false],
      ['he_thong_bao_cao_tinh', 'tinh', 'not_connected', false],
    ])
    expect((await call('GET', '/api/admin/system-register/required', await login('canbo.soyt'))).status).toBe(403)
  })
})

describe('change feeds', () => {
  it('feeds a system the changed rows of the granted members, signed, by pull and by push retried until taken, each in the sharing log', async () => {
    const { createServer } = await import('node:http')
    const { verify } = await import('node:crypto')
    // The receiving system: it refuses the first push, then takes them.
    const received: { body: string; signature: string; status: number }[] = []
    const receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const status = received.length === 0 ? 500 : 200
        received.push({ body, signature: String(req.headers['x-kho-signature'] ?? ''), status })
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    const port = (receiver.address() as { port: number }).port
    try {
      const health = await login('canbo.soyt')
      const finance = await login('canbo.sotc')
      const sys = { id: 'tram-duoc', name: 'Phần mềm quản lý nhà thuốc', agency: 'SO_YT', feed_url: `http://127.0.0.1:${port}/kho` }
      expect((await call('POST', '/api/admin/systems', health, sys)).status).toBe(200)
      const key = (await call('POST', '/api/admin/systems/tram-duoc/keys', await login('vanhanh'))).body.key
      const ask = { dataset: 'doanh_nghiep', recipient: 'system', system_id: 'tram-duoc', members: ['enterprises.enterprise_code', 'enterprises.status'], purpose: 'Cập nhật danh sách doanh nghiệp kinh doanh dược', legal_basis: 'QĐ 53/2024 Điều 7', starts_on: today(), ends_on: inDays(30), method: 'feed', frequency: 'on_change' }
      // A feed goes to a system, never to an agency's officers.
      expect((await call('POST', '/api/sharing/requests', health, { ...ask, recipient: 'agency', system_id: '' })).body.error.message_en).toBe('A feed goes to a system: name the receiving system')
      const made = await call('POST', '/api/sharing/requests', health, ask)
      expect([made.status, made.body.error]).toEqual([200, undefined])
      const id = made.body.id
      const pull = async (after = '', auth = key) => {
        const res = await fetch(`${service.url}/api/feed/${id}?after=${encodeURIComponent(after)}`, { headers: { authorization: `Bearer ${auth}` } })
        return { status: res.status, text: await res.text(), signature: res.headers.get('x-kho-signature') ?? '' }
      }
      // Nothing before both sides sign.
      const early = await pull()
      expect([early.status, early.text]).toEqual([403, expect.any(String)])
      await approveBoth(id, health, finance)

      const { public_key } = (await call('GET', '/api/feed/signing-key')).body
      const signed = (text: string, signature: string) => verify(null, Buffer.from(text), public_key, Buffer.from(signature, 'base64'))
      const first = await pull()
      expect([first.status, first.status === 200 ? "" : first.text]).toEqual([200, ""])
      expect(signed(first.text, first.signature)).toBe(true)
      // A page altered on the way does not check.
      expect(signed(first.text.replace('0100047516', '0100047517'), first.signature)).toBe(false)
      const page = JSON.parse(first.text)
      expect(page.members).toEqual(['enterprises.enterprise_code', 'enterprises.status', 'enterprises.load_id'])
      expect(page.rows.map((r: any) => [r['enterprises.enterprise_code'], r['enterprises.status']]).sort()).toEqual([['0100047516', 'dang_hoat_dong'], ['0100233488', 'dang_hoat_dong']])
      // Only the granted members: nothing else of a row leaves.
      expect(Object.keys(page.rows[0]).sort()).toEqual(['enterprises.enterprise_code', 'enterprises.load_id', 'enterprises.status'])
      const caughtUp = JSON.parse((await pull(page.next)).text)
      expect([caughtUp.rows, caughtUp.more, caughtUp.next]).toEqual([[], false, page.next])
      // Not the officers', nor another system's, nor a cursor made up.
      expect((await pull('', health)).status).toBe(401)
      expect((await call('POST', '/api/admin/systems', health, { id: 'tram-khac', name: 'Phần mềm khác', agency: 'SO_YT' })).status).toBe(200)
      const other = (await call('POST', '/api/admin/systems/tram-khac/keys', await login('vanhanh'))).body.key
      expect((await pull('', other)).status).toBe(404)
      expect(JSON.parse((await pull('eyJ4Ijox', key)).text).error.message_en).toBe('The "after" cursor is invalid: use the previous page’s "next"')

      // The owner delivers again: B suspended, C new, A untouched.
      const file = path.join(home, 'dn-2.csv')
      const header = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Tình trạng,Ngày cập nhật'
      fs.writeFileSync(file, [header, '0100233488,Công ty B,01/02/2021,07228,4659,tam_ngung,02/10/2026', '0100109106,Công ty C,05/05/2022,07210,4772,dang_hoat_dong,02/10/2026'].join('\n'))
      const r = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file' })
      expect(r.status).toBe('committed')
      await service.ctx.transforms.run()
      const changed = JSON.parse((await pull(page.next)).text)
      expect(changed.rows.map((x: any) => [x['enterprises.enterprise_code'], x['enterprises.status']]).sort()).toEqual([['0100109106', 'dang_hoat_dong'], ['0100233488', 'tam_ngung']])
      expect(changed.deliveries.map((d: any) => d.load_id)).toEqual([r.loadId])

      // Pushed after each run: refused once (HTTP 500), retried a few seconds later from the same place, then taken.
      const taken = () => received.filter((x) => x.status === 200).map((x) => JSON.parse(x.body))
      const latest = () => Object.fromEntries(taken().flatMap((p: any) => p.rows.map((x: any) => [x['enterprises.enterprise_code'], x['enterprises.status']])))
      await expect.poll(latest, { timeout: 30_000, interval: 500 }).toEqual({ '0100047516': 'dang_hoat_dong', '0100233488': 'tam_ngung', '0100109106': 'dang_hoat_dong' })
      for (const x of received) expect(signed(x.body, x.signature)).toBe(true)
      expect([received[0]!.status, JSON.parse(received[0]!.body).after, JSON.parse(received[1]!.body).after]).toEqual([500, '', ''])
      const last = taken().at(-1)
      await expect.poll(async () => (await queryRows<{ attempts: number; cursor: string }>(service.ctx.wh.client, `SELECT attempts, cursor FROM meta.feed_cursors FINAL WHERE request_id = '${id}'`))[0]).toEqual({ attempts: 0, cursor: last.next })
      await service.ctx.audit.flush()
      const log = await queryRows<{ endpoint: string; outcome: string; row_count: number }>(
        service.ctx.wh.client,
        `SELECT endpoint, outcome, row_count FROM meta.audit WHERE endpoint IN ('feed', 'feed.push') AND account = 'sys:tram-duoc' ORDER BY seq`,
      )
      expect(log.filter((e) => e.endpoint === 'feed.push').map((e) => e.outcome)).toEqual(received.map((x) => (x.status === 200 ? 'ok' : 'error')))
      expect(log.filter((e) => e.endpoint === 'feed').length).toBeGreaterThanOrEqual(4)
      // A grant by query is never fed.
      const byQuery = (await call('POST', '/api/sharing/requests', health, { ...ask, system_id: 'tram-khac', method: 'query' })).body.id
      await approveBoth(byQuery, health, finance)
      const refused = await fetch(`${service.url}/api/feed/${byQuery}`, { headers: { authorization: `Bearer ${other}` } })
      expect([refused.status, ((await refused.json()) as any).error.message_en]).toEqual([403, `Grant ${byQuery} is not by feed`])
    } finally {
      receiver.close()
    }
  }, 120_000)
})

describe('the ranking of agencies (Lào Cai Điều 25)', () => {
  const quarterOf = (day: string) => `${day.slice(0, 4)}-Q${Math.ceil(Number(day.slice(5, 7)) / 3)}`
  const criterion = (answer: any, agency: string, c: string) => answer.agencies.find((a: any) => a.agency === agency)?.criteria.find((x: any) => x.criterion === c)

  it('scores every criterion from its source, beside each agency’s own, and publishes the quarter frozen, as open data', async () => {
    await service.ctx.audit.flush()
    const finance = await login('canbo.sotc')
    const health = await login('canbo.soyt')
    const now = await call('GET', '/api/ranking', health)
    expect(now.status, JSON.stringify(now.body)).toBe(200)
    expect(now.body).toMatchObject({ quarter: quarterOf(today()), status: 'provisional', publishable: false, self_assessor: 'SO_YT' })

    // d) SO_TC answered every request for its data this quarter the day it came (none is yet 10 days old unanswered).
    const requests = (await call('GET', '/api/sharing/requests', admin)).body as any[]
    const owner = (r: any) => service.ctx.model.now.catalog.dataset(r.dataset)!.owner
    const answered = requests.filter((r) => owner(r) === 'SO_TC' && r.status !== 'withdrawn' && r.decisions.some((d: any) => d.side === 'owner'))
    expect(answered.length).toBeGreaterThan(0)
    expect(criterion(now.body, 'SO_TC', 'sharing')).toMatchObject({ score: 100, done: answered.length, of: answered.length })

    // e) SO_YT's grants in force, and those its officers or its systems used by the sharing log.
    const grants = requests.filter((r) => r.agency === 'SO_YT' && ['approved', 'suspended', 'ended'].includes(r.status))
    const used = []
    for (const g of grants) {
      const who = g.recipient === 'system' ? `account = 'sys:${g.system_id}'` : "agency = 'SO_YT' AND NOT startsWith(account, 'sys:')"
      const [n] = await queryRows<{ n: string }>(service.ctx.wh.client, `SELECT toString(count()) AS n FROM meta.audit WHERE outcome = 'ok' AND ${who} AND has(datasets, '${g.dataset}') AND endpoint IN ('load', 'sql', 'export', 'feed', 'feed.push')`)
      if (Number(n!.n) > 0) used.push(g.id)
    }
    expect(grants.length).toBeGreaterThan(used.length)
    expect(used.length).toBeGreaterThan(0)
    expect(criterion(now.body, 'SO_YT', 'use')).toMatchObject({ done: used.length, of: grants.length })

    // đ) The systems each agency must connect, as the register states them.
    const required = (await call('GET', '/api/admin/system-register/required', admin)).body as any[]
    for (const agency of [...new Set(required.map((r) => r.agency))]) {
      const mine = required.filter((r) => r.agency === agency)
      expect(criterion(now.body, agency, 'systems')).toMatchObject({ done: mine.filter((r) => r.state === 'connected').length, of: mine.length })
    }

    // Last quarter: a) and b) are the quality scores' own; SO_TC assesses itself (only itself) before it is published.
    const last = quarterOf(lastMonthOfPreviousQuarter() + '-01')
    const [scores] = await queryRows<{ completeness: number | null; validity: number | null; consistency: number | null; accuracy: number | null; timeliness: number | null }>(
      service.ctx.wh.client,
      `SELECT completeness, validity, consistency, accuracy, timeliness FROM marts.fct_quality_score WHERE agency = 'SO_TC' AND quarter_start = toStartOfQuarter(toDate('${lastMonthOfPreviousQuarter()}-01'))`,
    )
    const given = scores ? [scores.completeness, scores.validity, scores.consistency, scores.accuracy].filter((x): x is number => x !== null) : []
    const before = await call('GET', `/api/ranking?quarter=${last}`, finance)
    expect(criterion(before.body, 'SO_TC', 'quality')?.score ?? null).toBe(given.length ? Math.round((given.reduce((a, b) => a + b, 0) / given.length) * 10) / 10 : null)
    expect(criterion(before.body, 'SO_TC', 'timeliness')?.score ?? null).toBe(scores?.timeliness === null || scores === undefined ? null : Math.round(scores.timeliness * 10) / 10)
    const self = { quarter: last, scores: [{ criterion: 'quality', score: 90, note: 'Đã nộp đủ báo cáo quý' }, { criterion: 'sharing', score: 100 }] }
    expect((await call('PUT', '/api/ranking/self-assessment', finance, { ...self, agency: 'SO_YT' })).status).toBe(403)
    expect((await call('PUT', '/api/ranking/self-assessment', finance, { ...self, scores: [{ criterion: 'quality', score: 120 }] })).status).toBe(400)
    expect((await call('PUT', '/api/ranking/self-assessment', finance, { ...self, quarter: '2099-Q1' })).status).toBe(400)
    const assessed = await call('PUT', '/api/ranking/self-assessment', finance, self)
    expect(assessed.status).toBe(200)
    const mine = assessed.body.agencies.find((a: any) => a.agency === 'SO_TC')
    expect(mine).toMatchObject({ self_composite: 95 })
    expect(criterion(assessed.body, 'SO_TC', 'quality')).toMatchObject({ self_score: 90, self_note: 'Đã nộp đủ báo cáo quý' })

    // Published by a steward once the quarter ended (never an officer, never a quarter still running): frozen as it stood.
    expect((await call('POST', `/api/ranking/${last}/publish`, finance)).status).toBe(403)
    expect((await call('POST', `/api/ranking/${quarterOf(today())}/publish`, admin)).body.error.message_en).toBe(`${quarterOf(today())} has not ended`)
    const published = await call('POST', `/api/ranking/${last}/publish`, admin)
    expect(published.status).toBe(200)
    expect(published.body).toMatchObject({ status: 'published', publishable: false, self_assessor: null })
    const strip = (a: any) => a.agencies.map((x: any) => ({ ...x, criteria: x.criteria.map((c: any) => ({ ...c })) }))
    expect(strip(published.body)).toEqual(strip(assessed.body))
    expect((await call('POST', `/api/ranking/${last}/publish`, admin)).status).toBe(409)
    expect((await call('PUT', '/api/ranking/self-assessment', finance, self)).status).toBe(409)

    // Open to everyone, each criterion with its source, and published as open data.
    const open = await load('', {
      dimensions: ['agency_ranking.agency_name', 'agency_ranking.criterion_title', 'agency_ranking.source'],
      measures: ['agency_ranking.score', 'agency_ranking.self_score'],
      filters: [{ member: 'agency_ranking.agency', operator: 'equals', values: ['SO_TC'] }],
    })
    expect(open.status).toBe(200)
    const quality = open.body.data.find((r: any) => r['agency_ranking.criterion_title'] === 'a) Chất lượng dữ liệu')
    expect(quality).toMatchObject({ 'agency_ranking.agency_name': 'Sở Tài chính' })
    expect(Number(quality['agency_ranking.self_score'])).toBe(90)
    expect(quality['agency_ranking.source']).toContain('bảng điểm chất lượng dữ liệu')
    expect(open.body.data).toHaveLength(7)
    await expect.poll(async () => {
      const csv = await (await fetch(`${service.url}/open-data/xep-hang-thuc-hien-quy-che-du-lieu.csv`)).text()
      return csv.includes('Sở Tài chính') && csv.includes('Đã nộp đủ báo cáo quý') && csv.includes('a) Chất lượng dữ liệu')
    }, { timeout: 20_000 }).toBe(true)
  }, 120_000)
})
