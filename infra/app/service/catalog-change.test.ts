import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { loadConfig } from '../../config.ts'
import { datasetSchema } from '../../catalog/schema.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { httpClient } from '../../testing/http-client.ts'
import { queryRows } from '../../warehouse/client.ts'
import { startService, type RunningService } from './start-service.ts'

/*
 * A dataset from registration to use, in the running service, without writing code: an officer of
 * the health department proposes its health facilities, a steward approves, the officer uploads a
 * file, and the data is queried through the view kho generated — no restart.
 */
const home = tempDir('kho-catalog-change-')
let service: RunningService

const client = httpClient(() => service.url)
const { call } = client
const login = (username: string, password = 'mot-mat-khau-dai') => client.login(username, password)

const FACILITIES = {
  id: 'co_so_y_te',
  name: 'Cơ sở khám bệnh, chữa bệnh',
  owner: 'SO_YT',
  description: 'Bệnh viện, trạm y tế xã và phòng khám được cấp phép trên địa bàn tỉnh.',
  personal_data: false,
  sharing: { scope: 'dung_chung', method: 'file', consumers: ['BHXH_TINH'] },
  update_frequency: 'quarterly',
  format_standard: 'CSV UTF-8 theo mẫu của kho',
  formats: ['csv', 'xlsx'],
  natural_key: ['ma_co_so'],
  columns: [
    { id: 'ma_co_so', label: 'Mã cơ sở', type: 'string', required: true },
    { id: 'ten_co_so', label: 'Tên cơ sở', type: 'string', required: true },
    { id: 'loai_hinh', label: 'Loại hình', type: 'string', required: true, enum: ['benh_vien', 'tram_y_te', 'phong_kham'] },
    { id: 'ma_xa', label: 'Mã xã', type: 'string', required: true, identifier: 'commune_code' },
    { id: 'so_giuong', label: 'Số giường bệnh', type: 'integer', min: 0 },
  ],
}

let admin: string
beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai', KHO_PULL_HOSTS: 'lgsp.laocai.gov.vn' }),
  )
  await service.demoDone
  admin = await login('quantri', 'mat-khau-rat-dai')
  for (const [username, role, agency] of [['canbo.soyt', 'agency_officer', 'SO_YT'], ['canbo.sotc', 'agency_officer', 'SO_TC'], ['quantri.dl', 'steward', '']]) {
    expect((await call('POST', '/api/admin/accounts', admin, { username, password: 'mot-mat-khau-dai', role, agency })).status).toBe(200)
  }
}, 120_000)
afterAll(() => service?.stop())

