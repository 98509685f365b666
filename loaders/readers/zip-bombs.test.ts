import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { headerMatcher } from '../header-map.ts'
import { MAX_SHARED_STRINGS_BYTES, MAX_UNCOMPRESSED_BYTES } from '../file-records.ts'
import { readXlsx } from './xlsx.ts'

/*
 * Workbooks built to hurt the reader: a sheet whose directory entry claims 1,000 bytes but really
 * inflates to 600 MB, and an honest sheet of 600 MB of whitespace after the header. Both are
 * refused by the guard that counts what it inflates, before the sheet parser tries to hold them.
 */
const dir = tempDir('kho-bombs-')
const matcher = headerMatcher(loadCatalog().dataset('chi_tieu_kt_xh')!.columns)

interface Part {
  name: string
  data: Buffer
  method: 0 | 8
  crc: number
  size: number
}

/** One deflated part made of many chunks, compressed as they come (never all in memory). */
async function deflated(name: string, chunks: Iterable<Buffer>): Promise<Part> {
  const deflate = zlib.createDeflateRaw({ level: 1 })
  const out: Buffer[] = []
  deflate.on('data', (b: Buffer) => out.push(b))
  const done = new Promise((r) => deflate.on('end', r))
  let crc = 0
  let size = 0
  for (const c of chunks) {
    crc = zlib.crc32(c, crc)
    size += c.length
    if (!deflate.write(c)) await new Promise((r) => deflate.once('drain', r))
  }
  deflate.end()
  await done
  return { name, data: Buffer.concat(out), method: 8, crc, size }
}

/** A zip of the parts; `declare` overrides the uncompressed size its directory states for a part. */
function zipOf(parts: Part[], declare: Record<string, number> = {}): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const p of parts) {
    const name = Buffer.from(p.name)
    const size = declare[p.name] ?? p.size
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(p.method, 8)
    local.writeUInt32LE(p.crc >>> 0, 14)
    local.writeUInt32LE(p.data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(p.method, 10)
    entry.writeUInt32LE(p.crc >>> 0, 16)
    entry.writeUInt32LE(p.data.length, 20)
    entry.writeUInt32LE(size, 24)
    entry.writeUInt16LE(name.length, 28)
    entry.writeUInt32LE(offset, 42)
    locals.push(local, name, p.data)
    central.push(entry, name)
    offset += 30 + name.length + p.data.length
  }
  const dirBytes = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(dirBytes.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dirBytes, end])
}

/** A real workbook's parts, with its first sheet replaced by `sheet`. */
async function workbookWith(sheet: (parts: Part[]) => Promise<Part>): Promise<Part[]> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('Báo cáo').addRow(['ma_chi_tieu', 'ky_bao_cao', 'ma_don_vi', 'gia_tri'])
  const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()))
  const parts: Part[] = []
  for (const [name, f] of Object.entries(zip.files)) {
    if (f.dir || name === 'xl/worksheets/sheet1.xml') continue
    parts.push(await deflated(name, [await f.async('nodebuffer')]))
  }
  parts.push(await sheet(parts))
  return parts
}

const SHEET_HEAD = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    '<row r="1"><c r="A1" t="inlineStr"><is><t>ma_chi_tieu</t></is></c><c r="B1" t="inlineStr"><is><t>ky_bao_cao</t></is></c><c r="C1" t="inlineStr"><is><t>ma_don_vi</t></is></c><c r="D1" t="inlineStr"><is><t>gia_tri</t></is></c></row>',
)
const SHEET_TAIL = Buffer.from('</sheetData></worksheet>')
const MB = 1024 * 1024

/** The sheet's header, then `mb` MB made by `filler`, then its end. */
function* sheetWith(mb: number, filler: Buffer): Generator<Buffer> {
  yield SHEET_HEAD
  for (let i = 0; i < mb; i++) yield filler
  yield SHEET_TAIL
}

