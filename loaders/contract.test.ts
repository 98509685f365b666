import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { columnSchema } from '../infra/catalog/schema.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { loadFile, type LoadReport } from './load-file.ts'
import { acceptedRowsSql } from '../infra/warehouse/raw-rows.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'

// A dataset with one column of every kind of rule, added to the real catalogue for these tests.
const column = (c: Record<string, unknown>) => columnSchema.parse(c)
const kiemThu: CatalogDataset = {
  ...loadCatalog().dataset('doanh_nghiep')!,
  id: 'kiem_thu',
  name: 'Kiểm thử quy tắc',
  natural_key: ['ma'],
  reject_threshold: 1,
  columns: [
    column({ id: 'ma', label: 'Mã', type: 'string', required: true, pattern: '^[A-Z]{2}[0-9]+$' }),
    column({ id: 'so_nguyen', label: 'Số nguyên', type: 'integer', min: 0, max: 1000000 }),
    column({ id: 'so_thuc', label: 'Số thực', type: 'decimal' }),
    column({ id: 'ngay', label: 'Ngày', type: 'date' }),
    column({ id: 'thoi_diem', label: 'Thời điểm', type: 'datetime' }),
    column({ id: 'co_khong', label: 'Có/không', type: 'boolean' }),
    column({ id: 'ky', label: 'Kỳ', type: 'period' }),
    column({ id: 'gioi_tinh', label: 'Giới tính', type: 'string', enum: ['Nam', 'Nữ'] }),
    column({ id: 'cccd', label: 'CCCD', type: 'string', identifier: 'cccd' }),
    column({ id: 'don_vi', label: 'Đơn vị', type: 'string', identifier: 'admin_unit_code' }),
  ],
}
let catalog: Catalog
let wh: TempWarehouse
const dir = tempDir('kho-contract-')

beforeAll(async () => {
  const base = loadCatalog()
  catalog = { ...base, datasets: [...base.datasets, kiemThu], dataset: (id) => (id === 'kiem_thu' ? kiemThu : base.dataset(id)) }
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

const HEADER = 'Mã,Số nguyên,Số thực,Ngày,Thời điểm,Có/không,Kỳ,Giới tính,CCCD,Đơn vị'

async function load(name: string, lines: string[], dataset = 'kiem_thu', agency = 'SO_TC'): Promise<LoadReport> {
  const file = path.join(dir, name)
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n')
  return loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset, agency, channel: 'file' })
}

