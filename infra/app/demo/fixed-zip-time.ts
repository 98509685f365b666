/**
 * Sets every entry's modification time in a zip (an .xlsx) to 1 January 2026, so the same demo
 * workbook is the same bytes whenever it is written: deliveries are recognised by their hash.
 */
const DOS_TIME = 0 // 00:00:00
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1
const UNIX_TIME = Date.UTC(2026, 0, 1) / 1000

function fixExtendedTimestamp(buf: Buffer, start: number, length: number) {
  let p = start
  while (p + 4 <= start + length) {
    const id = buf.readUInt16LE(p)
    const size = buf.readUInt16LE(p + 2)
    if (id === 0x5455) for (let t = p + 5; t + 4 <= p + 4 + size; t += 4) buf.writeUInt32LE(UNIX_TIME, t)
    p += 4 + size
  }
}

export function withFixedZipTimes(zip: Buffer): Buffer {
  const buf = Buffer.from(zip)
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) return buf
  const entries = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  for (let i = 0; i < entries && buf.readUInt32LE(p) === 0x02014b50; i++) {
    buf.writeUInt16LE(DOS_TIME, p + 12)
    buf.writeUInt16LE(DOS_DATE, p + 14)
    const nameLength = buf.readUInt16LE(p + 28)
    const extraLength = buf.readUInt16LE(p + 30)
    fixExtendedTimestamp(buf, p + 46 + nameLength, extraLength)
    const local = buf.readUInt32LE(p + 42)
    if (buf.readUInt32LE(local) === 0x04034b50) {
      buf.writeUInt16LE(DOS_TIME, local + 10)
      buf.writeUInt16LE(DOS_DATE, local + 12)
      fixExtendedTimestamp(buf, local + 30 + buf.readUInt16LE(local + 26), buf.readUInt16LE(local + 28))
    }
    p += 46 + nameLength + extraLength + buf.readUInt16LE(p + 32)
  }
  return buf
}
