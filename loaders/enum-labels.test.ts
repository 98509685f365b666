import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { datasetSchema } from '../infra/catalog/schema.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { catalogProject } from '../transforms/project/project.ts'
import { runModels } from '../transforms/runner/run.ts'
import { loadFile } from './load-file.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'

/*
 * Enumerations as people write them: an enterprise file whose status says "Đang hoạt động" (the
 * label) rather than dang_hoat_dong (the code) loads, and the standard layer reads the code.
 */
const catalog = loadCatalog()
const home = tempDir('kho-enum-')
let wh: TempWarehouse

async function load(name: string, dataset: string, agency: string, lines: string[]) {
  const file = path.join(home, name)
  fs.writeFileSync(file, lines.join('\n') + '\n')
  return loadFile({ wh, catalog, archive: keptUnder(home), file, dataset, agency, channel: 'file' })
}

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

describe('enumerations with labels', () => {
  it('accepts the label people write for a code, in any case, Vietnamese or English, and std reads the code', async () => {
    const header = 'Mã số doanh nghiệp;Tên doanh nghiệp;Ngày thành lập;Mã xã;Ngành kinh tế (VSIC);Vốn điều lệ (triệu đồng);Tình trạng;Ngày cập nhật'
    const rows = [
      '0100047516;Công ty A;01/01/2020;07210;2610;2500;Đang hoạt động;01/10/2026',
      '0100233488;Công ty B;01/01/2021;07210;2610;100;  TẠM NGỪNG KINH DOANH ;01/10/2026',
      '0101248141;Công ty C;01/01/2019;07210;2610;100;Dissolved;01/10/2026',
      '0102100740;Công ty D;01/01/2018;07210;2610;100;giai_the;01/10/2026',
      // The label in decomposed Unicode (NFD), as some systems write Vietnamese.
      `0100109106;Công ty F;01/01/2018;07210;2610;100;${'Hoạt động trở lại'.normalize('NFD')};01/10/2026`,
      ...Array.from({ length: 16 }, (_, i) => `0100109106-${String(i + 1).padStart(3, '0')};Chi nhánh ${i};01/01/2018;07210;2610;1;dang_hoat_dong;01/10/2026`),
      '0105987432;Công ty E;01/01/2018;07210;2610;100;Sắp giải thể;01/10/2026',
    ]
    const r = await load('dn.csv', 'doanh_nghiep', 'SO_TC', [header, ...rows])
    expect(r.status).toBe('committed')
    // Only the status no code or label names is refused, with the labels a person would pick from.
    expect(r.rejects.map((x) => [x.row, x.column, x.code])).toEqual([[23, 'trang_thai', 'value.enum']])
    expect(r.rejects[0]!.vi).toContain('Đang hoạt động, Tạm ngừng kinh doanh, Đã giải thể, Hoạt động trở lại')
    const run = await runModels(wh, catalogProject(catalog), { select: ['+dim_enterprise'] })
    expect(run.results.filter((x) => x.status !== 'success')).toEqual([])
    const std = await queryRows<{ enterprise_code: string; status: string }>(wh.client, "SELECT enterprise_code, status FROM std.enterprises FINAL WHERE branch = '' ORDER BY enterprise_code")
    expect(std.map((x) => [x.enterprise_code, x.status])).toEqual([
      ['0100047516', 'dang_hoat_dong'],
      ['0100109106', 'hoat_dong_tro_lai'],
      ['0100233488', 'tam_ngung'],
      ['0101248141', 'giai_the'],
      ['0102100740', 'giai_the'],
    ])
    // The marts show people the label again (the enterprises view's status_label).
    const shown = await queryRows<{ status: string; status_label: string }>(wh.client, "SELECT DISTINCT status, status_label FROM marts.dim_enterprise WHERE branch = '' ORDER BY status")
    expect(shown).toEqual([
      { status: 'dang_hoat_dong', status_label: 'Đang hoạt động' },
      { status: 'giai_the', status_label: 'Đã giải thể' },
      { status: 'hoat_dong_tro_lai', status_label: 'Hoạt động trở lại' },
      { status: 'tam_ngung', status_label: 'Tạm ngừng kinh doanh' },
    ])
  })

  it('reads labels into codes in a generated std model too', async () => {
    const header = 'Số định danh cá nhân,Loại bảo hiểm,Mã xã,Mức đóng (nghìn đồng/tháng),Tham gia từ ngày,Ngày cập nhật'
    const r = await load('bhxh.csv', 'bhxh_tham_gia', 'BHXH_TINH', [header, '027090001234,BHXH bắt buộc,07210,1000,01/01/2020,01/10/2026', '027090001235,Bảo hiểm y tế,07210,,01/01/2020,01/10/2026'])
    expect(r.rejects).toEqual([])
    await runModels(wh, catalogProject(catalog), { select: ['+ds_bhxh_tham_gia'] })
    const std = await queryRows<{ loai_bao_hiem: string }>(wh.client, 'SELECT loai_bao_hiem FROM std.ds_bhxh_tham_gia FINAL ORDER BY cccd')
    expect(std.map((x) => x.loai_bao_hiem)).toEqual(['bhxh_bat_buoc', 'bhyt'])
  })

  it('keeps the labels through an export and import of the entry, and refuses a label for a value not listed', () => {
    const dn = catalog.dataset('doanh_nghiep')!
    expect(dn.columns.find((c) => c.id === 'trang_thai')!.enum).toEqual(['dang_hoat_dong', 'tam_ngung', 'giai_the', 'hoat_dong_tro_lai'])
    const again = datasetSchema.parse(parseYaml(stringifyYaml(datasetSchema.parse(parseYaml(stringifyYaml(dn))))))
    expect(again.columns).toEqual(datasetSchema.parse(parseYaml(stringifyYaml(dn))).columns)
    expect(again.columns.find((c) => c.id === 'trang_thai')!.enum_labels.map((l) => l.label)).toEqual(['Đang hoạt động', 'Tạm ngừng kinh doanh', 'Đã giải thể', 'Hoạt động trở lại'])
    const stray = datasetSchema.safeParse({ ...dn, columns: [{ id: 'x', label: 'X', type: 'string', enum: ['a'], enum_labels: [{ value: 'b', label: 'B' }] }] })
    expect(stray.success).toBe(false)
  })
})
