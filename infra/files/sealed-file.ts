import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Keyring } from '../keys/keyring.ts'

/**
 * A file kept encrypted at rest (AES-256-GCM), readable as it streams and refused whole when a byte
 * was changed, a record dropped or the end cut off.
 *
 *   header  "KHOSEAL1" · key number (u32) · nonce prefix (8 random bytes)
 *   record  final flag (u8) · plaintext length (u32) · ciphertext · tag (16)   — repeated
 *
 * Each record is sealed under the nonce prefix + its index, with the header, its index and its
 * flag as associated data, so records cannot be reordered, moved between files or dropped, and the
 * last one (flagged, possibly empty) proves the file whole. Written here rather than with a library:
 * Node's crypto does the cipher, and the framing is these two lines; what a reader must check is
 * exactly what they say.
 */
const MAGIC = Buffer.from('KHOSEAL1')
const HEADER = MAGIC.length + 4 + 8
const RECORD_HEAD = 5
const TAG = 16
/** No record is larger: a damaged length cannot make a reader take more memory than this. */
const MAX_RECORD = 64 * 1024 * 1024

export class SealedFileError extends Error {}

/** A folder of files kept sealed, with the keyring that seals and opens them. */
export interface KeptFiles {
  dir: string
  keys: Keyring
}

/** A folder under a home (`archive` by default) with the home's own keyring (tests, benchmarks, the CLI). */
export const keptUnder = (home: string, folder = 'archive'): KeptFiles => ({ dir: path.join(home, folder), keys: Keyring.open(path.join(home, 'keys')) })

const nonce = (prefix: Buffer, index: number) => {
  const n = Buffer.alloc(12)
  prefix.copy(n, 0)
  n.writeUInt32BE(index, 8)
  return n
}
const aad = (header: Buffer, index: number, final: boolean) => {
  const b = Buffer.alloc(HEADER + 5)
  header.copy(b, 0)
  b.writeUInt32BE(index, HEADER)
  b[HEADER + 4] = final ? 1 : 0
  return b
}

/** Whether a file starts as a sealed file does (a file kept before encryption does not). */
export const isSealed = (file: string): boolean => sealedWith(file) !== null

/**
 * Writes a sealed file record by record. The file is created new (never over another) and readable
 * by kho's user only; `end` writes the final record, `abort` removes what was written.
 */
export class SealWriter {
  private index = 0
  private pos = HEADER
  private writing: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly file: string,
    private readonly fd: fs.promises.FileHandle,
    private readonly header: Buffer,
    private readonly key: Buffer,
    private readonly prefix: Buffer,
  ) {}

  static async create(file: string, keys: Keyring): Promise<SealWriter> {
    const { id, key } = keys.current()
    const prefix = randomBytes(8)
    const header = Buffer.alloc(HEADER)
    MAGIC.copy(header, 0)
    header.writeUInt32BE(id, MAGIC.length)
    prefix.copy(header, MAGIC.length + 4)
    const fd = await fs.promises.open(file, 'wx', 0o600)
    const w = new SealWriter(file, fd, header, key, prefix)
    w.queue(header, 0)
    return w
  }

  private queue(bytes: Buffer, at: number) {
    // Positional writes queued in order; the caller may reuse its buffer at once (the record is a copy).
    this.writing = this.writing.then(() => this.fd.write(bytes, 0, bytes.length, at))
  }

  private record(plain: Buffer, final: boolean) {
    if (plain.length > MAX_RECORD) {
      for (let i = 0; i < plain.length; i += MAX_RECORD) this.record(plain.subarray(i, Math.min(plain.length, i + MAX_RECORD)), false)
      if (final) this.record(Buffer.alloc(0), true)
      return
    }
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.index)).setAAD(aad(this.header, this.index, final))
    const head = Buffer.alloc(RECORD_HEAD)
    head[0] = final ? 1 : 0
    head.writeUInt32BE(plain.length, 1)
    const out = Buffer.concat([head, cipher.update(plain), cipher.final(), cipher.getAuthTag()])
    this.queue(out, this.pos)
    this.pos += out.length
    this.index++
  }

  /** Seals `plain` as the next record; the write may finish later (`end` awaits it). */
  write(plain: Buffer): Promise<unknown> {
    if (plain.length > 0) this.record(plain, false)
    return this.writing
  }

  /** Writes the final record and closes the file; throws the first write error (a full disk). */
  async end(): Promise<void> {
    this.record(Buffer.alloc(0), true)
    try {
      await this.writing
      await this.fd.sync()
    } finally {
      await this.fd.close()
    }
  }

  /** Closes and removes the file (nothing half-written is left). */
  async abort(): Promise<void> {
    await this.writing.catch(() => undefined)
    await this.fd.close().catch(() => undefined)
    fs.rmSync(this.file, { force: true })
  }
}

/**
 * The plaintext of a kept file, chunk by chunk: a sealed file opened and checked record by record
 * (a changed, moved or missing record throws before its bytes are given); a file kept before
 * encryption, as it is.
 */
