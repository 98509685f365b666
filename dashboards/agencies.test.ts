import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { screenshot, signIn } from './testing/browser.ts'
import { readWorkbook, useUiService } from './testing/ui-service.ts'
import { awaitsCaller, type ListedRequest } from '../infra/contracts/sharing.ts'

/*
 * Agencies at work: the portal (officer), sharing between agencies, registering datasets in the
 * product: in Debian's Chromium against the real service with the demo province loaded, each step
 * checked against the API.
 */
const ui = useUiService()

describe('the agency portal (officer)', () => {
  it('uploads a file with bad rows and shows each rejected row with its reason', async () => {
    const communes = communesOf('24').slice(0, 40).map((c) => c.code)
    const lines = ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', ...communes.map((c, i) => `ENT_NEW,2019-01,${c},${i + 1}`), 'ENT_NEW,2019-13,07210,4', 'ENT_NEW,2019-01,07210,nhiều']
    const file = path.join(ui.home, 'bao-cao-so-tc.csv')
    fs.writeFileSync(file, lines.join('\n'))
    const page = await ui.newPage()
    await signIn(page, ui.url, 'canbo.sotc')
    await page.waitForSelector('[data-testid=upload-form]')
    expect(new URL(page.url()).pathname).toBe('/portal')
    await page.selectOption('[data-testid=upload-form] select[name=dataset]', 'chi_tieu_kt_xh')
    await page.setInputFiles('[data-testid=upload-form] input[type=file]', file)
    await page.click('[data-testid=upload-form] button[type=submit]')
    await page.waitForSelector('[data-testid=upload-report] [data-testid=rejects]')
    expect(await page.getAttribute('[data-testid=upload-report]', 'data-status')).toBe('committed')
    const [load] = (await ui.apiGet<{ load_id: string; source: string }[]>('canbo.sotc', '/api/loads?limit=1')).body
    expect(load!.source).toBe('bao-cao-so-tc.csv')
    const rejects = (await ui.apiGet<{ row: number; reason_vi: string }[]>('canbo.sotc', `/api/loads/${load!.load_id}/rejects.json`)).body
    expect(rejects.length).toBe(2)
    const shown = (await page.textContent('[data-testid=rejects]'))!
    for (const r of rejects) expect(shown).toContain(r.reason_vi)
    // Each rejected cell's column by the template's label, not its code.
    const entry = (await ui.apiGet<{ columns: { id: string; label: string }[] }>('canbo.sotc', '/api/catalog/datasets/chi_tieu_kt_xh')).body
    const stored = (await ui.apiGet<{ column: string }[]>('canbo.sotc', `/api/loads/${load!.load_id}/rejects.json`)).body
    await expect
      .poll(() => page.$$eval('[data-testid=rejects] tbody td:nth-child(2)', (tds) => tds.map((td) => td.textContent)))
      .toEqual(stored.map((r) => entry.columns.find((c) => c.id === r.column)!.label))
    await screenshot(page, 'portal')
    const [digest] = await Promise.all([page.context().waitForEvent('page'), page.click('[data-testid=open-digest]')])
    await digest.waitForLoadState()
    expect(await digest.textContent('h1')).toContain('Tình hình nộp báo cáo ngày')
    expect(await digest.textContent('body')).toContain('Sở Tài chính')
    await digest.close()

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-rejects]')])
    const ws = await readWorkbook((await download.path())!, 'Dong bi tu choi')
    expect(ws.rowCount).toBe(2 + rejects.length)
    // Titled with the dataset's and the agency's names; the column by its label.
    expect(String(ws.getCell(1, 1).value)).toContain('(Báo cáo chỉ tiêu kinh tế - xã hội, Sở Tài chính)')
    expect(ws.getRow(3).getCell(2).value).toBe(entry.columns.find((c) => c.id === stored[0]!.column)!.label)
    expect(ws.getRow(3).getCell(4).value).toBe(rejects[0]!.reason_vi)
    // First, the rejected rows whole under the template's headers, to fix and send again.
    const fix = await readWorkbook((await download.path())!)
    expect(fix.name).toBe('Sua va gui lai')
    expect(fix.getRow(2).getCell(1).value).toBe('Mã chỉ tiêu')
    expect(fix.rowCount).toBe(2 + rejects.length)

    // The cover letter attached to that delivery, from its row in the history; its type by content.
    const letter = path.join(ui.home, 'cong-van.pdf')
    fs.writeFileSync(letter, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
    await page.click(`[data-testid=history] button[data-load="${load!.load_id}"]`)
    await page.setInputFiles('[data-testid=load-attachments] input[type=file]', letter)
    await page.waitForSelector('[data-testid=load-attachments] tbody tr:has-text("cong-van.pdf")')
    const attached = (await ui.apiGet<{ name: string; media_type: string }[]>('canbo.sotc', `/api/loads/${load!.load_id}/attachments`)).body
    expect(attached.map((a) => [a.name, a.media_type])).toEqual([['cong-van.pdf', 'application/pdf']])
    await page.close()
  })

  it("keeps a scoped officer to its own agency's data, in the UI and through the API", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'canbo.sotc')
    const nav = (await page.textContent('header.top nav'))!
    expect(nav).not.toContain('Quản trị')
    expect(nav).not.toContain('Chất lượng')
    await page.goto(`${ui.url}/admin`)
    await page.waitForURL(/\/portal$/)
    await page.waitForSelector('[data-testid=history] tbody tr')
    const agencies = await page.$$eval('[data-testid=history] tbody tr td:nth-child(2)', (tds) => [...new Set(tds.map((td) => td.textContent))])
    expect(agencies).toEqual(['Sở Tài chính (SO_TC)'])
    expect(await page.$('[data-testid=agency-picker]')).toBeNull()
    await page.close()

    const loads = await ui.apiGet<{ agency: string }[]>('canbo.sotc', '/api/loads?agency=CA_TINH')
    expect(new Set(loads.body.map((l) => l.agency))).toEqual(new Set(['SO_TC']))
    const overdue = await ui.apiGet<{ agency: string }[]>('canbo.sotc', '/api/submissions/overdue?agency=CA_TINH')
    expect(overdue.body.every((r) => r.agency === 'SO_TC')).toBe(true)
    const theirs = await ui.cubeLoad('canbo.sotc', { dimensions: ['submissions.agency'], filters: [{ member: 'submissions.agency', operator: 'equals', values: ['CA_TINH'] }] })
    expect(theirs).toEqual([])
    const police = (await ui.apiGet<{ load_id: string; agency: string }[]>('quantri', '/api/loads?agency=CA_TINH&limit=1')).body[0]!
    expect(police.agency).toBe('CA_TINH')
    expect((await ui.apiGet('canbo.sotc', `/api/loads/${police.load_id}/rejects.json`)).status).toBe(404)
    expect((await ui.apiGet('canbo.sotc', '/api/admin/accounts')).status).toBe(403)
    const exported = await fetch(`${ui.url}/api/export`, {
      method: 'POST',
      headers: { authorization: await ui.tokenOf('canbo.sotc'), 'content-type': 'application/json' },
      body: JSON.stringify({ query: { dimensions: ['submissions.agency'], measures: ['submissions.obligations'] }, format: 'csv' }),
    })
    const csv = await exported.text()
    expect(csv).toContain('SO_TC')
    expect(csv).not.toContain('CA_TINH')
  })
})