describe('contracts from the catalogue', () => {
  it('accepts values in every supported form: vi-VN and en numbers, dd/mm/yyyy, ISO and Excel-serial dates', async () => {
    const report = await load('good.csv', [
      'AB1,"1.234","1.234.567,5",01/02/2026,01/02/2026 08:30,có,2026-03,Nam,027090001234,24',
      'AB2,1234,"1,234,567.5",1/2/2026,2026-02-01T08:30:00,0,2026-Q1,nữ,,07210',
      'AB3,0,"12,5",2026-02-28,2026-02-28,x,2026,NỮ,,',
      'AB4,,1e3,46054,,,,,,',
      // Digits grouped with spaces and dots, and a legacy 9-digit CMND (kept, flagged later in std).
      'AB5,,,,,,,,027 090 001.234,',
      'AB6,,,,,,,,123456789,',
      // A pre-2025 commune code in the crosswalk: loaded as delivered, mapped in std.
      'AB7,,,,,,,,,07212',
    ])
    expect(report.rejects).toEqual([])
    expect(report).toMatchObject({ status: 'committed', rowsRead: 7, rowsLoaded: 7, rowsRejected: 0 })
  })

  it.each([
    ['AB5,1.5,1,,,,,,,', 'so_nguyen', 'value.integer'],
    ['AB6,2000000,1,,,,,,,', 'so_nguyen', 'value.max'],
    ['AB7,-1,1,,,,,,,', 'so_nguyen', 'value.min'],
    ['AB8,1,12abc,,,,,,,', 'so_thuc', 'value.decimal'],
    ['AB9,1,1,31/02/2026,,,,,,', 'ngay', 'value.date'],
    ['AC1,1,1,2026/02/01,,,,,,', 'ngay', 'value.date'],
    ['AC2,1,1,,01/02/2026 25h,,,,,', 'thoi_diem', 'value.datetime'],
    ['AC3,1,1,,,maybe,,,,', 'co_khong', 'value.boolean'],
    ['AC4,1,1,,,,2026-13,,,', 'ky', 'value.period'],
    ['AC5,1,1,,,,,Khác,,', 'gioi_tinh', 'value.enum'],
    ['AC6,1,1,,,,,,27090001234,', 'cccd', 'cccd.leading_zero_lost'],
    ['AC6,1,1,,,,,,12345678,', 'cccd', 'cccd.length'],
    ['AC7,1,1,,,,,,,01', 'don_vi', 'province.other'],
    ['AC7,1,1,,,,,,,27', 'don_vi', 'province.unknown'],
    ['AC8,1,1,,,,,,,7210', 'don_vi', 'commune.leading_zero_lost'],
    ['AC9,1,1,,,,,,,00004', 'don_vi', 'commune.other_province'],
    ['AC9,1,1,,,,,,,07211', 'don_vi', 'commune.unknown'],
    ['x1,1,1,,,,,,,', 'ma', 'value.pattern'],
    [',1,1,,,,,,,', 'ma', 'value.required'],
    ["AD1,1,'; DROP TABLE raw.dan_cu; --,,,,,,,", 'so_thuc', 'value.decimal'],
  ])('rejects %j at column %s with %s', async (line, col, code) => {
    const report = await load(`bad-${code}-${col}.csv`, ['ZZ1,1,1,,,,,,,', line])
    expect(report.status).toBe('committed')
    expect(report.rejects).toHaveLength(1)
    expect(report.rejects[0]).toMatchObject({ row: 3, column: col, code })
    expect(report.rejects[0]!.vi.length).toBeGreaterThan(10)
    expect(report.rowsLoaded).toBe(1)
  })

  it('keeps a rejected row whole in raw, marked with its problems, and no reader takes it', async () => {
    const report = await load('kept.csv', ['AF1,1,1,,,,,,,', 'AF2,1,1,,,,,Khác,,', 'AF3,1,1,,,,,,,'])
    expect(report).toMatchObject({ status: 'committed', rowsRead: 3, rowsLoaded: 2, rowsRejected: 1 })
    const raw = await queryRows<{ ma: string; gioi_tinh: string; _row: number; _problems: [string, string, string][] }>(
      wh.client,
      'SELECT ma, gioi_tinh, _row, _problems FROM raw.kiem_thu WHERE _load_id = {id:String} ORDER BY _row',
      { id: report.loadId },
    )
    expect(raw).toEqual([
      { ma: 'AF1', gioi_tinh: '', _row: 2, _problems: [] },
      { ma: 'AF2', gioi_tinh: 'Khác', _row: 3, _problems: [['gioi_tinh', 'value.enum', 'Khác']] },
      { ma: 'AF3', gioi_tinh: '', _row: 4, _problems: [] },
    ])
    const read = await queryRows<{ ma: string }>(wh.client, `SELECT ma FROM ${acceptedRowsSql('kiem_thu')} WHERE _load_id = {id:String} ORDER BY ma`, { id: report.loadId })
    expect(read.map((r) => r.ma)).toEqual(['AF1', 'AF3'])
  })

  it('explains with the column label and the value, in Vietnamese and English', async () => {
    const report = await load('labels.csv', ['AE1,1,1,,,,,Khác,,'])
    expect(report.rejects[0]!.vi).toBe('Cột "Giới tính": "Khác" không thuộc danh sách giá trị cho phép (Nam, Nữ)')
    expect(report.rejects[0]!.en).toBe('Column "gioi_tinh": "Khác" is not one of the allowed values (Nam, Nữ)')
  })
})

