import ExcelJS from 'exceljs'
import type { Catalog, CatalogDataset } from '../infra/catalog/load-catalog.ts'
import type { Column } from '../infra/catalog/schema.ts'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { printA4Landscape, rowHeightFor } from '../infra/files/print-layout.ts'
import { catalogLabel } from '../infra/contracts/catalog-labels.ts'

const DATA_SHEET = 'Dữ liệu'
const LISTS_SHEET = 'Danh mục'
const UNITS_SHEET = 'Xã, phường'
/** Data validation covers this many rows below the header. */
const VALIDATED_ROWS = 100_000
const HEADER_ROW = 3

const TYPE_VI: Record<Column['type'], string> = {
  string: 'văn bản',
  integer: 'số nguyên',
  decimal: 'số (1.234,5 hoặc 1234.5)',
  date: 'ngày dd/mm/yyyy',
  datetime: 'ngày giờ dd/mm/yyyy hh:mm',
  boolean: 'có / không',
  period: 'kỳ: 2026-03, 2026-Q1 hoặc 2026',
}

const IDENTIFIER_VI: Record<NonNullable<Column['identifier']>, string> = {
  cccd: 'số CCCD 12 chữ số (để dạng văn bản để giữ số 0 đầu)',
  enterprise_code: 'mã số doanh nghiệp 10 chữ số, chi nhánh thêm -NNN',
  commune_code: 'mã xã 5 chữ số (danh mục từ 01/07/2025, tên ở trang "Xã, phường")',
  province_code: 'mã tỉnh 2 chữ số',
  admin_unit_code: 'mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số)',
}

/** exceljs supports range validations at run time; its type declarations omit them. */
function validations(ws: ExcelJS.Worksheet): { add(range: string, rule: ExcelJS.DataValidation): void } {
  return (ws as unknown as { dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void } }).dataValidations
}

