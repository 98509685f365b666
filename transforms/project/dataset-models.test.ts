import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CatalogError, loadCatalog, withDatasets } from '../../infra/catalog/load-catalog.ts'
import { datasetSchema } from '../../infra/catalog/schema.ts'
import { syncCatalog } from '../../infra/catalog/sync-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { catalogProject } from './project.ts'
import { runModels } from '../runner/run.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

const catalog = loadCatalog()
let wh: TempWarehouse
const home = tempDir('kho-generated-')

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

describe('std models generated from catalogue entries', () => {
  it('are made only for datasets no hand-written staging model reads', () => {
    const project = catalogProject(catalog)
    const generated = [...project.models.values()].filter((m) => m.config.tags.includes('generated')).map((m) => m.name)
    expect(generated).toEqual(['ds_bhxh_tham_gia', 'indicator_computed'])
  })

  it('type and standardise each column: identifiers normalised, old commune codes mapped, dates and numbers parsed, the latest record of a key kept', async () => {
    const file = path.join(home, 'bhxh.csv')
    const header = 'Số định danh cá nhân,Loại bảo hiểm,Mã xã,Mức đóng (nghìn đồng/tháng),Tham gia từ ngày,Ngày cập nhật'
    const [oldCommune] = catalog.crosswalk
    fs.writeFileSync(file, [header, `027 090 001 234,BHXH_BAT_BUOC,${oldCommune!.oldCode},"1.500,5",01/02/2020,01/10/2026`, '027090001235,bhyt,07210,300,15/03/2021,02/10/2026'].join('\n'))
    const r = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'bhxh_tham_gia', agency: 'BHXH_TINH', channel: 'file' })
    expect(r.status).toBe('committed')
    // The same person and kind again, updated later: it replaces the first.
    const again = path.join(home, 'bhxh2.csv')
    fs.writeFileSync(again, [header, '027090001234,bhxh_bat_buoc,07210,1600,01/02/2020,05/11/2026'].join('\n'))
    expect((await loadFile({ wh, catalog, archive: keptUnder(home), file: again, dataset: 'bhxh_tham_gia', agency: 'BHXH_TINH', channel: 'file' })).status).toBe('committed')
    const project = catalogProject(catalog)
    const run = await runModels(wh, project, { select: ['+ds_bhxh_tham_gia'] })
    expect(run.results.filter((x) => x.status !== 'success')).toEqual([])
    const firstMapped = await queryRows<{ ma_xa: string }>(wh.client, "SELECT ma_xa FROM std.ds_bhxh_tham_gia WHERE loai_bao_hiem = 'bhxh_bat_buoc' ORDER BY _version LIMIT 1")
    expect(firstMapped[0]!.ma_xa).toBe(oldCommune!.newCode)
    const rows = await queryRows<Record<string, unknown>>(wh.client, 'SELECT cccd, loai_bao_hiem, ma_xa, muc_dong, toString(tu_ngay) AS tu_ngay FROM std.ds_bhxh_tham_gia FINAL ORDER BY cccd')
    expect(rows).toEqual([
      { cccd: '027090001234', loai_bao_hiem: 'bhxh_bat_buoc', ma_xa: '07210', muc_dong: 1600, tu_ngay: '2020-02-01' },
      // (the first delivery's old commune code, mapped, was replaced by the later record)
      { cccd: '027090001235', loai_bao_hiem: 'bhyt', ma_xa: '07210', muc_dong: 300, tu_ngay: '2021-03-15' },
    ])
  })
})

describe('a natural key of numbers and dates', () => {
  it('builds (ClickHouse refuses a nullable sorting key) and keeps the latest record of each key', async () => {
    // The demo's poor-household list is keyed by household and survey year: its first build failed.
    const entry = datasetSchema.parse({
      id: 'ho_ngheo_thu',
      name: 'Hộ nghèo (thử)',
      owner: 'SO_NNMT',
      description: 'Khóa gồm số và ngày',
      personal_data: false,
      sharing: { scope: 'noi_bo', method: 'file' },
      update_frequency: 'yearly',
      format_standard: 'CSV',
      formats: ['csv'],
      natural_key: ['ma_ho', 'nam', 'ngay_ra_soat'],
      columns: [
        { id: 'ma_ho', label: 'Mã hộ', type: 'string', required: true },
        { id: 'nam', label: 'Năm', type: 'integer', required: true },
        { id: 'ngay_ra_soat', label: 'Ngày rà soát', type: 'date', required: true },
        { id: 'so_nhan_khau', label: 'Số nhân khẩu', type: 'integer' },
      ],
    })
    const withEntry = withDatasets(catalog, [entry])
    await syncCatalog(wh, withEntry)
    const file = path.join(home, 'hn.csv')
    fs.writeFileSync(file, ['Mã hộ,Năm,Ngày rà soát,Số nhân khẩu', 'H1,2025,15/12/2025,4', 'H1,2025,15/12/2025,5', 'H1,2024,15/12/2024,4'].join('\n'))
    const r = await loadFile({ wh, catalog: withEntry, archive: keptUnder(home), file, dataset: 'ho_ngheo_thu', agency: 'SO_NNMT', channel: 'file' })
    expect(r.status).toBe('committed')
    const run = await runModels(wh, catalogProject(withEntry), { select: ['ds_ho_ngheo_thu'] })
    expect(run.results.filter((x) => x.status !== 'success')).toEqual([])
    const rows = await queryRows<Record<string, unknown>>(wh.client, 'SELECT ma_ho, nam, toString(ngay_ra_soat) AS d FROM std.ds_ho_ngheo_thu FINAL ORDER BY nam')
    expect(rows).toEqual([
      { ma_ho: 'H1', nam: 2024, d: '2024-12-15' },
      { ma_ho: 'H1', nam: 2025, d: '2025-12-15' },
    ])
  })
})