async function refusal(file: string): Promise<{ code: string; ms: number; rssGrowthMb: number }> {
  const rss = process.memoryUsage().rss
  const started = Date.now()
  try {
    for await (const _ of readXlsx(file, path.basename(file), matcher, { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES })) void _
    return { code: 'none', ms: Date.now() - started, rssGrowthMb: 0 }
  } catch (err) {
    return { code: (err as { code: string }).code, ms: Date.now() - started, rssGrowthMb: (process.memoryUsage().rss - rss) / MB }
  }
}

describe('workbooks built to hurt the reader', () => {
  it('stops a sheet that inflates past the size its directory declares, counting real bytes, at bounded memory', async () => {
    // Rows of real cells: 600 MB of sheet whose directory entry says 1,000 bytes.
    const row = Buffer.from('<row><c t="inlineStr"><is><t>CPI</t></is></c><c t="inlineStr"><is><t>2026-03</t></is></c></row>'.repeat(Math.floor(MB / 96)).padEnd(MB, ' '))
    const parts = await workbookWith(() => deflated('xl/worksheets/sheet1.xml', sheetWith(600, row)))
    const file = path.join(dir, 'lying.xlsx')
    fs.writeFileSync(file, zipOf(parts, { 'xl/worksheets/sheet1.xml': 1000 }))
    const r = await refusal(file)
    console.info(`lying directory (${(fs.statSync(file).size / MB).toFixed(1)} MB file): refused in ${r.ms} ms, RSS +${r.rssGrowthMb.toFixed(0)} MB`)
    expect(r.code).toBe('xlsx.size_mismatch')
    expect(r.rssGrowthMb).toBeLessThan(100)
  })

  it('refuses an honest sheet with hundreds of MB of whitespace after its header, before the parser holds it', async () => {
    const parts = await workbookWith(() => deflated('xl/worksheets/sheet1.xml', sheetWith(600, Buffer.alloc(MB, ' '))))
    const file = path.join(dir, 'whitespace.xlsx')
    fs.writeFileSync(file, zipOf(parts))
    const r = await refusal(file)
    console.info(`whitespace sheet (${(fs.statSync(file).size / MB).toFixed(1)} MB file): refused in ${r.ms} ms, RSS +${r.rssGrowthMb.toFixed(0)} MB`)
    expect(r.code).toBe('xlsx.cell_too_large')
    expect(r.rssGrowthMb).toBeLessThan(100)
  })

  it("refuses a workbook whose table of texts is over the limit, before reading a row, and says to send CSV", async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Dân cư')
    ws.addRow(['Mã chỉ tiêu', 'Kỳ báo cáo', 'Mã đơn vị', 'Giá trị'])
    for (let i = 0; i < 2000; i++) ws.addRow([`CHI_TIEU_${i}`, '2026-01', `07${String(i).padStart(3, '0')}`, i])
    const file = path.join(dir, 'many-texts.xlsx')
    await wb.xlsx.writeFile(file)
    const read = (limit: number) => readXlsx(file, 'many-texts.xlsx', matcher, { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES, maxSharedStringsBytes: limit }).next()
    await expect(read(16 * 1024)).rejects.toMatchObject({ code: 'xlsx.texts_too_large', en: expect.stringContaining('save the sheet as CSV') })
    expect((await read(MAX_SHARED_STRINGS_BYTES)).done).toBe(false)
  })

  it('still reads the same workbook built honestly', async () => {
    const parts = await workbookWith(() => deflated('xl/worksheets/sheet1.xml', sheetWith(1, Buffer.from('<row r="2"><c r="A2" t="inlineStr"><is><t>CPI</t></is></c></row>'))))
    const file = path.join(dir, 'honest.xlsx')
    fs.writeFileSync(file, zipOf(parts))
    const records = []
    for await (const r of readXlsx(file, 'honest.xlsx', matcher, { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES })) records.push(r)
    expect(records.map((r) => r.cells[0])).toEqual(['ma_chi_tieu', 'CPI'])
  })
})