function columnLetter(n: number): string {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

/** What a person picks for an enumerated column: each value's label where it has one (its code is accepted too). */
const enumChoices = (c: Column): string[] => (c.enum ?? []).map((v) => c.enum_labels.find((l) => l.value === v)?.label ?? v)

function exampleValue(c: Column, catalog: Catalog): ExcelJS.CellValue {
  if (c.example !== null) return c.example
  if (c.enum) return enumChoices(c)[0]!
  if (c.references === 'indicator') return catalog.indicators[0]!.code
  switch (c.identifier) {
    case 'cccd':
      return '027090001234'
    case 'enterprise_code':
      return '0100047516'
    case 'commune_code':
      return communesOf(catalog.province.code)[0]!.code
    case 'province_code':
    case 'admin_unit_code':
      return catalog.province.code
    case null:
      break
  }
  switch (c.type) {
    case 'integer':
      return 100
    case 'decimal':
      return 1234.5
    case 'date':
      return new Date(Date.UTC(2026, 0, 15))
    case 'datetime':
      return new Date(Date.UTC(2026, 0, 15, 8, 30))
    case 'boolean':
      return 'có'
    case 'period':
      return '2026-03'
    case 'string':
      return 'Ví dụ'
  }
}

/** The list a dropdown offers for a column, if any. */
function listFor(c: Column, catalog: Catalog): string[] | null {
  if (c.enum) return enumChoices(c)
  if (c.references === 'indicator') return [...catalog.indicators.map((i) => i.code), ...catalog.components.map((x) => x.code)]
  if (c.identifier === 'commune_code') return communesOf(catalog.province.code).map((x) => x.code)
  if (c.identifier === 'admin_unit_code') return [catalog.province.code, ...communesOf(catalog.province.code).map((x) => x.code)]
  if (c.type === 'boolean') return ['có', 'không']
  return null
}

/**
 * The workbook an agency fills in for a dataset: a data sheet with the template's headers, formats
 * that keep leading zeros, dropdowns and date checks; an instructions sheet in Vietnamese with an
 * example row; and the lists the dropdowns read. Filled in, it loads as it is.
 */
export async function datasetTemplate(catalog: Catalog, dataset: CatalogDataset): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'kho'
  const owner = catalog.agency(dataset.owner)
  const data = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: HEADER_ROW }] })
  const guide = wb.addWorksheet('Hướng dẫn')
  const lists = wb.addWorksheet(LISTS_SHEET, { state: 'hidden' })

  data.getCell(1, 1).value = `MẪU NỘP DỮ LIỆU: ${dataset.name.toUpperCase()}`
  data.getCell(1, 1).font = { bold: true, size: 13 }
  data.getCell(2, 1).value = `Cơ quan chủ quản: ${owner?.name ?? dataset.owner} · ${catalog.province.name} · nhập dữ liệu từ dòng ${HEADER_ROW + 1}; xem trang "Hướng dẫn"`
  data.getCell(2, 1).font = { italic: true, color: { argb: 'FF5B6B7C' } }

  const widths = dataset.columns.map((c) => Math.max(14, Math.min(40, c.label.length + 4)))
  // The title lines span the data's columns and wrap there: on paper nothing prints beyond them.
  const dataWidth = widths.reduce((x, y) => x + y, 0)
  for (const [row, size] of [[1, 13], [2, 11]] as const) {
    if (widths.length > 1) data.mergeCells(row, 1, row, widths.length)
    data.getCell(row, 1).alignment = { wrapText: true, vertical: 'top' }
    data.getRow(row).height = rowHeightFor([{ text: String(data.getCell(row, 1).value), width: dataWidth, size, bold: row === 1 }])
  }
  data.getRow(HEADER_ROW).height = rowHeightFor(dataset.columns.map((c, i) => ({ text: c.label, width: widths[i]!, bold: true })))
  dataset.columns.forEach((c, i) => {
    const col = i + 1
    const header = data.getCell(HEADER_ROW, col)
    header.value = c.label
    header.font = { bold: true, color: { argb: 'FFFFFFFF' } }
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: c.required ? 'FF8B0000' : 'FF44546A' } }
    header.alignment = { wrapText: true, vertical: 'middle' }
    header.note = `${c.required ? 'Bắt buộc. ' : ''}${c.identifier ? IDENTIFIER_VI[c.identifier] : TYPE_VI[c.type]}`
    const column = data.getColumn(col)
    column.width = widths[i]
    // Text format keeps leading zeros of codes; dates get a Vietnamese date format.
    column.numFmt = c.type === 'date' ? 'dd/mm/yyyy' : c.type === 'datetime' ? 'dd/mm/yyyy hh:mm' : c.type === 'string' || c.type === 'period' ? '@' : 'General'
    const range = `${columnLetter(col)}${HEADER_ROW + 1}:${columnLetter(col)}${HEADER_ROW + VALIDATED_ROWS}`
    const list = listFor(c, catalog)
    if (list) {
      const listCol = columnLetter(i + 1)
      lists.getCell(1, i + 1).value = c.label
      list.forEach((v, r) => (lists.getCell(r + 2, i + 1).value = v))
      validations(data).add(range, {
        type: 'list',
        allowBlank: !c.required,
        formulae: [`'${LISTS_SHEET}'!$${listCol}$2:$${listCol}$${list.length + 1}`],
        showErrorMessage: true,
        errorTitle: 'Giá trị không hợp lệ',
        error: `Chọn một giá trị trong danh sách của cột "${c.label}"`,
      })
    } else if (c.type === 'date') {
      validations(data).add(range, {
        type: 'date',
        operator: 'between',
        allowBlank: !c.required,
        formulae: [new Date(Date.UTC(1900, 0, 1)), new Date(Date.UTC(2299, 11, 31))],
        showErrorMessage: true,
        errorTitle: 'Ngày không hợp lệ',
        error: 'Nhập ngày theo dạng dd/mm/yyyy',
      })
    }
  })

  guide.columns = [{ width: 28 }, { width: 12 }, { width: 48 }, { width: 44 }, { width: 24 }]
  guide.addRow([`HƯỚNG DẪN NỘP DỮ LIỆU: ${dataset.name}`]).font = { bold: true, size: 13 }
  guide.addRow([dataset.description])
  guide.addRow([
    `Tần suất: ${catalogLabel('frequency', dataset.update_frequency).toLowerCase()}; hạn nộp: ${dataset.deadline.after === 'period_end' ? `${dataset.deadline.days} ngày sau khi kết thúc kỳ` : `${dataset.deadline.working_days} ngày làm việc sau khi có thay đổi`}; ` +
      `tệp bị từ chối cả tệp nếu quá ${(dataset.reject_threshold * 100).toLocaleString('vi-VN')}% số dòng sai quy định.`,
  ])
  guide.addRow([])
  guide.addRow(['Cột', 'Bắt buộc', 'Kiểu / định dạng', 'Giá trị cho phép', 'Ví dụ']).font = { bold: true }
  for (const c of dataset.columns) {
    const example = exampleValue(c, catalog)
    guide.addRow([
      c.label,
      c.required ? 'có' : '',
      c.identifier ? IDENTIFIER_VI[c.identifier] : TYPE_VI[c.type],
      c.enum ? enumChoices(c).join(', ') : c.min !== null || c.max !== null ? `${c.min ?? ''} … ${c.max ?? ''}` : '',
      example instanceof Date ? '15/01/2026' : String(example),
    ])
  }
  guide.addRow([])
  guide.addRow(['Dòng ví dụ (không nhập ở trang này):']).font = { italic: true }
  guide.addRow(dataset.columns.map((c) => c.label)).font = { bold: true }
  guide.addRow(dataset.columns.map((c) => exampleValue(c, catalog)))
  guide.addRow([])
  guide.addRow(['Lưu ý: giữ nguyên dòng tiêu đề; để các cột mã ở dạng Văn bản (Text) để không mất số 0 ở đầu.'])

  // Long texts wrap inside their column on screen and on paper; a title or a paragraph spans the page.
  const guideWidths = guide.columns.map((c) => c.width ?? 10)
  const pageWidth = guideWidths.reduce((a, b) => a + b, 0)
  guide.eachRow((row) => {
    const cells: { text: string; width: number }[] = []
    row.eachCell((cell, col) => {
      const text = cell.value instanceof Date ? '15/01/2026' : String(cell.value ?? '')
      const alone = row.cellCount === 1
      if (alone) {
        guide.mergeCells(row.number, 1, row.number, guideWidths.length)
        cells.push({ text, width: pageWidth })
      } else cells.push({ text, width: guideWidths[col - 1] ?? 10 })
      cell.alignment = { wrapText: true, vertical: 'top' }
    })
    row.height = rowHeightFor(cells.map((c) => ({ ...c, bold: row.font?.bold === true })))
  })
  // The dropdowns hold bare codes (what a file carries); the communes' names are on a sheet of their own.
  if (dataset.columns.some((c) => c.identifier === 'commune_code' || c.identifier === 'admin_unit_code')) {
    const units = wb.addWorksheet(UNITS_SHEET)
    units.columns = [
      { header: 'Mã', key: 'code', width: 10 },
      { header: 'Tên xã, phường', key: 'name', width: 40 },
    ]
    units.getRow(1).font = { bold: true }
    for (const u of communesOf(catalog.province.code)) units.addRow({ code: u.code, name: u.name })
    units.getColumn(1).numFmt = '@'
    printA4Landscape(units, { headerRows: [1, 1], footerLeft: UNITS_SHEET })
  }
  printA4Landscape(data, { headerRows: [HEADER_ROW, HEADER_ROW], footerLeft: dataset.name })
  printA4Landscape(guide, { headerRows: [5, 5], footerLeft: dataset.name })

  return Buffer.from(await wb.xlsx.writeBuffer())
}