describe("the portal says why each obligation has its status, and what a unit with none should do", () => {
  it('explains each status with its rule and dates, a change-rule register late though sent before the date shown included', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'canbo.sotc')
    await page.waitForSelector('[data-testid=obligations] tbody tr')
    const read = () => page.$$eval('[data-testid=obligations] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
    // Columns: agency, subject, period, due, received, status, days late, why. The names and rules
    // arrive after the rows (the catalogue's lists): wait until the register's row says its rule.
    const late = (rs: string[][]) => rs.find((r) => r[1] === 'Đăng ký doanh nghiệp' && r[5] === 'Trễ hạn' && r[7]!.startsWith('Mỗi thay đổi'))
    const ready = (rs: string[][]) => late(rs) !== undefined && rs.some((r) => r[5] === 'Đúng hạn' && /\(/.test(r[1]!) && r[7]!.includes('Hạn:'))
    await expect.poll(async () => ready(await read()), { timeout: 15_000 }).toBe(true)
    const rows = await read()
    const register = late(rows)!
    expect(register[3]).toBe('Mỗi thay đổi + 2 ngày làm việc')
    // The month's changes and those late are the API's, as the sentence says them.
    const [month] = await ui.cubeLoad('canbo.sotc', {
      measures: ['submissions.changes', 'submissions.changes_late'],
      filters: [
        { member: 'submissions.dataset', operator: 'equals', values: ['doanh_nghiep'] },
        { member: 'submissions.status', operator: 'equals', values: ['late'] },
        { member: 'submissions.period', operator: 'equals', values: [`${register[2]!.replace(/Tháng (\d+)\/(\d{4})/, (_: string, m: string, y: string) => `${y}-${m.padStart(2, '0')}`)}`] },
      ],
    })
    const n = (x: unknown) => Number(x).toLocaleString('vi-VN')
    expect(register[7]).toMatch(new RegExp(`^Mỗi thay đổi phải gửi trong 2 ngày làm việc kể từ ngày thay đổi\\. Trong tháng có ${n(month!['submissions.changes'])} thay đổi, ${n(month!['submissions.changes_late'])} thay đổi gửi trễ \\(trễ nhất ${register[6]} ngày làm việc\\)\\.`))
    // A periodic report on time: received and due days as the row shows them.
    const onTime = rows.find((r) => r[5] === 'Đúng hạn' && /\(/.test(r[1]!))!
    expect(onTime[7]).toBe(`Nhận ${onTime[4]!.split(' ')[1]}, trong hạn ${onTime[3]}. Hạn: 15 ngày sau khi hết kỳ, lùi sang ngày làm việc nếu trùng ngày nghỉ.`)
    await screenshot(page, 'portal-obligations-why')
    await page.close()
  })

  it("tells a commune officer with nothing to deliver what that means, where its figures are and whom to ask", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'canbo.x07210')
    await page.waitForSelector('[data-testid=no-obligations]')
    const text = (await page.textContent('[data-testid=no-obligations]'))!
    expect(text).toContain('Đơn vị chưa được giao gửi dữ liệu')
    // Whom to ask: the operator the catalogue names, with its contact.
    const info = (await ui.apiGet<{ datasets: string[]; indicators: string[]; operator: { name: string; contact: { person: string } } }>('canbo.x07210', '/api/catalog/agencies/UBND_X07210')).body
    expect([info.datasets, info.indicators]).toEqual([[], []])
    expect(await page.textContent('[data-testid=operator-contact]')).toContain(`${info.operator.name} — ${info.operator.contact.person}`)
    // No upload form with nothing to choose, no empty panels.
    expect(await page.$('[data-testid=upload-form]')).toBeNull()
    expect(await page.$('.state.empty')).toBeNull()
    await page.click('[data-testid=no-obligations] a[href="/reports"]')
    await page.waitForURL(/\/reports$/)
    await screenshot(page, 'portal-commune-guidance')
    await page.close()
  })
})

