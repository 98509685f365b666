import { BufferReader } from 'pg-protocol/dist/buffer-reader'
import { Writer } from 'pg-protocol/dist/buffer-writer'

/**
 * The Postgres messages kho's SQL API writes and reads after start-up, framed with pg-protocol's
 * writer and reader (the `pg` driver's own, maintained with it); pg-gateway, which frames the
 * connection and negotiates TLS, leaves the query protocol to its user.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** The type OIDs kho's answers use. */
export const OID = { bool: 16, int8: 20, int4: 23, text: 25, float8: 701, numeric: 1700, timestamp: 1114, date: 1082 } as const

export interface WireColumn {
  name: string
  oid: number
}

const writer = () => new Writer()

/** The format a client asked for column `i`: one code for all, or one per column; text (0) when none. */
export const formatAt = (formats: readonly number[], i: number) => (formats.length === 1 ? formats[0]! : (formats[i] ?? 0))

export function rowDescription(columns: WireColumn[], formats: readonly number[] = []): Buffer {
  const w = writer().addInt16(columns.length)
  columns.forEach((c, i) => {
    // table oid 0, column 0, type, size -1 (variable), modifier -1, format
    w.addCString(c.name).addInt32(0).addInt16(0).addInt32(c.oid).addInt16(-1).addInt32(-1).addInt16(formatAt(formats, i))
  })
  return w.flush(0x54)
}

/** A row of text values; a column asked for in binary (pgjdbc asks so for a statement it has named) encoded by its type. */
export function dataRow(values: (string | null)[], oids: readonly number[] = [], formats: readonly number[] = []): Buffer {
  const w = writer().addInt16(values.length)
  values.forEach((v, i) => {
    if (v === null) w.addInt32(-1)
    else {
      const b = formatAt(formats, i) === 1 ? binaryValue(v, oids[i] ?? 25) : Buffer.from(v, 'utf8')
      w.addInt32(b.length).add(b)
    }
  })
  return w.flush(0x44)
}

/** A text value in Postgres's binary form for the types kho answers with. */
export function binaryValue(v: string, oid: number): Buffer {
  switch (oid) {
    case 16:
      return Buffer.from([v === 't' || v === 'true' ? 1 : 0])
    case 20: {
      const b = Buffer.alloc(8)
      b.writeBigInt64BE(BigInt(v.split('.')[0]!))
      return b
    }
    case 701: {
      const b = Buffer.alloc(8)
      b.writeDoubleBE(Number(v))
      return b
    }
    case 1114: {
      const ms = Date.parse(`${v.replace(' ', 'T')}Z`) - EPOCH_2000_MS
      const b = Buffer.alloc(8)
      b.writeBigInt64BE(BigInt(Math.round(ms)) * 1000n)
      return b
    }
    case 1700: {
      // ndigits, weight, sign, dscale, then base-10000 digits, from the decimal text.
      const negative = v.startsWith('-')
      const [intPart = '0', fracPart = ''] = v.replace(/^[-+]/, '').split('.')
      const intDigits = intPart.replace(/^0+/, '')
      const padInt = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0')
      const padFrac = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0')
      let groups = [...(padInt.match(/.{4}/g) ?? []), ...(padFrac.match(/.{4}/g) ?? [])].map(Number)
      let weight = padInt.length / 4 - 1
      while (groups.length > 0 && groups[0] === 0) {
        groups = groups.slice(1)
        weight--
      }
      while (groups.length > 0 && groups.at(-1) === 0) groups = groups.slice(0, -1)
      const b = Buffer.alloc(8 + 2 * groups.length)
      b.writeInt16BE(groups.length, 0)
      b.writeInt16BE(groups.length === 0 ? 0 : weight, 2)
      b.writeUInt16BE(negative && groups.length > 0 ? 0x4000 : 0, 4)
      b.writeInt16BE(fracPart.length, 6)
      groups.forEach((g, i) => b.writeInt16BE(g, 8 + 2 * i))
      return b
    }
    default:
      return Buffer.from(v, 'utf8')
  }
}

/** A Bind for the catalog: text parameters, the result formats the client asked for. */
export function bindMessage(params: (string | null)[], resultFormats: readonly number[]): Buffer {
  const w = writer().addCString('').addCString('').addInt16(0).addInt16(params.length)
  for (const p of params) {
    if (p === null) w.addInt32(-1)
    else {
      const b = Buffer.from(p, 'utf8')
      w.addInt32(b.length).add(b)
    }
  }
  w.addInt16(resultFormats.length)
  for (const f of resultFormats) w.addInt16(f)
  return w.flush(0x42)
}

