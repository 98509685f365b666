import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { saveAccount } from '../../infra/access/accounts.ts'
import { cubeContextOf } from '../../infra/app/service/context.ts'
import { refreshDue } from './open-data.ts'
import * as clock from '../../infra/time/clock.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

const home = tempDir('kho-open-')
let service: RunningService
let steward: string

async function deliver(name: string, dataset: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, lines.join('\n'))
  const r = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file, dataset, agency, channel: 'file' })
  expect(r.rejects).toEqual([])
}

const publish = (body: unknown, token = steward) =>
  fetch(`${service.url}/api/open-data`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify(body) })

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai' }),
  )
  await deliver('ct.csv', 'chi_tieu_kt_xh', 'SO_CT', ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', 'EXPORT_VAL,2026-01,24,100', 'EXPORT_VAL,2026-02,24,120'])
  // Seven people in one commune and two in another: the two must not be published.
  const people = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Ngày cập nhật'
  const rows = Array.from({ length: 9 }, (_, i) => `02709000${String(1000 + i)},Người ${i},01/02/1990,Nam,${i < 7 ? '07210' : '07228'},01/10/2026`)
  await deliver('dc.csv', 'dan_cu', 'CA_TINH', [people, ...rows])
  await service.ctx.transforms.run()
  const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-rat-dai' }) })
  steward = ((await res.json()) as { token: string }).token
}, 120_000)
afterAll(() => service?.stop())

