import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { queryRows } from '../../infra/warehouse/client.ts'

const home = tempDir('kho-open-')
let service: RunningService
let steward: string

async function deliver(name: string, dataset: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, lines.join('\n'))
  const r = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.catalog, archiveDir: path.join(home, 'archive'), file, dataset, agency, channel: 'file' })
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
})
