import fs from 'node:fs'
import { LoadRefusal } from '../load-refusal.ts'

/**
 * Refuses a zip (an .xlsx) whose entries would expand beyond `maxBytes`, before anything is
 * decompressed: reads the sizes the central directory declares, including zip64 ones.
 */
export function checkZipSize(file: string, source: string, maxBytes: number): void {
  const size = fs.statSync(file).size
  const tailLength = Math.min(size, 65_557)
  const tail = Buffer.alloc(tailLength)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, tail, 0, tailLength, size - tailLength)
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (eocd < 0) throw new LoadRefusal('xlsx.not_zip', `Tệp ${source} bị hỏng (không đọc được cấu trúc zip)`, `${source} is damaged (no zip directory)`)
    const entries = tail.readUInt16LE(eocd + 10)
    const dirSize = tail.readUInt32LE(eocd + 12)
    const dirOffset = tail.readUInt32LE(eocd + 16)
    if (dirOffset + dirSize > size || dirSize > 64 * 1024 * 1024) {
      throw new LoadRefusal('xlsx.not_zip', `Tệp ${source} bị hỏng (thư mục zip sai)`, `${source} is damaged (bad zip directory)`)
    }
    const dir = Buffer.alloc(dirSize)
    fs.readSync(fd, dir, 0, dirSize, dirOffset)
    let total = 0
    let p = 0
    for (let i = 0; i < entries && p + 46 <= dir.length; i++) {
      if (dir.readUInt32LE(p) !== 0x02014b50) break
      let uncompressed = dir.readUInt32LE(p + 24)
      const nameLength = dir.readUInt16LE(p + 28)
      const extraLength = dir.readUInt16LE(p + 30)
      const commentLength = dir.readUInt16LE(p + 32)
      if (uncompressed === 0xffffffff) {
        // zip64: the real size is the first field of the 0x0001 extra block.
        let e = p + 46 + nameLength
        const end = e + extraLength
        while (e + 4 <= end) {
          const id = dir.readUInt16LE(e)
          const len = dir.readUInt16LE(e + 2)
          if (id === 0x0001 && len >= 8) uncompressed = Number(dir.readBigUInt64LE(e + 4))
          e += 4 + len
        }
      }
      total += uncompressed
      p += 46 + nameLength + extraLength + commentLength
    }
    if (total > maxBytes) {
      const mb = (n: number) => Math.round(n / 1024 / 1024).toLocaleString('vi-VN')
      throw new LoadRefusal(
        'xlsx.too_large',
        `Tệp ${source} khi giải nén lên tới ${mb(total)} MB, vượt giới hạn ${mb(maxBytes)} MB; không nạp (có thể là tệp độc hại)`,
        `${source} expands to ${mb(total)} MB, over the ${mb(maxBytes)} MB limit; not loaded (it may be a zip bomb)`,
      )
    }
  } finally {
    fs.closeSync(fd)
  }
}