describe('open data', () => {
  it('publishes an aggregate as CSV, JSON and XLSX with DCAT metadata and a public page; counts downloads', async () => {
    const res = await publish({
      id: 'xuat-khau-theo-thang',
      title: 'Kim ngạch xuất khẩu theo tháng',
      description: 'Kim ngạch xuất khẩu hàng hóa của tỉnh theo tháng, triệu USD.',
      keywords: ['xuất khẩu', 'thương mại'],
      query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }], order: { 'kt_xh.period': 'asc' } },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: 'xuat-khau-theo-thang', rows: 2, version: 1, downloads: 0 })

    const catalog = (await (await fetch(`${service.url}/api/open-data`)).json()) as { '@type': string; 'dcat:dataset': Record<string, unknown>[] }
    expect(catalog['@type']).toBe('dcat:Catalog')
    const ds = catalog['dcat:dataset'][0]!
    expect(ds).toMatchObject({ 'dct:identifier': 'xuat-khau-theo-thang', 'dct:title': 'Kim ngạch xuất khẩu theo tháng', 'dcat:keyword': ['xuất khẩu', 'thương mại'], 'dct:license': 'CC-BY-4.0' })
    const urls = (ds['dcat:distribution'] as { 'dcat:downloadURL': string }[]).map((d) => new URL(d['dcat:downloadURL']).pathname)
    expect(urls).toEqual(['/open-data/xuat-khau-theo-thang.csv', '/open-data/xuat-khau-theo-thang.json', '/open-data/xuat-khau-theo-thang.xlsx'])

    const csv = await (await fetch(`${service.url}/open-data/xuat-khau-theo-thang.csv`)).text()
    expect(csv.replace('\uFEFF', '').trim().split('\r\n')).toEqual(['Kỳ báo cáo,Giá trị thực hiện', '2026-01,100', '2026-02,120'])
    const json = (await (await fetch(`${service.url}/open-data/xuat-khau-theo-thang.json`)).json()) as { rows: Record<string, unknown>[] }
    expect(json.rows).toEqual([
      { 'kt_xh.period': '2026-01', 'kt_xh.value': 100 },
      { 'kt_xh.period': '2026-02', 'kt_xh.value': 120 },
    ])
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await (await fetch(`${service.url}/open-data/xuat-khau-theo-thang.xlsx`)).arrayBuffer())
    expect(wb.worksheets[0]!.getRow(4).values).toEqual([undefined, '2026-02', 120])

    const page = await (await fetch(`${service.url}/open-data`)).text()
    expect(page).toContain('Kim ngạch xuất khẩu theo tháng')
    expect(page).toContain('3 lượt tải')
    // The publication and each download are in the sharing log, with the dataset they come from.
    await service.ctx.audit.flush()
    const log = await queryRows<{ endpoint: string; datasets: string[]; row_count: string }>(
      service.ctx.wh.client,
      "SELECT endpoint, datasets, row_count FROM meta.audit WHERE endpoint LIKE 'open_data.%' ORDER BY seq",
    )
    expect(log.map((e) => `${e.endpoint} ${e.datasets.join()} ${e.row_count}`)).toEqual([
      'open_data.publish chi_tieu_kt_xh 2', 'open_data.download chi_tieu_kt_xh 2', 'open_data.download chi_tieu_kt_xh 2', 'open_data.download chi_tieu_kt_xh 2',
    ])
  })

  it('suppresses small cells and refuses closed or personal views', async () => {
    const res = await publish({
      id: 'dan-so-theo-xa',
      title: 'Dân số theo xã',
      description: 'Số người thường trú theo xã, phường.',
      query: { measures: ['population.people'], dimensions: ['population.commune_code'], order: { 'population.commune_code': 'asc' } },
    })
    expect(res.status).toBe(200)
    const rows = ((await (await fetch(`${service.url}/open-data/dan-so-theo-xa.json`)).json()) as { rows: Record<string, unknown>[] }).rows
    expect(rows).toEqual([
      { 'population.commune_code': '07210', 'population.people': expect.toBeOneOf([5, 10]) },
      { 'population.commune_code': '07228', 'population.people': null },
    ])
    for (const query of [{ measures: ['citizens.count'] }, { measures: ['submissions.obligations'] }]) {
      const refused = await publish({ id: 'khong-duoc', title: 'Không được', description: 'Không phải dữ liệu mở.', query })
      expect(refused.status).toBe(400)
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^Không công bố được/)
    }
  })

  it('only stewards publish, and a withdrawn dataset disappears', async () => {
    expect((await publish({ id: 'abc', title: 'abc', description: 'abcdefghijk', query: {} }, '')).status).toBe(401)
    const gone = await fetch(`${service.url}/api/open-data/dan-so-theo-xa`, { method: 'DELETE', headers: { authorization: steward } })
    expect(gone.status).toBe(200)
    expect((await fetch(`${service.url}/open-data/dan-so-theo-xa.csv`)).status).toBe(404)
    const ids = ((await (await fetch(`${service.url}/api/open-data`)).json()) as { 'dcat:dataset': { 'dct:identifier': string }[] })['dcat:dataset'].map((d) => d['dct:identifier'])
    expect(ids).toEqual(['xuat-khau-theo-thang'])
  })

  it('finds publications by words with or without diacritics, on the page and in DCAT', async () => {
    const ids = async (q: string) => ((await (await fetch(`${service.url}/api/open-data?q=${encodeURIComponent(q)}`)).json()) as { 'dcat:dataset': { 'dct:identifier': string }[] })['dcat:dataset'].map((d) => d['dct:identifier'])
    expect(await ids('xuat khau')).toEqual(['xuat-khau-theo-thang'])
    expect(await ids('KIM NGẠCH thương mại')).toEqual(['xuat-khau-theo-thang'])
    expect(await ids('thuong mai thang')).toEqual(['xuat-khau-theo-thang'])
    expect(await ids('dân số')).toEqual([])
    const page = await (await fetch(`${service.url}/open-data?q=${encodeURIComponent('xuat khau')}`)).text()
    expect(page).toContain('Kim ngạch xuất khẩu theo tháng')
    expect(page).toContain('value="xuat khau"')
    expect(await (await fetch(`${service.url}/open-data?q=${encodeURIComponent('<script>')}`)).text()).not.toContain('<script>"')
  })

  it('answers CKAN harvesters: package_list, package_show and package_search', async () => {
    const get = async (p: string) => {
      const res = await fetch(`${service.url}/api/3/action/${p}`)
      return { status: res.status, body: (await res.json()) as any }
    }
    expect((await get('package_list')).body).toMatchObject({ success: true, result: ['xuat-khau-theo-thang'] })
    const show = await get('package_show?id=xuat-khau-theo-thang')
    expect(show.body.success).toBe(true)
    expect(show.body.result).toMatchObject({ name: 'xuat-khau-theo-thang', title: 'Kim ngạch xuất khẩu theo tháng', license_id: 'CC-BY-4.0', num_resources: 3, tags: [{ name: 'xuất khẩu' }, { name: 'thương mại' }] })
    expect(show.body.result.resources.map((r: { format: string; url: string }) => `${r.format} ${new URL(r.url).pathname}`)).toEqual([
      'CSV /open-data/xuat-khau-theo-thang.csv', 'JSON /open-data/xuat-khau-theo-thang.json', 'XLSX /open-data/xuat-khau-theo-thang.xlsx',
    ])
    expect(await get('package_show?id=khong-co')).toMatchObject({ status: 404, body: { success: false, error: { __type: 'Not Found Error' } } })
    expect(await get('package_show')).toMatchObject({ status: 409, body: { success: false } })
    expect((await get('package_search?q=xuat%20khau')).body.result).toMatchObject({ count: 1, results: [{ name: 'xuat-khau-theo-thang' }] })
    expect((await get('package_search?q=*:*&rows=0')).body.result).toMatchObject({ count: 1, results: [] })
    expect((await get('package_search?rows=-1')).status).toBe(409)
  })

  it('publishes again on its rhythm (quarterly by default), keeping every version with its date', async () => {
    const deps = { wh: service.ctx.wh, catalog: () => service.ctx.model.now.catalog, openDataDir: service.ctx.config.paths.openData, cube: cubeContextOf(service.ctx), audit: service.ctx.audit }
    expect(service.ctx.jobs.ids()).toContain('open-data-refresh')
    const month = 30 * 86_400_000
    expect(await refreshDue(deps, new Date(clock.nowMs() + month))).toEqual([])
    expect(await refreshDue(deps, new Date(clock.nowMs() + 4 * month))).toEqual(['xuat-khau-theo-thang'])
    const versions = (await (await fetch(`${service.url}/api/open-data/xuat-khau-theo-thang/versions`)).json()) as { current: number; versions: { version: number; published_at: string; files: string[] }[] }
    expect(versions.current).toBe(2)
    expect(versions.versions.map((v) => v.version)).toEqual([1, 2])
    expect(versions.versions[0]!.published_at).toMatch(/^\d{4}-\d{2}-\d{2} /)
    expect(new URL(versions.versions[0]!.files[0]!).pathname).toBe('/open-data/xuat-khau-theo-thang.v1.csv')
    const v1 = await fetch(`${service.url}/open-data/xuat-khau-theo-thang.v1.csv`)
    expect(v1.status).toBe(200)
    expect((await v1.text()).replace('\uFEFF', '').trim().split('\r\n')).toEqual(['Kỳ báo cáo,Giá trị thực hiện', '2026-01,100', '2026-02,120'])
    expect((await fetch(`${service.url}/open-data/xuat-khau-theo-thang.v3.csv`)).status).toBe(404)
    const catalog = (await (await fetch(`${service.url}/api/open-data`)).json()) as { 'dcat:dataset': Record<string, unknown>[] }
    expect(catalog['dcat:dataset'][0]).toMatchObject({ 'dcat:version': 2, 'dct:accrualPeriodicity': 'quarterly' })
    // One published "never" is left as it is.
    expect((await publish({ id: 'mot-lan', title: 'Một lần', description: 'Công bố một lần, không cập nhật.', refresh: 'never', query: { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] } })).status).toBe(200)
    expect(await refreshDue(deps, new Date(clock.nowMs() + 24 * month))).not.toContain('mot-lan')
  })

  it('lets an owner agency propose its own data, a steward approve it (published under the agency) or refuse it', async () => {
    await saveAccount(service.ctx.wh, { username: 'soct.mo', display_name: 'Cán bộ Sở Công Thương', role: 'agency_officer', agency: 'SO_CT', password: 'mat-khau-dai-du-2026' })
    await saveAccount(service.ctx.wh, { username: 'soyt.mo', display_name: 'Cán bộ Sở Y tế', role: 'agency_officer', agency: 'SO_YT', password: 'mat-khau-dai-du-2026' })
    const login = async (u: string) => ((await (await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: 'mat-khau-dai-du-2026' }) })).json()) as { token: string }).token
    const [soct, soyt] = [await login('soct.mo'), await login('soyt.mo')]
    const propose = (token: string, body: unknown) => fetch(`${service.url}/api/open-data/proposals`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const exportQuery = { measures: ['kt_xh.value'], dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['EXPORT_VAL'] }] }
    const ok = await propose(soct, { id: 'xuat-khau-so-cong-thuong', title: 'Xuất khẩu do Sở Công Thương công bố', description: 'Kim ngạch xuất khẩu theo tháng, Sở Công Thương.', refresh: 'monthly', query: exportQuery })
    expect(ok.status).toBe(201)
    const proposal = (await ok.json()) as { id: string; status: string; rows: number }
    expect(proposal).toMatchObject({ status: 'pending', rows: 2 })
    // Another agency's data, KT-XH without naming its own indicators, or a closed view: refused.
    expect((await propose(soyt, { id: 'xuat-khau-khac', title: 'Không phải của Sở Y tế', description: 'Kim ngạch xuất khẩu của Sở Công Thương.', query: exportQuery })).status).toBe(403)
    expect((await propose(soct, { id: 'tat-ca-chi-tieu', title: 'Mọi chỉ tiêu', description: 'Mọi chỉ tiêu của tỉnh theo kỳ.', query: { measures: ['kt_xh.value'] } })).status).toBe(403)
    expect((await propose(soct, { id: 'cong-dan', title: 'Công dân', description: 'Danh sách công dân theo xã.', query: { measures: ['citizens.count'] } })).status).toBe(400)
    const list = async (token: string) => (await (await fetch(`${service.url}/api/open-data/proposals`, { headers: { authorization: token } })).json()) as { id: string }[]
    expect((await list(steward)).map((p) => p.id)).toContain(proposal.id)
    expect((await list(soyt)).map((p) => p.id)).not.toContain(proposal.id)
    const decide = (body: unknown) => fetch(`${service.url}/api/open-data/proposals/${proposal.id}/decide`, { method: 'POST', headers: { authorization: steward, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await fetch(`${service.url}/api/open-data/proposals/${proposal.id}/decide`, { method: 'POST', headers: { authorization: soct, 'content-type': 'application/json' }, body: '{"decision":"approve"}' })).status).toBe(403)
    expect((await decide({ decision: 'refuse' })).status).toBe(400)
    const approved = await decide({ decision: 'approve', note: 'Đồng ý' })
    expect(approved.status).toBe(200)
    expect(((await approved.json()) as { publication: { publisher: string; owner: string; refresh: string } }).publication).toMatchObject({ publisher: service.ctx.model.now.catalog.agency('SO_CT')!.name, owner: 'SO_CT', refresh: 'monthly' })
    expect((await decide({ decision: 'refuse', note: 'Đổi ý' })).status).toBe(409)
    const show = (await (await fetch(`${service.url}/api/3/action/package_show?id=xuat-khau-so-cong-thuong`)).json()) as { result: { organization: { title: string } } }
    expect(show.result.organization.title).toBe(service.ctx.model.now.catalog.agency('SO_CT')!.name)
  })
})