export const commandComplete = (tag: string) => writer().addCString(tag).flush(0x43)
export const parseComplete = () => writer().flush(0x31)
export const bindComplete = () => writer().flush(0x32)
export const closeComplete = () => writer().flush(0x33)
export const noData = () => writer().flush(0x6e)
export const emptyQuery = () => writer().flush(0x49)
export const readyForQuery = (status: 'I' | 'T' | 'E') => writer().addString(status).flush(0x5a)
export const authenticationOk = () => writer().addInt32(0).flush(0x52)
export const parameterStatus = (name: string, value: string) => writer().addCString(name).addCString(value).flush(0x53)
export const backendKeyData = (pid: number, secret: number) => writer().addInt32(pid).addInt32(secret).flush(0x4b)

export function parameterDescription(oids: number[]): Buffer {
  const w = writer().addInt16(oids.length)
  for (const o of oids) w.addInt32(o)
  return w.flush(0x74)
}

/** An ErrorResponse ('E') or NoticeResponse ('N'): severity, SQLSTATE, message, and a hint in the other language. */
export function errorResponse(e: { severity?: 'ERROR' | 'FATAL' | 'NOTICE'; code: string; message: string; detail?: string; hint?: string }, kind: 'E' | 'N' = 'E'): Buffer {
  const severity = e.severity ?? 'ERROR'
  const w = writer().addString('S').addCString(severity).addString('V').addCString(severity).addString('C').addCString(e.code).addString('M').addCString(e.message)
  if (e.detail) w.addString('D').addCString(e.detail)
  if (e.hint) w.addString('H').addCString(e.hint)
  w.addCString('')
  return w.flush(kind === 'E' ? 0x45 : 0x4e)
}

/** A frontend message: its type byte and a reader over its body. */
export function readMessage(data: Uint8Array): { type: string; r: BufferReader } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const r = new BufferReader()
  r.setBuffer(5, buf)
  return { type: String.fromCharCode(buf[0]!), r }
}

export function readParse(r: BufferReader): { name: string; sql: string; types: number[] } {
  const name = r.cstring()
  const sql = r.cstring()
  const n = r.int16()
  const types = Array.from({ length: n }, () => r.int32())
  return { name, sql, types }
}

export function readBind(r: BufferReader): { portal: string; statement: string; params: (Buffer | null)[]; paramFormats: number[]; resultFormats: number[] } {
  const portal = r.cstring()
  const statement = r.cstring()
  const paramFormats = Array.from({ length: r.int16() }, () => r.int16())
  const params = Array.from({ length: r.int16() }, () => {
    const len = r.int32()
    return len < 0 ? null : r.bytes(len)
  })
  const resultFormats = Array.from({ length: r.int16() }, () => r.int16())
  return { portal, statement, params, paramFormats, resultFormats }
}

export const readDescribe = (r: BufferReader) => ({ kind: String.fromCharCode(r.byte()) as 'S' | 'P', name: r.cstring() })
export const readExecute = (r: BufferReader) => ({ portal: r.cstring(), maxRows: r.int32() })
export const readClose = readDescribe

const EPOCH_2000_MS = Date.UTC(2000, 0, 1)

/**
 * A parameter sent in binary (psycopg 3 sends numbers so) as the text Postgres would read, by the
 * type the statement declared for it. Unknown types are refused rather than guessed.
 */
export function binaryParam(b: Buffer, oid: number): string {
  switch (oid) {
    case 16:
      return b[0] ? 'true' : 'false'
    case 21:
      return String(b.readInt16BE(0))
    case 23:
      return String(b.readInt32BE(0))
    case 20:
      return String(b.readBigInt64BE(0))
    case 700:
      return String(b.readFloatBE(0))
    case 701:
      return String(b.readDoubleBE(0))
    case 0:
    case 25:
    case 1043:
    case 19:
      return b.toString('utf8')
    case 1082:
      return new Date(EPOCH_2000_MS + b.readInt32BE(0) * 86_400_000).toISOString().slice(0, 10)
    case 1114:
    case 1184:
      return new Date(EPOCH_2000_MS + Number(b.readBigInt64BE(0) / 1000n)).toISOString().replace('T', ' ').replace('Z', '')
    case 1700: {
      // ndigits, weight, sign, dscale, then base-10000 digits.
      const n = b.readInt16BE(0)
      const weight = b.readInt16BE(2)
      const sign = b.readUInt16BE(4)
      const dscale = b.readInt16BE(6)
      if (sign === 0xc000) return 'NaN'
      let int = ''
      let frac = ''
      for (let i = 0; i < n; i++) {
        const d = String(b.readInt16BE(8 + 2 * i)).padStart(4, '0')
        if (i <= weight) int += d
        else frac += d
      }
      for (let i = n; i <= weight; i++) int += '0000'
      if (weight < -1) frac = '0000'.repeat(-weight - 1) + frac
      const whole = int.replace(/^0+(?=\d)/, '') || '0'
      const decimals = frac.padEnd(dscale, '0').slice(0, dscale)
      return `${sign === 0x4000 ? '-' : ''}${whole}${dscale > 0 ? `.${decimals}` : ''}`
    }
    default:
      throw new RangeError(`binary parameter of type ${oid}`)
  }
}