/** A signed letter as a scanned PDF would arrive (its content, not its name, says what it is). */
const LETTER = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

describe('sharing between agencies (officer asks, owner and operator approve, officer queries)', () => {
  it('an officer asks for a dataset in the portal with its letter, the owner and the operator approve it there with theirs, and the officer queries it', async () => {
    const officer = await ui.newPage()
    await signIn(officer, ui.url, 'canbo.soyt')
    // Before: the explorer does not offer enterprises, and the API refuses it.
    await officer.goto(`${ui.url}/explorer`)
    await officer.waitForSelector('[data-testid=view-picker]')
    expect(await officer.$$eval('[data-testid=view-picker] option', (os) => os.map((o) => o.getAttribute('value')))).not.toContain('enterprises')
    const refused = await fetch(`${ui.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: await ui.tokenOf('canbo.soyt'), 'content-type': 'application/json' }, body: JSON.stringify({ query: { measures: ['enterprises.count'] } }) })
    expect(refused.status).toBe(403)

    await officer.goto(`${ui.url}/sharing`)
    await officer.click('[data-testid=tab-datasets]')
    expect(await officer.getAttribute('[data-testid=shareable] tr:has-text("doanh nghiệp") [data-access]', 'data-access')).toBe('none')
    // Open data is shown as open, and is not offered to ask for (the API refuses it too).
    expect(await officer.getAttribute('[data-testid=shareable] tr:has-text("Trường học") [data-access]', 'data-access')).toBe('open')
    await officer.click('[data-testid=tab-outgoing]')
    await officer.waitForSelector('[data-testid=request-form]')
    expect(await officer.$$eval('[data-testid=request-form] select[name=dataset] option', (os) => os.map((o) => o.getAttribute('value')))).not.toContain('truong_hoc')
    const open = await fetch(`${ui.url}/api/sharing/requests`, {
      method: 'POST',
      headers: { authorization: await ui.tokenOf('canbo.soyt'), 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'truong_hoc', views: ['schools'], members: [], purpose: 'Theo dõi trường học', legal_basis: 'Quy chế', starts_on: '2026-11-25', ends_on: '2026-12-25' }),
    })
    expect([open.status, ((await open.json()) as { error: { message: string } }).error.message]).toEqual([400, expect.stringContaining('dữ liệu mở')])
    await officer.selectOption('[data-testid=request-form] select[name=dataset]', 'doanh_nghiep')
    await officer.check('[data-testid=request-form] input[name=view][value=enterprises]')
    await officer.fill('[data-testid=request-form] textarea[name=purpose]', 'Quản lý cơ sở kinh doanh dược trên địa bàn')
    await officer.fill('[data-testid=request-form] input[name=legal_basis]', 'Quy chế chia sẻ dữ liệu tỉnh, Điều 7')
    await officer.selectOption('[data-testid=request-form] select[name=frequency]', 'weekly')
    // The signed written request goes with it (Bắc Ninh Điều 7.2).
    await officer.setInputFiles('[data-testid=request-form] input[name=letter]', { name: 'cong-van-de-nghi.pdf', mimeType: 'application/pdf', buffer: LETTER })
    await officer.click('[data-testid=request-form] button[type=submit]')
    const sent = (await officer.textContent('p.state.ok[role=status]'))!
    const id = /YC-\d{8}-[0-9a-f]{6}/.exec(sent)![0]
    await officer.waitForSelector(`[data-testid=my-requests] tr:has-text("${id}") [data-status=pending]`)
    await screenshot(officer, 'sharing-request')

    // The owner sees how many requests wait for it in the navigation, and the incoming ones first.
    const owner = await ui.newPage()
    await signIn(owner, ui.url, 'canbo.sotc')
    await owner.goto(`${ui.url}/sharing`)
    const waiting = (await ui.apiGet<ListedRequest[]>('canbo.sotc', '/api/sharing/requests')).body.filter(awaitsCaller).length
    expect(waiting).toBeGreaterThanOrEqual(1)
    await expect.poll(async () => (await owner.$('[data-testid=sharing-waiting]')) && (await owner.textContent('[data-testid=sharing-waiting]')), { timeout: 15_000 }).toBe(String(waiting))
    const row = `[data-testid=to-decide] tr:has-text("${id}")`
    await owner.waitForSelector(row)
    // Approved narrower than asked, on the page: one field fewer, a shorter period.
    await owner.click(`${row} button[data-action=approve]`)
    const form = '[data-testid=approve-form]'
    await owner.waitForSelector(form)
    const offered = await owner.$$eval(`${form} input[data-member]`, (is) => is.map((i) => i.getAttribute('data-member')!))
    const dropped = offered.find((m) => m !== 'enterprises.count')!
    await owner.uncheck(`${form} input[data-member="${dropped}"]`)
    await owner.fill(`${form} input[aria-label="Đến ngày"]`, '31/12/2026')
    await owner.fill(`${form} input[name=note]`, 'Đồng ý theo quy chế, đến hết năm')
    // Approving needs the owner's signed letter.
    expect(await owner.isDisabled(`${form} button[data-action=confirm-approve]`)).toBe(true)
    await owner.setInputFiles(`${form} input[name=letter]`, { name: 'cong-van-dong-y.pdf', mimeType: 'application/pdf', buffer: LETTER })
    await owner.click(`${form} button[data-action=confirm-approve]`)
    // The owner's approval alone is not a grant: it waits for the warehouse's operator.
    await owner.waitForSelector(`${row} [data-side=owner][data-signed=approved]`)
    expect(await owner.getAttribute(`${row} [data-status]`, 'data-status')).toBe('pending')
    expect(await owner.textContent(`${row} [data-side=operator]`)).toContain('Chờ ý kiến')
    await screenshot(owner, 'sharing-decide')
    // The count goes down with the decision.
    await expect.poll(async () => (await owner.$('[data-testid=sharing-waiting]')) === null || (await owner.textContent('[data-testid=sharing-waiting]')) === String(waiting - 1)).toBe(true)

    // The operator (a data steward) signs second, with its own letter: now it is a grant.
    const steward = await ui.newPage()
    await signIn(steward, ui.url, 'quantri')
    await steward.goto(`${ui.url}/sharing`)
    await steward.waitForSelector(row)
    await steward.click(`${row} button[data-action=approve]`)
    await steward.waitForSelector(form)
    await steward.fill(`${form} input[name=note]`, 'Đơn vị vận hành đồng ý')
    await steward.setInputFiles(`${form} input[name=letter]`, { name: 'y-kien-van-hanh.pdf', mimeType: 'application/pdf', buffer: LETTER })
    await steward.click(`${form} button[data-action=confirm-approve]`)
    await steward.waitForSelector(`${row} [data-status=approved]`)
    await screenshot(steward, 'sharing-operator')
    await steward.close()
    const granted = (await ui.apiGet<ListedRequest[]>('canbo.sotc', '/api/sharing/requests')).body.find((r) => r.id === id)!
    expect([granted.granted_views, granted.granted_members.sort(), granted.ends_on, granted.frequency, granted.decisions.map((d) => [d.side, d.by, d.note])]).toEqual([
      ['enterprises'],
      offered.filter((m) => m !== dropped).sort(),
      '2026-12-31',
      'weekly',
      [
        ['owner', 'canbo.sotc', 'Đồng ý theo quy chế, đến hết năm'],
        ['operator', 'quantri', 'Đơn vị vận hành đồng ý'],
      ],
    ])

    // The officer sees the decision and queries the dataset in the explorer: the API's number.
    await officer.goto(`${ui.url}/sharing`)
    await officer.click('[data-testid=tab-outgoing]')
    await officer.waitForSelector(`[data-testid=my-requests] tr:has-text("${id}") [data-status=approved]`)
    await officer.goto(`${ui.url}/explorer`)
    await officer.selectOption('[data-testid=view-picker]', 'enterprises')
    await officer.check('input[data-member="enterprises.count"]')
    await officer.click('[data-testid=run-query]')
    await officer.waitForSelector('[data-testid=result] tbody tr')
    const [expected] = await ui.cubeLoad('canbo.soyt', { measures: ['enterprises.count'] })
    const shown = await officer.textContent('[data-testid=result] tbody tr td')
    expect(shown!.replace(/\./g, '')).toBe(String(expected!['enterprises.count']))
    await screenshot(officer, 'sharing-query')
    await officer.close()
    await owner.close()
  })
})

describe('registering a dataset in the product (officer proposes, steward approves)', () => {
  it("holds the demo province's datasets, most registered by their agencies through the catalogue, each delivered", async () => {
    const datasets = (await ui.apiGet<{ id: string }[]>('quantri', '/api/catalog/datasets')).body.map((d) => d.id)
    expect(datasets.length).toBeGreaterThanOrEqual(10)
    const entries = (await ui.apiGet<{ dataset: string; status: string; proposed_by: string; reviewed_by: string }[]>('quantri', '/api/catalog/proposals')).body
    const registered = entries.filter((e) => e.status === 'approved')
    // Proposed by an officer of the owner agency, approved by the steward — not shipped as code.
    expect(registered.length).toBeGreaterThan(datasets.length / 2)
    for (const e of registered) expect([e.proposed_by.startsWith('canbo.'), e.reviewed_by], e.dataset).toEqual([true, 'quantri'])
    expect(entries.filter((e) => e.status === 'proposed').map((e) => e.dataset)).toEqual(['giay_phep_xay_dung'])
    const loaded = await queryRows<{ dataset: string }>(ui.service.ctx.wh.client, "SELECT DISTINCT dataset FROM meta.loads FINAL WHERE status = 'committed' ORDER BY dataset")
    expect(loaded.map((l) => l.dataset)).toEqual(datasets.filter((d) => d !== 'giay_phep_xay_dung').sort())
    // Joined on shared elements: dossiers of enterprises by enterprise code, through the semantic layer.
    const [byStatus] = await ui.cubeLoad('quantri', { measures: ['ho_so_tthc.count'], filters: [{ member: 'ho_so_tthc.registered_enterprises_status', operator: 'set' }] })
    const [hand] = await queryRows<{ n: string }>(ui.service.ctx.wh.client, 'SELECT count() AS n FROM std.ds_ho_so_tthc AS h FINAL INNER JOIN marts.dim_enterprise AS e ON e.enterprise_code = h.ma_so_doanh_nghiep')
    expect(Number(byStatus!['ho_so_tthc.count'])).toBe(Number(hand!.n))
    expect(Number(hand!.n)).toBeGreaterThan(0)
  })

  it('an officer proposes a dataset in the catalogue page, a steward approves it, and its view is there to query', async () => {
    const officer = await ui.newPage()
    await signIn(officer, ui.url, 'canbo.soyt')
    await officer.goto(`${ui.url}/catalog`)
    await officer.click('[data-testid=tab-proposals]')
    const form = '[data-testid=proposal-form]'
    await officer.fill(`${form} input[name=id]`, 'co_so_y_te')
    await officer.fill(`${form} input[name=name]`, 'Phòng khám tư nhân')
    await officer.fill(`${form} input[name=description]`, 'Bệnh viện, trạm y tế và phòng khám được cấp phép')
    await officer.selectOption(`${form} select[name=consumers]`, 'BHXH_TINH')
    await officer.selectOption(`${form} select[name=update_frequency]`, 'quarterly')
    await officer.fill(`${form} input[name=natural_key]`, 'ma_co_so')
    const column = async (i: number, id: string, label: string, identifier = '') => {
      if (i > 0) await officer.click('[data-testid=add-column]')
      await officer.fill(`[data-column="${i}"] input[aria-label="Mã"]`, id)
      await officer.fill(`[data-column="${i}"] input[aria-label="Tên cột"]`, label)
      if (identifier) await officer.selectOption(`[data-column="${i}"] select[aria-label="Định danh dùng chung"]`, identifier)
    }
    await column(0, 'ma_co_so', 'Mã cơ sở')
    await column(1, 'ten_co_so', 'Tên cơ sở')
    await column(2, 'ma_xa', 'Mã xã', 'commune_code')
    await officer.click(`${form} button[type=submit]`)
    await officer.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te") [data-status=proposed]')
    await screenshot(officer, 'catalog-proposal')

    const steward = await ui.newPage()
    await signIn(steward, ui.url, 'quantri')
    await steward.goto(`${ui.url}/catalog`)
    await steward.click('[data-testid=tab-proposals]')
    const row = '[data-testid=proposals] tr:has-text("co_so_y_te")'
    await steward.waitForSelector(`${row} button[data-action=approve]`)
    await steward.click(`${row} button[data-action=approve]`)
    await steward.waitForSelector(`${row} [data-status=approved]`)
    await screenshot(steward, 'catalog-approved')

    // No restart: the catalogue has it, and the officer's explorer offers its generated view.
    const entry = await ui.apiGet<{ owner: string; columns: { id: string }[] }>('canbo.soyt', '/api/catalog/datasets/co_so_y_te')
    expect(entry.body.owner).toBe('SO_YT')
    await officer.goto(`${ui.url}/explorer`)
    await officer.waitForSelector('[data-testid=view-picker]')
    expect(await officer.$$eval('[data-testid=view-picker] option', (os) => os.map((o) => o.getAttribute('value')))).toContain('co_so_y_te')

    // A change, starting from the entry as it is: the officer adds a column; what the form does not
    // show (formats, the demo's own health-facility dataset's settings) stays as it was.
    await officer.goto(`${ui.url}/catalog`)
    await officer.click('[data-testid=tab-proposals]')
    await officer.selectOption('[data-testid=change-existing]', 'co_so_y_te')
    await officer.waitForSelector(`${form} input[name=id][readonly]`)
    expect(await officer.inputValue(`${form} input[name=name]`)).toBe('Phòng khám tư nhân')
    expect(await officer.$$eval('[data-column]', (cs) => cs.length)).toBe(3)
    await column(3, 'so_giuong', 'Số giường bệnh')
    await officer.selectOption('[data-column="3"] select[aria-label="Kiểu"]', 'integer')
    await officer.click(`${form} button[type=submit]`)
    await officer.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te"):has-text("2") [data-status=proposed]')
    await steward.reload()
    await steward.click('[data-testid=tab-proposals]')
    // The steward reads the whole proposed entry and what it changes before deciding.
    const v2 = '[data-testid=proposals] tr:has-text("co_so_y_te"):has([data-status=proposed])'
    await steward.click(`${v2} button[data-action=read]`)
    const reader = '[data-testid=proposal-reader]'
    await steward.waitForSelector(`${reader} [data-testid=proposal-diff]`)
    expect(await steward.textContent(`${reader} [data-testid=proposal-diff]`)).toBe('Thêm cột: Số giường bệnh')
    expect(await steward.textContent(`${reader} tr[data-mark=added]`)).toContain('Số giường bệnh')
    expect(await steward.textContent(reader)).toContain('Bảo hiểm xã hội tỉnh Bắc Ninh')
    await screenshot(steward, 'catalog-proposal-read')
    await steward.click(`${reader} button[data-action=approve]`)
    // Busy at once; the row says what was decided by the time the page says it is done.
    await steward.waitForSelector('[data-testid=proposals] button[data-action=approve][disabled], p.state.ok[role=status]')
    await steward.waitForSelector('p.state.ok[role=status]:has-text("Đã duyệt")')
    expect(await steward.$(`${v2}`)).toBeNull()
    await steward.waitForSelector('[data-testid=proposals] tr:has-text("co_so_y_te") [data-status=superseded]')
    const changed = await ui.apiGet<{ columns: { id: string; type: string }[]; formats: string[] }>('canbo.soyt', '/api/catalog/datasets/co_so_y_te')
    expect(changed.body.columns.map((c) => [c.id, c.type])).toEqual([['ma_co_so', 'string'], ['ten_co_so', 'string'], ['ma_xa', 'string'], ['so_giuong', 'integer']])
    expect(changed.body.formats).toEqual(['csv', 'xlsx'])
    await officer.close()
    await steward.close()
  })

  it("a steward allows a pull connector's host from the proposal, and an administrator sets its secret without ever seeing it again", async () => {
    const proposed = await fetch(`${ui.url}/api/catalog/proposals`, {
      method: 'POST',
      headers: { authorization: await ui.tokenOf('canbo.soyt'), 'content-type': 'application/json' },
      body: JSON.stringify({
        entry: {
          id: 'co_so_keo',
          name: 'Cơ sở y tế (kéo từ hệ thống của Sở)',
          name_en: 'Health facilities (pulled from the department)',
          owner: 'SO_YT',
          description: 'Danh sách cơ sở kéo từ hệ thống của Sở Y tế.',
          personal_data: false,
          sharing: { scope: 'dung_chung', method: 'file', consumers: ['BHXH_TINH'] },
          update_frequency: 'monthly',
          format_standard: 'JSON từ API của Sở',
          formats: ['json'],
          natural_key: ['ma_co_so'],
          columns: [{ id: 'ma_co_so', label: 'Mã cơ sở', type: 'string', required: true }],
          pull: { url: 'https://api.soyt.laocai.gov.vn/co-so', schedule: '0 2 * * *', auth: { header: 'X-Api-Key', secret: 'soyt-api' } },
        },
      }),
    })
    expect(proposed.status, await proposed.clone().text()).toBe(200)
    const steward = await ui.newPage()
    await signIn(steward, ui.url, 'quantri')
    await steward.goto(`${ui.url}/catalog`)
    await steward.click('[data-testid=tab-proposals]')
    const row = '[data-testid=proposals] tr:has-text("co_so_keo")'
    await steward.waitForSelector(`${row} [data-problem=host]`)
    await steward.click(`${row} button[data-action=allow-host]`)
    await steward.waitForSelector(`${row} [data-problem=host]`, { state: 'detached' })
    expect(await steward.isVisible(`${row} [data-problem=secret]`)).toBe(true)

    const admin = await ui.newPage()
    await signIn(admin, ui.url, 'admin')
    await admin.goto(`${ui.url}/admin`)
    const panel = '[data-testid=pull-connections]'
    await admin.waitForSelector(`${panel} [data-testid=pull-hosts] tr:has-text("api.soyt.laocai.gov.vn")`)
    expect(await admin.textContent(`${panel} [data-testid=pull-hosts] tr:has-text("api.soyt.laocai.gov.vn")`)).toContain('Cơ sở y tế (kéo từ hệ thống của Sở)')
    await admin.fill(`${panel} input[name=name]`, 'soyt-api')
    await admin.fill(`${panel} input[name=value]`, 'gia-tri-bi-mat-123')
    await admin.click(`${panel} form[aria-label="Lưu khóa"] button[type=submit]`)
    await admin.waitForSelector(`${panel} [data-testid=secrets] tr:has-text("soyt-api")`)
    await screenshot(admin, 'admin-pull-connections')
    expect(await admin.content()).not.toContain('gia-tri-bi-mat-123')
    await steward.reload()
    await steward.click('[data-testid=tab-proposals]')
    await steward.waitForSelector(`${row} .outbound`)
    expect(await steward.$$(`${row} [data-problem]`)).toHaveLength(0)
    await admin.close()
    await steward.close()
  })
})