describe('whole-delivery rules', () => {
  it('refuses the whole delivery above the rejection threshold, keeping the reasons and the rejected rows to fix, loading none', async () => {
    const lines = ['Mã chỉ tiêu,Kỳ báo cáo,Mã đơn vị hành chính,Giá trị thực hiện', 'RETAIL_SALES,2026-03,24,"15.549,4"', 'RETAIL_SALE,2026-03,24,1', 'RETAIL_SALES,2026-13,24,1']
    const file = path.join(dir, 'ktxh.csv')
    fs.writeFileSync(file, lines.join('\r\n'))
    const report = await loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset: 'chi_tieu_kt_xh', agency: 'TK_TINH', channel: 'file' })
    expect(report).toMatchObject({ status: 'refused', rowsRead: 3, rowsRejected: 2, rowsLoaded: 0, refusal: { code: 'threshold' } })
    expect(report.refusal!.vi).toContain('2/3 dòng')
    expect(report.rejects.map((r) => r.code)).toEqual(['indicator.unknown', 'value.period'])
    // The good row is gone; the two rejected stay (marked, for the agency's fix sheet); nothing is read.
    const raw = await queryRows<{ _row: number; rejected: number }>(
      wh.client,
      'SELECT _row, notEmpty(_problems) AS rejected FROM raw.chi_tieu_kt_xh WHERE _load_id = {id:String} ORDER BY _row',
      { id: report.loadId },
    )
    expect(raw).toEqual([{ _row: 3, rejected: 1 }, { _row: 4, rejected: 1 }])
    const [read] = await queryRows<{ n: number }>(wh.client, `SELECT count() AS n FROM ${acceptedRowsSql('chi_tieu_kt_xh')} WHERE _load_id = {id:String}`, { id: report.loadId })
    expect(Number(read!.n)).toBe(0)
    const [kept] = await queryRows<{ n: number }>(wh.client, 'SELECT count() AS n FROM meta.rejects WHERE load_id = {id:String}', { id: report.loadId })
    expect(Number(kept!.n)).toBe(2)
  })

  it("rejects an indicator reported by an agency that does not own it", async () => {
    const file = path.join(dir, 'not-owner.csv')
    fs.writeFileSync(file, 'ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri\nEXPORT_VAL,2026-03,24,1\n' + 'RETAIL_SALES,2026-03,24,2\n'.repeat(30))
    const report = await loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset: 'chi_tieu_kt_xh', agency: 'TK_TINH', channel: 'file' })
    expect(report.status).toBe('committed')
    expect(report.rejects).toEqual([expect.objectContaining({ row: 2, code: 'indicator.not_owned', value: 'EXPORT_VAL' })])
    expect(report.warnings.map((w) => w.code)).toContain('rows.duplicate_key')
  })

  it('refuses a file in a legacy code page, naming the line', async () => {
    const file = path.join(dir, 'cp1258.csv')
    const head = Buffer.from(`${HEADER}\nAF1,1,1,,,,,,,\n`, 'utf8')
    // "Phường" in Windows-1258 on line 3.
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from('AF2,1,1,,,,,'), Buffer.from([0x50, 0x68, 0xfd, 0xf5, 0xcc, 0x6e, 0x67]), Buffer.from(',,\n')]))
    const report = await loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset: 'kiem_thu', agency: 'SO_TC', channel: 'file' })
    expect(report).toMatchObject({ status: 'refused', rowsLoaded: 0, refusal: { code: 'encoding' } })
    expect(report.refusal!.vi).toContain('dòng 3')
    expect(report.refusal!.vi).toContain('Windows-1258')
  })

  it('reads the same rows from UTF-8, UTF-16 and JSON deliveries', async () => {
    const rows = ['AG1,7,"1,5",02/03/2026,,,,Nam,,24', 'AG2,8,2,03/03/2026,,,,Nữ,,07210']
    const utf16 = path.join(dir, 'unicode.txt')
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, ...rows].join('\r\n').replaceAll(',', '\t').replace('"1\t5"', '1,5'), 'utf16le')]))
    const json = path.join(dir, 'records.json')
    fs.writeFileSync(json, JSON.stringify([
      { ma: 'AG1', so_nguyen: 7, so_thuc: '1,5', ngay: '02/03/2026', gioi_tinh: 'Nam', don_vi: '24' },
      { ma: 'AG2', so_nguyen: 8, so_thuc: 2, ngay: '03/03/2026', gioi_tinh: 'Nữ', don_vi: '07210' },
    ]))
    const utf8 = await load('utf8.csv', rows)
    const results = [utf8]
    for (const file of [utf16, json]) {
      results.push(await loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset: 'kiem_thu', agency: 'SO_TC', channel: 'file' }))
    }
    const loaded: Record<string, unknown>[][] = []
    for (const r of results) {
      expect(r.status, r.source).toBe('committed')
      loaded.push(await queryRows<Record<string, unknown>>(wh.client, 'SELECT ma, so_nguyen, so_thuc, ngay, gioi_tinh, don_vi, _row FROM raw.kiem_thu WHERE _load_id = {id:String} ORDER BY _row', { id: r.loadId }))
    }
    expect(loaded[1]).toEqual(loaded[0])
    expect(loaded[2]!.map((r) => ({ ...r, _row: 0 }))).toEqual(loaded[0]!.map((r) => ({ ...r, _row: 0 })))
  })
})
