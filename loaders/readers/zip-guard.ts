import fs from 'node:fs'
import zlib from 'node:zlib'
import { LoadRefusal } from '../load-refusal.ts'

/** The longest run of text between two XML tags kho reads from a workbook part (Excel's own cell limit is 32,767 characters). */
export const MAX_XML_TEXT_RUN = 1024 * 1024

interface ZipEntry {
  name: string
  method: number
  compressed: number
  declared: number
  localHeader: number
}

const damaged = (source: string, what: string, whatEn: string) => new LoadRefusal('xlsx.not_zip', `Tệp ${source} bị hỏng (${what})`, `${source} is damaged (${whatEn})`)
const mb = (n: number) => Math.round(n / 1024 / 1024).toLocaleString('vi-VN')

/** The entries the zip's central directory declares, with zip64 sizes and offsets. */
function centralDirectory(fd: number, size: number, source: string): ZipEntry[] {
  const tailLength = Math.min(size, 65_557)
  const tail = Buffer.alloc(tailLength)
  fs.readSync(fd, tail, 0, tailLength, size - tailLength)
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) throw damaged(source, 'không đọc được cấu trúc zip', 'no zip directory')
  const count = tail.readUInt16LE(eocd + 10)
  const dirSize = tail.readUInt32LE(eocd + 12)
  const dirOffset = tail.readUInt32LE(eocd + 16)
  if (dirOffset + dirSize > size || dirSize > 64 * 1024 * 1024) throw damaged(source, 'thư mục zip sai', 'bad zip directory')
  const dir = Buffer.alloc(dirSize)
  fs.readSync(fd, dir, 0, dirSize, dirOffset)
  const entries: ZipEntry[] = []
  let p = 0
  for (let i = 0; i < count && p + 46 <= dir.length; i++) {
    if (dir.readUInt32LE(p) !== 0x02014b50) break
    const nameLength = dir.readUInt16LE(p + 28)
    const extraLength = dir.readUInt16LE(p + 30)
    const commentLength = dir.readUInt16LE(p + 32)
    const entry: ZipEntry = {
      name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      method: dir.readUInt16LE(p + 10),
      compressed: dir.readUInt32LE(p + 20),
      declared: dir.readUInt32LE(p + 24),
      localHeader: dir.readUInt32LE(p + 42),
    }
    // zip64: sizes and offset marked 0xffffffff are in the 0x0001 extra block, in this order.
    let e = p + 46 + nameLength
    const end = e + extraLength
    while (e + 4 <= end) {
      const id = dir.readUInt16LE(e)
      const len = dir.readUInt16LE(e + 2)
      if (id === 0x0001) {
        let q = e + 4
        for (const field of ['declared', 'compressed', 'localHeader'] as const) {
          if (entry[field] === 0xffffffff && q + 8 <= e + 4 + len) {
            entry[field] = Number(dir.readBigUInt64LE(q))
            q += 8
          }
        }
      }
      e += 4 + len
    }
    entries.push(entry)
    p += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/**
 * Refuses a zip (an .xlsx) that would expand past `maxBytes`. First by the sizes its directory
 * declares, before anything is decompressed; then by inflating each entry and counting the real
 * bytes as they stream, whatever the archive declares — an entry that expands past its declared
 * size is stopped there (a lying directory is a bomb), and an XML part with a run of text longer
 * than MAX_XML_TEXT_RUN (a cell, or whitespace, no spreadsheet holds) is refused before the sheet
 * parser tries to hold it in memory. Inflating costs a few percent of parsing the same XML.
 */
export async function checkZipSize(file: string, source: string, maxBytes: number, maxSharedStringsBytes = Infinity): Promise<void> {
  const size = fs.statSync(file).size
  const fd = fs.openSync(file, 'r')
  let entries: ZipEntry[]
  try {
    entries = centralDirectory(fd, size, source)
    const declared = entries.reduce((n, e) => n + e.declared, 0)
    if (declared > maxBytes) {
      throw new LoadRefusal(
        'xlsx.too_large',
        `Tệp ${source} khi giải nén lên tới ${mb(declared)} MB, vượt giới hạn ${mb(maxBytes)} MB; không nạp (có thể là tệp độc hại)`,
        `${source} expands to ${mb(declared)} MB, over the ${mb(maxBytes)} MB limit; not loaded (it may be a zip bomb)`,
      )
    }
    // The workbook's table of texts is held whole while its rows stream (every cell refers to it by
    // number): its size bounds the reader's memory, ≈ 7× its XML (5.2 M rows with 350 MB of texts
    // took 2.5 GB). Excel's own sheets (at most 1,048,576 rows) stay well under the limit.
    const texts = entries.find((e) => /(^|\/)sharedStrings\.xml$/i.test(e.name))
    if (texts && texts.declared > maxSharedStringsBytes) {
      throw new LoadRefusal(
        'xlsx.texts_too_large',
        `Tệp ${source}: bảng chữ của sổ tính lên tới ${mb(texts.declared)} MB, vượt giới hạn ${mb(maxSharedStringsBytes)} MB; hãy lưu trang tính thành CSV (UTF-8) rồi gửi tệp CSV`,
        `${source}: the workbook's table of texts expands to ${mb(texts.declared)} MB, over the ${mb(maxSharedStringsBytes)} MB limit; save the sheet as CSV (UTF-8) and deliver that`,
      )
    }
    for (const e of entries) {
      const local = Buffer.alloc(30)
      fs.readSync(fd, local, 0, 30, e.localHeader)
      if (local.readUInt32LE(0) !== 0x04034b50) throw damaged(source, `mục ${e.name}`, `entry ${e.name}`)
      e.localHeader += 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
    }
  } finally {
    fs.closeSync(fd)
  }
  for (const e of entries) await countEntry(file, source, e)
}

async function countEntry(file: string, source: string, e: ZipEntry): Promise<void> {
  if (e.compressed === 0) return
  const input = fs.createReadStream(file, { start: e.localHeader, end: e.localHeader + e.compressed - 1 })
  if (e.method === 0) return void input.destroy()
  if (e.method !== 8) throw damaged(source, `mục ${e.name} nén kiểu ${e.method}`, `entry ${e.name} uses compression ${e.method}`)
  const xml = e.name.endsWith('.xml')
  const inflate = zlib.createInflateRaw()
  let produced = 0
  let run = 0
  await new Promise<void>((resolve, reject) => {
    const stop = (err: Error) => {
      input.destroy()
      inflate.destroy()
      reject(err)
    }
    inflate.on('data', (chunk: Buffer) => {
      produced += chunk.length
      if (produced > e.declared) {
        return stop(
          new LoadRefusal(
            'xlsx.size_mismatch',
            `Tệp ${source}: phần ${e.name} giải nén ra nhiều hơn kích thước khai báo (${e.declared.toLocaleString('vi-VN')} byte); không nạp (có thể là tệp độc hại)`,
            `${source}: part ${e.name} expands past its declared ${e.declared.toLocaleString('en')} bytes; not loaded (it may be a zip bomb)`,
          ),
        )
      }
      if (!xml) return
      // The longest stretch without a tag: text no cell of a sheet can hold.
      let from = 0
      for (;;) {
        const lt = chunk.indexOf(0x3c, from)
        run += (lt < 0 ? chunk.length : lt) - from
        if (run > MAX_XML_TEXT_RUN) {
          return stop(
            new LoadRefusal(
              'xlsx.cell_too_large',
              `Tệp ${source}: phần ${e.name} có một ô hoặc khoảng trắng dài hơn ${mb(MAX_XML_TEXT_RUN)} MB, không bảng tính nào có; không nạp`,
              `${source}: part ${e.name} holds a cell or whitespace longer than ${mb(MAX_XML_TEXT_RUN)} MB, which no spreadsheet has; not loaded`,
            ),
          )
        }
        if (lt < 0) break
        run = 0
        from = lt + 1
      }
    })
    inflate.on('end', resolve)
    inflate.on('error', (err) => stop(damaged(source, `mục ${e.name}: ${err.message}`, `entry ${e.name}: ${err.message}`)))
    input.on('error', stop)
    input.pipe(inflate)
  })
}