describe('a dataset registered in the product', () => {
  it('is proposed, approved, delivered and queried through its generated view without a restart', async () => {
    const officer = await login('canbo.soyt')
    const steward = await login('quantri.dl')
    // Checked before it is stored: an unknown consumer, another agency's data.
    const wrong = await call('POST', '/api/catalog/proposals', officer, { entry: { ...FACILITIES, sharing: { ...FACILITIES.sharing, consumers: ['KHONG_CO'] } } })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.message_en).toContain('sharing.consumers[0]')
    expect((await call('POST', '/api/catalog/proposals', await login('canbo.sotc'), { entry: FACILITIES })).status).toBe(403)
    // The second probe: what failed only at approval, or could be neither approved nor refused, is refused when proposed.
    const column = FACILITIES.columns[0]!
    for (const [entry, said] of [
      [{ ...FACILITIES, id: `co_so_${'x'.repeat(200)}` }, 'at most 48 characters'],
      [{ ...FACILITIES, columns: [...FACILITIES.columns, { ...column, id: 'count' }] }, "clashes with a generated member's name"],
      [{ ...FACILITIES, columns: [...FACILITIES.columns, { ...column, id: 'sum_x' }] }, "clashes with a generated member's name"],
      [{ ...FACILITIES, columns: Array.from({ length: 500 }, (_, i) => ({ ...column, id: `cot_${i}` })) }, 'at most 200 columns'],
    ] as const) {
      const refused = await call('POST', '/api/catalog/proposals', officer, { entry })
      expect(refused.status).toBe(400)
      expect(refused.body.error.message_en).toContain(said)
    }

    const proposed = await call('POST', '/api/catalog/proposals', officer, { entry: FACILITIES, note: 'Đăng ký mới' })
    expect(proposed.body).toMatchObject({ dataset: 'co_so_y_te', version: 1, status: 'proposed', proposed_by: 'canbo.soyt' })
    expect(service.ctx.model.now.catalog.dataset('co_so_y_te')).toBeUndefined()
    expect((await call('POST', '/api/catalog/proposals/co_so_y_te/1/decision', officer, { approve: true })).status).toBe(403)
    // A version that is no version is simply not found, whatever its size or sign.
    for (const v of ['99999999999', '-1', '1.5', 'x']) expect((await call('POST', `/api/catalog/proposals/co_so_y_te/${v}/decision`, await login('quantri.dl'), { approve: true })).status).toBe(404)
    const before = service.ctx.model.now
    const approved = await call('POST', '/api/catalog/proposals/co_so_y_te/1/decision', steward, { approve: true, note: 'Đạt yêu cầu' })
    expect(approved.body.status).toBe('approved')
    // A new model state replaced the old whole; the old one, as a reader may still hold it, is unchanged.
    expect(service.ctx.model.now.version).toBe(before.version + 1)
    expect(service.ctx.model.now.catalog.dataset('co_so_y_te')?.owner).toBe('SO_YT')
    expect(before.catalog.dataset('co_so_y_te')).toBeUndefined()
    expect(before.semantic.members.has('co_so_y_te.count')).toBe(false)

    // In use at once: the catalogue, its template, its upload, its std model and its view.
    expect((await call('GET', '/api/catalog/datasets/co_so_y_te')).body.owner).toBe('SO_YT')
    expect((await fetch(`${service.url}/api/datasets/co_so_y_te/template.xlsx`)).status).toBe(200)
    const form = new FormData()
    form.set('dataset', 'co_so_y_te')
    form.set('agency', 'SO_YT')
    form.set('file', new Blob([['Mã cơ sở,Tên cơ sở,Loại hình,Mã xã,Số giường bệnh', 'BV01,Bệnh viện tỉnh,benh_vien,07210,800', 'TYT02,Trạm y tế phường,tram_y_te,07210,5', 'PK03,Phòng khám A,phong_kham,07228,'].join('\n')], { type: 'text/csv' }), 'co_so.csv')
    const upload = await fetch(`${service.url}/api/loads`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: form })
    expect(upload.status).toBe(200)
    expect(((await upload.json()) as any).status).toBe('committed')
    await service.ctx.transforms.run()
    const load = async (query: unknown, auth: string) => call('POST', '/cubejs-api/v1/load', auth, { query })
    const r = await load({ measures: ['co_so_y_te.count', 'co_so_y_te.sum_so_giuong'], dimensions: ['co_so_y_te.loai_hinh'], order: { 'co_so_y_te.loai_hinh': 'asc' } }, officer)
    expect(r.status).toBe(200)
    const rows = await queryRows<{ loai_hinh: string; n: string; beds: number | null }>(
      service.ctx.wh.client,
      'SELECT loai_hinh, count() AS n, sum(so_giuong) AS beds FROM std.ds_co_so_y_te FINAL GROUP BY loai_hinh ORDER BY loai_hinh',
    )
    expect(r.body.data.map((x: any) => [x['co_so_y_te.loai_hinh'], Number(x['co_so_y_te.count']), Number(x['co_so_y_te.sum_so_giuong'])])).toEqual(rows.map((x) => [x.loai_hinh, Number(x.n), Number(x.beds)]))
    expect(rows.map((x) => x.loai_hinh)).toEqual(['benh_vien', 'phong_kham', 'tram_y_te'])
    // Under the catalogue's sharing: a named consumer sees it, another agency does not.
    expect((await load({ measures: ['co_so_y_te.count'] }, await login('canbo.sotc'))).status).toBe(403)
    await service.ctx.audit.flush()
    expect((await queryRows<{ endpoint: string }>(service.ctx.wh.client, "SELECT endpoint FROM meta.audit WHERE endpoint IN ('catalog.propose', 'catalog.approve') AND has(datasets, 'co_so_y_te') ORDER BY seq")).map((e) => e.endpoint)).toEqual(['catalog.propose', 'catalog.approve'])
  })

  it('shows the steward what a pull connector will call and send, and refuses one whose host is not allowed or whose secret is not set', async () => {
    const officer = await login('canbo.soyt')
    const steward = await login('quantri.dl')
    const pulled = { ...FACILITIES, id: 'co_so_keo', name: 'Cơ sở y tế (kéo từ hệ thống)', pull: { url: 'http://127.0.0.1:8099/feed?x=1', schedule: '0 * * * *', auth: { header: 'X-Api-Key', secret: 'he-thong-y-te' } } }
    expect((await call('POST', '/api/catalog/proposals', officer, { entry: pulled })).status).toBe(200)
    const listed = (await call('GET', '/api/catalog/proposals', steward)).body.find((p: any) => p.dataset === 'co_so_keo')
    expect(listed.outbound).toEqual({ url: 'http://127.0.0.1:8099/feed', host: '127.0.0.1:8099', host_allowed: false, header: 'X-Api-Key', secret: 'he-thong-y-te', secret_set: false, schedule: '0 * * * *' })
    const refused = await call('POST', '/api/catalog/proposals/co_so_keo/1/decision', steward, { approve: true })
    expect(refused.status).toBe(400)
    expect(refused.body.error.message_en).toBe('The pull connector calls 127.0.0.1:8099, which is not on the list of allowed hosts')
    // The machine's own network is the operator's to open, never a page's.
    for (const host of ['127.0.0.1:8099', '169.254.169.254', '10.0.0.5', 'localhost:8099']) {
      const internal = await call('PUT', `/api/admin/pull-hosts/${host}`, steward, { note: 'Hệ thống y tế' })
      expect(internal.status, host).toBe(400)
      expect(internal.body.error.message_en, host).toContain('internal address')
    }
    expect((await call('POST', '/api/catalog/proposals/co_so_keo/1/decision', steward, { approve: false, note: 'Chưa được phép kết nối' })).body.status).toBe('refused')
  })

  it("lets a steward allow a supplier's host before approving its connector, and take it back", async () => {
    const officer = await login('canbo.soyt')
    const steward = await login('quantri.dl')
    const pulled = { ...FACILITIES, id: 'co_so_lgsp', name: 'Cơ sở y tế (qua trục)', pull: { url: 'https://api.soyt.laocai.gov.vn/co-so', schedule: '0 * * * *' } }
    expect((await call('POST', '/api/catalog/proposals', officer, { entry: pulled })).status).toBe(200)
    const outbound = async () => (await call('GET', '/api/catalog/proposals', steward)).body.find((p: any) => p.dataset === 'co_so_lgsp').outbound
    expect((await outbound()).host_allowed).toBe(false)
    // Only a steward or an administrator lists hosts; a reason is asked for; a name that is not a host is refused.
    expect((await call('PUT', '/api/admin/pull-hosts/api.soyt.laocai.gov.vn', officer, { note: 'Hệ thống của Sở Y tế' })).status).toBe(403)
    expect((await call('PUT', '/api/admin/pull-hosts/api.soyt.laocai.gov.vn', steward, { note: '' })).status).toBe(400)
    expect((await call('PUT', `/api/admin/pull-hosts/${encodeURIComponent('a b;c')}`, steward, { note: 'Hệ thống của Sở Y tế' })).status).toBe(400)
    const added = await call('PUT', '/api/admin/pull-hosts/API.soyt.laocai.gov.vn', steward, { note: 'Hệ thống của Sở Y tế' })
    expect(added.status).toBe(200)
    expect(added.body).toMatchObject({ host: 'api.soyt.laocai.gov.vn', fixed: false, listed_by: 'quantri.dl', note: 'Hệ thống của Sở Y tế' })
    expect((await outbound()).host_allowed).toBe(true)
    const hosts = (await call('GET', '/api/admin/pull-hosts', steward)).body
    expect(hosts.map((h: any) => [h.host, h.fixed])).toEqual([['lgsp.laocai.gov.vn', true], ['api.soyt.laocai.gov.vn', false]])
    expect(service.ctx.pullHosts.list()).toContain('api.soyt.laocai.gov.vn')
    expect(service.ctx.jobs.ids()).not.toContain('pull:co_so_lgsp')
    expect((await call('POST', '/api/catalog/proposals/co_so_lgsp/1/decision', steward, { approve: true })).status).toBe(200)
    // Its connector is on the schedule at once, without a restart.
    expect(service.ctx.jobs.ids()).toContain('pull:co_so_lgsp')
    // The operator's host stays; the steward's is taken back, and the list survives a re-read.
    expect((await call('DELETE', '/api/admin/pull-hosts/lgsp.laocai.gov.vn', steward)).status).toBe(409)
    expect((await call('DELETE', '/api/admin/pull-hosts/api.soyt.laocai.gov.vn', steward)).status).toBe(200)
    expect((await call('DELETE', '/api/admin/pull-hosts/api.soyt.laocai.gov.vn', steward)).status).toBe(404)
    await service.ctx.pullHosts.refresh()
    expect(service.ctx.pullHosts.list()).toEqual(['lgsp.laocai.gov.vn'])
    await service.ctx.audit.flush()
    const logged = await queryRows<{ endpoint: string; account: string }>(service.ctx.wh.client, "SELECT endpoint, account FROM meta.audit WHERE endpoint LIKE 'pull_host.%' AND outcome = 'ok' ORDER BY seq")
    expect(logged).toEqual([
      { endpoint: 'pull_host.allow', account: 'quantri.dl' },
      { endpoint: 'pull_host.remove', account: 'quantri.dl' },
    ])
  })

  it("counts a registered dataset's deliveries in the quality scorecard like a shipped one's", async () => {
    const officer = await login('canbo.soyt')
    const form = new FormData()
    form.set('dataset', 'co_so_y_te')
    form.set('agency', 'SO_YT')
    // Twenty stations and one row of a kind the contract does not know (under the 5% threshold).
    const stations = Array.from({ length: 20 }, (_, i) => `TYT${10 + i},Trạm y tế ${i},tram_y_te,07228,4`)
    form.set('file', new Blob([['Mã cơ sở,Tên cơ sở,Loại hình,Mã xã,Số giường bệnh', ...stations, 'XX05,Nhà thuốc C,nha_thuoc,07210,0'].join('\n')], { type: 'text/csv' }), 'co_so_2.csv')
    const upload = await fetch(`${service.url}/api/loads`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: form })
    expect(((await upload.json()) as { status: string; rowsRejected: number }).status).toBe('committed')
    const { run } = await service.ctx.transforms.run()
    expect(run.results.filter((r) => r.status !== 'success')).toEqual([])
    const q = <T>(sql: string) => queryRows<T>(service.ctx.wh.client, sql)
    // Owed per quarter from the agency's first delivery, judged like the shipped registers.
    const owed = await q<{ status: string }>("SELECT status FROM marts.fct_submission WHERE agency = 'SO_YT' AND dataset = 'co_so_y_te'")
    expect(owed.length).toBeGreaterThan(0)
    // Its rejected row with its reason, in the scorecard's drill-down and its validity.
    const rejects = await call('GET', '/api/quality/rejects?agency=SO_YT&dataset=co_so_y_te', officer)
    expect(rejects.body.map((r: { row: number; column: string }) => [r.row, r.column])).toEqual([[22, 'loai_hinh']])
    const scores = await q<{ quarter_start: string; obligations: string; validity: number | null }>("SELECT toString(quarter_start) AS quarter_start, obligations, validity FROM marts.fct_quality_score WHERE agency = 'SO_YT' ORDER BY quarter_start")
    // The quarter its deliveries covered owes one; the quarter they arrived in scores their rows
    // (this quarter, though nothing falls due in it yet): 23 of the 24 passed their contract.
    expect(scores.reduce((n, s) => n + Number(s.obligations), 0)).toBe(owed.length)
    const arrived = scores.find((s) => s.validity !== null)!
    expect(Number(arrived.validity)).toBeCloseTo((23 / 24) * 100, 6)
  })

  it('refuses a change of contract that would break a saved query, naming it', async () => {
    const officer = await login('canbo.soyt')
    const steward = await login('quantri.dl')
    const saved = await call('POST', '/api/saved-queries', officer, { name: 'Giường bệnh theo xã', query: { measures: ['co_so_y_te.sum_so_giuong'], dimensions: ['co_so_y_te.ma_xa', 'co_so_y_te.so_giuong'] } })
    expect(saved.status).toBe(200)
    const fewer = { ...FACILITIES, columns: FACILITIES.columns.filter((c) => c.id !== 'so_giuong') }
    const proposed = await call('POST', '/api/catalog/proposals', officer, { entry: fewer })
    expect(proposed.body.version).toBe(2)
    const refused = await call('POST', '/api/catalog/proposals/co_so_y_te/2/decision', steward, { approve: true })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message_en).toBe('The change would break: saved query "Giường bệnh theo xã" of canbo.soyt uses co_so_y_te.so_giuong, co_so_y_te.sum_so_giuong')
    expect(service.ctx.model.now.catalog.dataset('co_so_y_te')!.columns.map((c) => c.id)).toContain('so_giuong')
    // A change that adds a column is fine, and takes effect at once.
    const more = { ...FACILITIES, columns: [...FACILITIES.columns, { id: 'dien_thoai', label: 'Điện thoại', type: 'string' }] }
    const v3 = await call('POST', '/api/catalog/proposals', officer, { entry: more })
    expect((await call('POST', `/api/catalog/proposals/co_so_y_te/${v3.body.version}/decision`, steward, { approve: true })).body.status).toBe('approved')
    expect(service.ctx.model.now.semantic.members.has('co_so_y_te.dien_thoai')).toBe(true)
  })

  it('refuses a second official source: a dataset recording what another records, by name or by record key (Lào Cai Điều 4.3)', async () => {
    const officer = await login('canbo.soyt')
    const population = service.ctx.model.now.catalog.dataset('dan_cu')!
    // A register of people by CCCD kept by the health department: the population register already is one.
    const patients = { ...FACILITIES, id: 'nguoi_dan_y_te', name: 'Người dân khám chữa bệnh', personal_data: true, natural_key: ['so_dinh_danh'], columns: [{ id: 'so_dinh_danh', label: 'Số định danh', type: 'string', required: true, element: 'cccd' }, { id: 'ho_ten', label: 'Họ tên', type: 'string', required: true }] }
    const twice = await call('POST', '/api/catalog/proposals', officer, { entry: patients })
    expect([twice.status, twice.body.error.code]).toEqual([409, 'overlap'])
    expect(twice.body.error.message_en).toBe(`"Người dân khám chữa bệnh" overlaps the dataset "${population.name_en}" (dan_cu) of agency CA_TINH: the same record key (so_dinh_danh). Each piece of data has one official source: ask to share "dan_cu" or propose a change to it`)
    // The same name, whatever its case and marks.
    const named = await call('POST', '/api/catalog/proposals', officer, { entry: { ...FACILITIES, id: 'dan_cu_y_te', name: `  ${population.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toUpperCase()} ` } })
    expect([named.status, JSON.stringify(named.body)]).toEqual([409, expect.stringContaining('cùng tên')])
    // A record of people's insurance by CCCD and kind is another record: it may be its own source.
    const kinds = { ...patients, id: 'the_bhyt', name: 'Thẻ bảo hiểm y tế', natural_key: ['so_dinh_danh', 'loai_the'], columns: [...patients.columns, { id: 'loai_the', label: 'Loại thẻ', type: 'string', required: true }] }
    expect((await call('POST', '/api/catalog/proposals', officer, { entry: kinds })).status).toBe(200)
  })

  it("refuses a change that would break a hand-written mart reading the dataset's generated model", async () => {
    // dim_insured keeps the social-insurance participants of std.ds_bhxh_tham_gia by kind.
    const steward = await login('quantri.dl')
    const bhxh = service.ctx.model.now.catalog.dataset('bhxh_tham_gia')!
    const without = { ...bhxh, natural_key: ['cccd', 'ma_xa'], columns: bhxh.columns.filter((c) => c.id !== 'loai_bao_hiem') }
    const proposed = await call('POST', '/api/catalog/proposals', steward, { entry: without })
    expect(proposed.status).toBe(200)
    const refused = await call('POST', `/api/catalog/proposals/bhxh_tham_gia/${proposed.body.version}/decision`, steward, { approve: true })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message_en).toBe('The change would break: model dim_insured uses loai_bao_hiem')
    expect(service.ctx.model.now.catalog.dataset('bhxh_tham_gia')!.columns.map((c) => c.id)).toContain('loai_bao_hiem')
  })

  it('takes hostile free text in an entry as text: no SQL, template or expression in a name, label or description runs', async () => {
    const officer = await login('canbo.soyt')
    const steward = await login('quantri.dl')
    const hostile = {
      ...FACILITIES,
      id: 'nha_thuoc',
      // A newline and a quote: in SQL text these would end a comment or a string.
      name: "Nhà thuốc\n) select * from meta.accounts --'",
      description: "'; DROP TABLE meta.audit; --",
      columns: [
        { id: 'ma_co_so', label: "Mã'); DROP TABLE x; --", type: 'string', required: true },
        { id: 'ma_xa', label: '{CUBE}.secret', type: 'string', required: true, identifier: 'commune_code' },
      ],
    }
    expect((await call('POST', '/api/catalog/proposals', officer, { entry: hostile })).status).toBe(200)
    expect((await call('POST', '/api/catalog/proposals/nha_thuoc/1/decision', steward, { approve: true })).status).toBe(200)
    const run = await service.ctx.transforms.run({ select: ['+ds_nha_thuoc'] })
    expect(run.run.results.filter((r) => r.status !== 'success')).toEqual([])
    const r = await call('POST', '/cubejs-api/v1/load', officer, { query: { measures: ['nha_thuoc.count'], dimensions: ['nha_thuoc.ma_xa'] } })
    expect(r.status).toBe(200)
    // Cube reads {…} in a string as an expression: a title shows braces as parentheses, never evaluated.
    const title = service.ctx.model.now.semantic.members.get('nha_thuoc.ma_xa')!.meta.title
    expect(title).toContain('(CUBE).secret')
    expect(title).not.toContain('{')
    // (A name of its own: one dataset, one source.)
    const braces = { ...hostile, id: 'nha_thuoc_2', name: 'Quầy thuốc {{ x }} `${1}`', description: "{{ source('dan_cu') }} `${process.exit(1)}` \\", columns: [{ id: 'ma_co_so', label: '{process.exit(1)}', type: 'string', required: true }] }
    expect((await call('POST', '/api/catalog/proposals', officer, { entry: braces })).status).toBe(200)
    expect((await call('POST', '/api/catalog/proposals/nha_thuoc_2/1/decision', steward, { approve: true })).status).toBe(200)
    expect(service.ctx.model.now.semantic.members.get('nha_thuoc_2.ma_co_so')!.meta.title).toContain('(process.exit(1))')
    expect((await call('POST', '/cubejs-api/v1/load', officer, { query: { measures: ['nha_thuoc_2.count'] } })).status).not.toBe(500)
  })

  it('exports an entry as YAML that imports back to the same entry, and survives a restart', async () => {
    const res = await fetch(`${service.url}/api/catalog/datasets/co_so_y_te?format=yaml`)
    const text = await res.text()
    const entry = datasetSchema.parse(parseYaml(text))
    const { deadline: _d, ...inCatalogue } = service.ctx.model.now.catalog.dataset('co_so_y_te')!
    expect({ ...entry, deadline: null }).toEqual({ ...inCatalogue, deadline: null })
    const again = await call('POST', '/api/catalog/proposals', await login('canbo.soyt'), { yaml: text })
    expect(again.status).toBe(200)
    expect(again.body.entry).toEqual(entry)
    // After a restart the approved entry is read back from the warehouse.
    await service.stop()
    service = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }))
    await service.demoDone
    expect(service.ctx.model.now.catalog.dataset('co_so_y_te')!.columns.map((c) => c.id)).toContain('dien_thoai')
    expect(service.ctx.model.now.semantic.members.has('co_so_y_te.count')).toBe(true)
  }, 60_000)
})
