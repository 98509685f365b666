import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { firstNotUtf8Line, Utf8Check } from './utf8-check.ts'
import { sniffEncoding } from './readers/decode.ts'
import { SealWriter, type KeptFiles } from '../infra/files/sealed-file.ts'

/** Where a delivered file is kept: <archive>/<first two hex>/<sha256>. */
export function archivePath(archiveDir: string, sha256: string): string {
  return path.join(archiveDir, sha256.slice(0, 2), sha256)
}

export interface ArchivedFile {
  /** Every raw row carries it; a file delivered again is known by it. */
  sha256: string
  /** For UTF-8 text: the first line (1-based) holding bytes that are not UTF-8, or null when all are. */
  notUtf8Line: number | null
  /** Settles once the copy is in the archive; a load awaits it before it commits. */
  stored: Promise<void>
}

/**
 * Reads a delivered file once to hash it, to check for text that every byte is UTF-8 (at memory
 * speed, rather than per row in the engine, so a legacy code page — Windows-1258, TCVN3 — is refused
 * before any row is written), and to keep it in the content-addressed archive sealed (encrypted at
 * rest, infra/files/sealed-file.ts): each chunk read is hashed, checked and sealed in the same pass,
 * so the clear file is read once and never copied. The sealed copy is written under a temporary
 * name and renamed, so the archive never holds half a file; `stored` settles when it is in place.
 */
export async function archiveFile(archive: KeptFiles, file: string, opts: { text: boolean }): Promise<ArchivedFile> {
  fs.mkdirSync(archive.dir, { recursive: true })
  const tmp = path.join(archive.dir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const sealed = await SealWriter.create(tmp, archive.keys)
  let digest: Omit<ArchivedFile, 'stored'>
  try {
    digest = await digestFile(file, opts.text, sealed)
  } catch (err) {
    await sealed.abort()
    throw err
  }
  const stored = sealed
    .end()
    .then(() => {
      const target = archivePath(archive.dir, digest.sha256)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.renameSync(tmp, target)
    })
    .finally(() => fs.rmSync(tmp, { force: true }))
  // Observed by the load before it commits; a load that stops earlier need not fail on it.
  stored.catch(() => undefined)
  return { ...digest, stored }
}

/** How much of a file each read takes (one buffer, read into again). */
export const READ_BYTES = 4 * 1024 * 1024

async function digestFile(file: string, text: boolean, sealed: SealWriter): Promise<Omit<ArchivedFile, 'stored'>> {
  const hash = createHash('sha256')
  let utf8: Utf8Check | null | undefined = text ? undefined : null
  // One buffer read into again and again, rather than a stream's fresh chunk each time: the hash
  // runs beside the engine's write on the same two cores, and a stream's allocations cost twice
  // the hashing itself (1M-row CSV, 147 MB: 100 ms instead of 200–370 ms; bench/load.ts).
  // Sealing is AES-GCM in the same pass (hardware AES: about as fast as the hash).
  const buf = Buffer.allocUnsafe(READ_BYTES)
  const fd = await fs.promises.open(file, 'r')
  try {
    for (let pos = 0; ; ) {
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos)
      if (bytesRead === 0) break
      pos += bytesRead
      const chunk = buf.subarray(0, bytesRead)
      hash.update(chunk)
      // Sealed into a fresh buffer: this one is read into again at once. A write error (a full
      // disk) surfaces at the end, and the load is refused with it.
      void sealed.write(chunk).catch(() => undefined)
      // UTF-16 text (by its byte-order mark) is checked by its decoder instead.
      if (utf8 === undefined) utf8 = sniffEncoding(chunk).encoding === 'utf-8' ? new Utf8Check() : null
      utf8?.push(chunk)
    }
  } finally {
    await fd.close()
  }
  const valid = utf8 ? utf8.end() : true
  return { sha256: hash.digest('hex'), notUtf8Line: valid ? null : await firstNotUtf8Line(file) }
}
