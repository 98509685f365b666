import fs from 'node:fs'
import path from 'node:path'
import * as XLSX from '@e965/xlsx'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { loadFile, type LoadFileOptions } from './load-file.ts'
import { datasetTemplate } from './template.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'

const catalog = loadCatalog()
const dir = tempDir('kho-formats-')
let wh: TempWarehouse

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

const load = (file: string, extra: Partial<LoadFileOptions> = {}) =>
  loadFile({ wh, catalog, archive: keptUnder(dir), file, dataset: 'chi_tieu_kt_xh', agency: 'TK_TINH', channel: 'file', ...extra })

async function rawRows(loadId: string, table = 'chi_tieu_kt_xh') {
  return queryRows<Record<string, string | number>>(wh.client, `SELECT * EXCEPT (_load_id, _agency, _source, _sha256, _loaded_at) FROM raw.${table} WHERE _load_id = {id:String} ORDER BY _row`, { id: loadId })
}

describe('XLSX deliveries', () => {
  it('finds the header under title rows, joins merged group headers, takes cached formula values and skips trailing empty rows', async () => {
    const wb = new ExcelJS.Workbook()
    const cover = wb.addWorksheet('Bìa')
    cover.addRow(['BÁO CÁO THỐNG KÊ'])
    cover.addRow(['Kỳ: tháng 3/2026'])
    const ws = wb.addWorksheet('Số liệu')
    ws.addRow(['BIỂU SỐ 01: CHỈ TIÊU KINH TẾ - XÃ HỘI'])
    ws.addRow(['Đơn vị báo cáo: Thống kê tỉnh Bắc Ninh'])
    ws.addRow(['Mã chỉ tiêu', 'Kỳ báo cáo', 'Mã đơn vị hành chính', 'Giá trị', '', 'Đơn vị tính'])
    ws.addRow(['', '', '', 'Thực hiện', 'Kế hoạch', ''])
    ws.mergeCells('D3:E3')
    ws.addRow(['RETAIL_SALES', '2026-03', '24', 15549.4, 15600, 'tỷ đồng'])
    ws.addRow(['GRDP_CUR', '2026-Q1', '24', { formula: 'D5*5', result: 77747 } as ExcelJS.CellFormulaValue, null, 'tỷ đồng'])
    ws.addRow([])
    ws.addRow([])
    const file = path.join(dir, 'bieu01.xlsx')
    await wb.xlsx.writeFile(file)

    const report = await load(file)
    expect(report.rejects).toEqual([])
    expect(report).toMatchObject({ status: 'committed', rowsRead: 2, rowsLoaded: 2 })
    const rows = await rawRows(report.loadId)
    expect(rows.map((r) => [r.ma_chi_tieu, r.ky_bao_cao, r.gia_tri, r.ke_hoach, r._row])).toEqual([
      ['RETAIL_SALES', '2026-03', '15549.4', '15600', 5],
      ['GRDP_CUR', '2026-Q1', '77747', '', 6],
    ])
  })

  it('reads date cells, Excel serial numbers and text dates, and keeps text codes with leading zeros', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('DN')
    ws.addRow(['Mã số doanh nghiệp', 'Tên doanh nghiệp', 'Ngày thành lập', 'Mã xã', 'Ngành kinh tế (VSIC)', 'Vốn điều lệ (triệu đồng)', 'Tình trạng', 'Ngày cập nhật'])
    const dateCell = ws.addRow(['0100047516', 'Công ty A', new Date(Date.UTC(2020, 1, 29)), '07210', '2610', 1500.5, 'dang_hoat_dong', '05/07/2026'])
    dateCell.getCell(3).numFmt = 'dd/mm/yyyy'
    ws.addRow(['0100233488', 'Công ty B', 46054, '09301', '4659', 0, 'tam_ngung', '2026-07-05'])
    const file = path.join(dir, 'dn.xlsx')
    await wb.xlsx.writeFile(file)
    const report = await load(file, { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(report.rejects).toEqual([])
    const rows = await rawRows(report.loadId, 'doanh_nghiep')
    expect(rows.map((r) => [r.ma_so_doanh_nghiep, r.ngay_thanh_lap, r.ma_xa, r.von_dieu_le, r.ngay_cap_nhat])).toEqual([
      ['0100047516', '29/02/2020', '07210', '1500.5', '05/07/2026'],
      ['0100233488', '46054', '09301', '0', '2026-07-05'],
    ])
  })

  it('reads a sheet chosen by name, and says which sheets exist when it is missing', async () => {
    const wb = new ExcelJS.Workbook()
    for (const [name, value] of [['Tháng 2', 1], ['Tháng 3', 2]] as const) {
      const ws = wb.addWorksheet(name)
      ws.addRow(['ma_chi_tieu', 'ky_bao_cao', 'ma_don_vi', 'gia_tri'])
      ws.addRow(['CPI', `2026-0${value + 1}`, '24', 103 + value])
    }
    const file = path.join(dir, 'sheets.xlsx')
    await wb.xlsx.writeFile(file)
    const picked = await load(file, { sheet: 'Tháng 3' })
    expect((await rawRows(picked.loadId)).map((r) => r.ky_bao_cao)).toEqual(['2026-03'])
    wb.addWorksheet('Ghi chú')
    const other = path.join(dir, 'sheets-2.xlsx')
    await wb.xlsx.writeFile(other)
    const missing = await load(other, { sheet: 'Tháng 4' })
    expect(missing.refusal).toMatchObject({ code: 'xlsx.no_header' })
    expect(missing.refusal!.vi).toContain('Tháng 2, Tháng 3, Ghi chú')
  })

  it('loads a legacy Excel 97-2003 .xls form with title rows exactly as its .xlsx twin', async () => {
    // A register export as an older agency system writes it: a title, a blank row, the header,
    // then rows with a date cell (formatted dd/mm/yyyy), numbers and a status label.
    const sheet = XLSX.utils.aoa_to_sheet([
      ['DANH SÁCH DOANH NGHIỆP ĐĂNG KÝ'],
      [],
      ['Mã số doanh nghiệp', 'Tên doanh nghiệp', 'Ngày thành lập', 'Mã xã', 'Ngành kinh tế (VSIC)', 'Vốn điều lệ (triệu đồng)', 'Tình trạng', 'Ngày cập nhật'],
      ['0100047516', 'Công ty A', new Date(Date.UTC(2020, 0, 15)), '07210', '2610', 2500.5, 'Đang hoạt động', '01/10/2026'],
      ['0100233488', 'Công ty B', new Date(Date.UTC(2021, 5, 30)), '07210', '4659', 100, 'tam_ngung', '01/10/2026'],
    ], { cellDates: true, dateNF: 'dd/mm/yyyy', UTC: true })
    const book = XLSX.utils.book_new()
    XLSX.utils.book_append_sheet(book, sheet, 'DN')
    const xls = path.join(dir, 'dn_cu.xls')
    const xlsx = path.join(dir, 'dn_moi.xlsx')
    fs.writeFileSync(xls, XLSX.write(book, { bookType: 'biff8', type: 'buffer' }) as Buffer)
    fs.writeFileSync(xlsx, XLSX.write(book, { bookType: 'xlsx', type: 'buffer' }) as Buffer)
    const old = await load(xls, { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    const twin = await load(xlsx, { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect([old.status, old.rejects]).toEqual(['committed', []])
    expect([twin.status, twin.refusal]).toEqual(['committed', null])
    const rows = (id: string) => rawRows(id, 'doanh_nghiep')
    expect(await rows(old.loadId)).toEqual(await rows(twin.loadId))
    expect((await rows(old.loadId)).map((r) => [r._row, r.ngay_thanh_lap, r.von_dieu_le])).toEqual([
      [4, '15/01/2020', '2500.5'],
      [5, '30/06/2021', '100'],
    ])
  })

  it('refuses a damaged .xls with the reason', async () => {
    const file = path.join(dir, 'hong.xls')
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]))
    const report = await load(file)
    expect(report.refusal).toMatchObject({ code: 'xls.unreadable' })
    expect(report.refusal!.vi).toContain('Excel 97-2003')
  })

  it('refuses a workbook that would expand past the limit, before decompressing it', async () => {
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('A').addRow(['ma_chi_tieu'])
    const bytes = Buffer.from(await wb.xlsx.writeBuffer()) as Buffer
    // Declare a 4 GB entry in the central directory, as a zip bomb would.
    const cd = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    bytes.writeUInt32LE(0xfffffff0, cd + 24)
    const file = path.join(dir, 'bomb.xlsx')
    fs.writeFileSync(file, bytes)
    const report = await load(file)
    expect(report.refusal).toMatchObject({ code: 'xlsx.too_large' })
  })
})

describe('XML deliveries', () => {
  it('reads records (attributes and child elements) at a path, with their line numbers', async () => {
    const file = path.join(dir, 'bc.xml')
    fs.writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<baocao ky="2026-03">\n  <dong ma_chi_tieu="CPI">\n    <ky_bao_cao>2026-03</ky_bao_cao>\n    <ma_don_vi>24</ma_don_vi>\n    <gia_tri>103,5</gia_tri>\n  </dong>\n  <dong ma_chi_tieu="IIP"><ky_bao_cao>2026-03</ky_bao_cao><ma_don_vi>24</ma_don_vi><gia_tri><![CDATA[108.2]]></gia_tri><ghi_chu>Ước tính &amp; sơ bộ</ghi_chu></dong>\n</baocao>\n`,
    )
    const report = await load(file)
    expect(report.rejects).toEqual([])
    const rows = await rawRows(report.loadId)
    expect(rows.map((r) => [r.ma_chi_tieu, r.gia_tri, r.ghi_chu, r._row])).toEqual([
      ['CPI', '103,5', '', 3],
      ['IIP', '108.2', 'Ước tính & sơ bộ', 8],
    ])
  })

  it('refuses a DTD at once: no external entity is read, no entity is expanded', async () => {
    const xxe = path.join(dir, 'xxe.xml')
    fs.writeFileSync(xxe, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><dong><ma_chi_tieu>&x;</ma_chi_tieu></dong></r>`)
    const lol = path.join(dir, 'lol.xml')
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')
    fs.writeFileSync(lol, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">${entities}]><r><dong><ma_chi_tieu>&l9;</ma_chi_tieu></dong></r>`)
    for (const file of [xxe, lol]) {
      const t = performance.now()
      const report = await load(file)
      expect(report.refusal).toMatchObject({ code: 'xml.dtd' })
      expect(performance.now() - t).toBeLessThan(5000)
    }
    const [leak] = await queryRows<{ n: number }>(wh.client, "SELECT count() AS n FROM raw.chi_tieu_kt_xh WHERE ma_chi_tieu LIKE '%root%' OR ma_chi_tieu LIKE '%lol%'")
    expect(Number(leak!.n)).toBe(0)
  })

  it('refuses XML nested too deep, and broken XML, saying where', async () => {
    const deep = path.join(dir, 'deep.xml')
    fs.writeFileSync(deep, '<a>'.repeat(100) + '</a>'.repeat(100))
    expect((await load(deep)).refusal).toMatchObject({ code: 'xml.depth' })
    const broken = path.join(dir, 'broken.xml')
    fs.writeFileSync(broken, '<r><dong><ma_chi_tieu>CPI</ma_chi_tieu></r>')
    expect((await load(broken)).refusal).toMatchObject({ code: 'xml.syntax' })
  })
})

describe('templates', () => {
  it.each(catalog.datasets.map((d) => d.id))('the %s template, filled in, loads as it is', async (id) => {
    const dataset = catalog.dataset(id)!
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await datasetTemplate(catalog, dataset)) as never)
    const data = wb.getWorksheet('Dữ liệu')!
    expect(data.getRow(3).values).toEqual([undefined, ...dataset.columns.map((c) => c.label)])
    // The agency copies the example row from the instructions into the data sheet.
    const guide = wb.getWorksheet('Hướng dẫn')!
    let exampleAt = 0
    guide.eachRow((row, n) => {
      if (String(row.getCell(1).value).startsWith('Dòng ví dụ')) exampleAt = n + 2
    })
    const example = (guide.getRow(exampleAt).values as ExcelJS.CellValue[]).slice(1)
    data.addRow(example)
    const file = path.join(dir, `mau-${id}.xlsx`)
    await wb.xlsx.writeFile(file)
    const agency = dataset.delivered_by === 'owner' ? dataset.owner : catalog.indicators[0]!.owner
    const report = await load(file, { dataset: id, agency })
    expect(report.rejects).toEqual([])
    expect(report).toMatchObject({ status: 'committed', rowsLoaded: 1 })
  })

  it('offers dropdowns for enumerations and commune codes', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await datasetTemplate(catalog, catalog.dataset('dan_cu')!)) as never)
    const data = wb.getWorksheet('Dữ liệu')! as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }
    const rules = Object.entries(data.dataValidations.model)
    expect(rules.find(([range]) => range.startsWith('D4'))?.[1]).toMatchObject({ type: 'list' })
    expect(rules.find(([range]) => range.startsWith('E4'))?.[1].formulae[0]).toContain('Danh mục')
    expect(rules.find(([range]) => range.startsWith('C4'))?.[1]).toMatchObject({ type: 'date' })
    const lists = wb.getWorksheet('Danh mục')!
    expect(lists.state).toBe('hidden')
    expect(lists.getColumn(5).values.filter(Boolean)).toHaveLength(100) // the header and 99 communes
    // Headed by the column's label; the communes' names on a visible sheet beside their codes.
    expect(lists.getCell(1, 5).value).toBe(catalog.dataset('dan_cu')!.columns[4]!.label)
    const units = wb.getWorksheet('Xã, phường')!
    expect(units.state).toBe('visible')
    expect([units.getCell(1, 1).value, units.getCell(1, 2).value]).toEqual(['Mã', 'Tên xã, phường'])
    expect(units.getCell(2, 1).value).toBe(lists.getCell(2, 5).value)
    expect(String(units.getCell(2, 2).value)).toMatch(/^(Xã|Phường) /)
    expect(String(wb.getWorksheet('Dữ liệu')!.getCell(1, 1).value)).not.toContain('dan_cu')
  })
})