describe('indicators a dataset declares its rows compute', () => {
  const accidents = (computes: unknown[]) =>
    datasetSchema.parse({
      id: 'tai_nan_thu',
      name: 'Tai nạn giao thông (thử)',
      owner: 'CA_TINH',
      description: 'Mỗi dòng một vụ',
      personal_data: false,
      sharing: { scope: 'noi_bo', method: 'file' },
      update_frequency: 'monthly',
      format_standard: 'CSV',
      formats: ['csv'],
      natural_key: ['ma_vu'],
      computes,
      columns: [
        { id: 'ma_vu', label: 'Mã vụ', type: 'string', required: true },
        { id: 'ngay', label: 'Ngày xảy ra', type: 'date', required: true },
        { id: 'ma_xa', element: 'commune_code', required: true },
        { id: 'so_chet', label: 'Số người chết', type: 'integer', required: true },
      ],
    })

  it('are counted by commune and month from its rows', async () => {
    const entry = accidents([
      { indicator: 'TRAFFIC_ACC', value: 'count', date: 'ngay', commune: 'ma_xa' },
      { indicator: 'TRAFFIC_DEATHS', value: 'sum', column: 'so_chet', date: 'ngay', commune: 'ma_xa' },
    ])
    const withEntry = withDatasets(catalog, [entry])
    await syncCatalog(wh, withEntry)
    const file = path.join(home, 'tn.csv')
    fs.writeFileSync(file, ['Mã vụ,Ngày xảy ra,Mã xã,Số người chết', 'V1,03/10/2026,07210,1', 'V2,20/10/2026,07210,2', 'V3,21/10/2026,07228,0', 'V4,02/11/2026,07210,0'].join('\n'))
    expect((await loadFile({ wh, catalog: withEntry, archive: keptUnder(home), file, dataset: 'tai_nan_thu', agency: 'CA_TINH', channel: 'file' })).status).toBe('committed')
    const run = await runModels(wh, catalogProject(withEntry), { select: ['ds_tai_nan_thu', 'indicator_computed'] })
    expect(run.results.filter((x) => x.status !== 'success')).toEqual([])
    const rows = await queryRows<Record<string, unknown>>(wh.client, 'SELECT indicator_code, period, unit_code, value, basis FROM std.indicator_computed ORDER BY indicator_code, period, unit_code')
    expect(rows).toEqual([
      { indicator_code: 'TRAFFIC_ACC', period: '2026-10', unit_code: '07210', value: 2, basis: 'tai_nan_thu' },
      { indicator_code: 'TRAFFIC_ACC', period: '2026-10', unit_code: '07228', value: 1, basis: 'tai_nan_thu' },
      { indicator_code: 'TRAFFIC_ACC', period: '2026-11', unit_code: '07210', value: 1, basis: 'tai_nan_thu' },
      { indicator_code: 'TRAFFIC_DEATHS', period: '2026-10', unit_code: '07210', value: 3, basis: 'tai_nan_thu' },
      { indicator_code: 'TRAFFIC_DEATHS', period: '2026-10', unit_code: '07228', value: 0, basis: 'tai_nan_thu' },
      { indicator_code: 'TRAFFIC_DEATHS', period: '2026-11', unit_code: '07210', value: 0, basis: 'tai_nan_thu' },
    ])
  })

  it('are refused with the reason when they name no indicator of the kind or columns that cannot compute it', () => {
    const entry = accidents([
      { indicator: 'KHONG_CO', value: 'count', date: 'ngay', commune: 'ma_xa' },
      { indicator: 'CPI', value: 'count', date: 'ngay', commune: 'ma_xa' },
      { indicator: 'TRAFFIC_ACC', value: 'count', date: 'ma_vu', commune: 'ma_vu' },
      { indicator: 'TRAFFIC_DEATHS', value: 'sum', column: 'ma_vu', date: 'ngay', commune: 'ma_xa' },
    ])
    let problems: string[] = []
    try {
      withDatasets(catalog, [entry])
    } catch (err) {
      problems = (err as CatalogError).problems.map((p) => `${p.path}: ${p.message}`)
    }
    expect(problems).toEqual([
      'computes[0].indicator: không có chỉ tiêu "KHONG_CO" / no indicator "KHONG_CO"',
      'computes[1].indicator: "CPI" không phải chỉ tiêu tháng theo xã / is not a monthly commune-level indicator',
      'computes[2].date: "ma_vu" không phải cột ngày / is not a date column',
      'computes[2].commune: "ma_vu" không phải cột mã xã / is not a commune code column',
      'computes[3].column: cộng (sum) cần một cột số / a sum needs a number column',
    ])
  })
})