export async function* openKept(file: string, keys: Keyring): AsyncGenerator<Buffer> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const header = Buffer.alloc(HEADER)
    const { bytesRead } = await fd.read(header, 0, HEADER, 0)
    if (bytesRead < MAGIC.length || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      for (let pos = 0; ; ) {
        const chunk = Buffer.alloc(1024 * 1024)
        const { bytesRead: n } = await fd.read(chunk, 0, chunk.length, pos)
        if (n === 0) return
        pos += n
        yield chunk.subarray(0, n)
      }
    }
    if (bytesRead < HEADER) throw new SealedFileError(`${path.basename(file)}: tệp mã hóa bị cắt / the sealed file is cut short`)
    const key = keys.key(header.readUInt32BE(MAGIC.length))
    const prefix = header.subarray(MAGIC.length + 4)
    const head = Buffer.alloc(RECORD_HEAD)
    for (let index = 0, pos = HEADER; ; index++) {
      if ((await fd.read(head, 0, RECORD_HEAD, pos)).bytesRead < RECORD_HEAD) throw new SealedFileError(`${path.basename(file)}: tệp mã hóa thiếu phần cuối / the sealed file is cut short`)
      const final = head[0] === 1
      const length = head.readUInt32BE(1)
      if (length > MAX_RECORD) throw new SealedFileError(`${path.basename(file)}: tệp mã hóa hỏng / the sealed file is damaged`)
      const body = Buffer.alloc(length + TAG)
      if ((await fd.read(body, 0, body.length, pos + RECORD_HEAD)).bytesRead < body.length) throw new SealedFileError(`${path.basename(file)}: tệp mã hóa thiếu phần cuối / the sealed file is cut short`)
      pos += RECORD_HEAD + body.length
      const decipher = createDecipheriv('aes-256-gcm', key, nonce(prefix, index)).setAAD(aad(header, index, final)).setAuthTag(body.subarray(length))
      let plain: Buffer
      try {
        plain = Buffer.concat([decipher.update(body.subarray(0, length)), decipher.final()])
      } catch {
        throw new SealedFileError(`${path.basename(file)}: tệp mã hóa đã bị sửa hoặc sai khóa / the sealed file was changed or the key is wrong`)
      }
      if (plain.length > 0) yield plain
      if (final) {
        if ((await fd.stat()).size !== pos) throw new SealedFileError(`${path.basename(file)}: tệp mã hóa có dữ liệu thừa sau phần cuối / bytes after the sealed file's end`)
        return
      }
    }
  } finally {
    await fd.close()
  }
}

/** A kept file as a stream, for a download: decrypted as it is sent, nothing written to disk. */
export const keptStream = (file: string, keys: Keyring): Readable => Readable.from(openKept(file, keys), { objectMode: false })

/** A kept file's plaintext in memory (small files: documents, a backup's manifest). */
export async function readKept(file: string, keys: Keyring): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of openKept(file, keys)) parts.push(chunk)
  return Buffer.concat(parts)
}

/**
 * Seals `source` into `target` (a new file, written under a temporary name and renamed, so the
 * target is whole or absent). `source` may itself be kept sealed (under an older key): it is
 * opened first, so this also re-seals under the current key.
 */
export async function sealInto(source: string, target: string, keys: Keyring): Promise<void> {
  const tmp = `${target}.sealing-${process.pid}-${randomBytes(4).toString('hex')}`
  const w = await SealWriter.create(tmp, keys)
  try {
    for await (const chunk of openKept(source, keys)) await w.write(chunk)
    await w.end()
    fs.renameSync(tmp, target)
  } catch (err) {
    await w.abort()
    throw err
  }
}

/** Opens a kept file into `target` in the clear (a new file readable by kho's user only), for a tool that reads files itself. */
export async function writeKept(source: string, target: string, keys: Keyring): Promise<void> {
  const out = await fs.promises.open(target, 'wx', 0o600)
  try {
    for await (const chunk of openKept(source, keys)) await out.write(chunk)
  } finally {
    await out.close()
  }
}

/** The key number a sealed file was sealed with, or null for a clear file. */
export function sealedWith(file: string): number | null {
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(HEADER)
    if (fs.readSync(fd, head, 0, HEADER, 0) < HEADER || !head.subarray(0, MAGIC.length).equals(MAGIC)) return null
    return head.readUInt32BE(MAGIC.length)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Seals every kept file under `dir` that is clear (kept before encryption) and, with `rekey`, every
 * one sealed under an older key, so that key can be retired. kho's own temporary files are left.
 */
export async function resealFolder(dir: string, keys: Keyring, opts: { rekey: boolean; only?: (rel: string) => boolean }): Promise<{ files: number; sealed: number }> {
  const result = { files: 0, sealed: 0 }
  if (!fs.existsSync(dir)) return result
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const file = path.join(dir, rel)
    if (path.basename(rel).startsWith('.') || rel.includes('.sealing-') || rel.includes('.incoming-') || opts.only?.(rel) === false || !fs.statSync(file).isFile()) continue
    result.files++
    const by = sealedWith(file)
    if (by !== null && (!opts.rekey || by === keys.current().id)) continue
    await sealInto(file, file, keys)
    result.sealed++
  }
  return result
}
