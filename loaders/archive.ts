import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { firstNotUtf8Line, Utf8Check } from './utf8-check.ts'
import { sniffEncoding } from './readers/decode.ts'

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
 * Reads a delivered file once to hash it and, for text, to check that every byte is UTF-8 (at
 * memory speed, rather than per row in the engine), so a legacy code page (Windows-1258, TCVN3) is
 * refused before any row is written. Meanwhile the file is copied into the content-addressed
 * archive by the kernel (copy_file_range); the copy may finish after this returns, while the engine
 * writes the rows (`stored`). A copy, not a link, of the agency's own file: it may change later;
 * the archive must not. Written under a temporary name and renamed, so the archive never holds half
 * a file.
 */
export async function archiveFile(archiveDir: string, file: string, opts: { text: boolean; link?: boolean }): Promise<ArchivedFile> {
  fs.mkdirSync(archiveDir, { recursive: true })
  const tmp = path.join(archiveDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const copied = keepCopy(file, tmp, opts.link === true)
  const removeTmp = () => fs.rmSync(tmp, { force: true })
  let digest: Omit<ArchivedFile, 'stored'>
  try {
    digest = await digestFile(file, opts.text)
  } catch (err) {
    await copied.catch(() => undefined)
    removeTmp()
    throw err
  }
  const stored = copied
    .then(() => {
      const target = archivePath(archiveDir, digest.sha256)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.renameSync(tmp, target)
    })
    .finally(removeTmp)
  // Observed by the load before it commits; a load that stops earlier need not fail on it.
  stored.catch(() => undefined)
  return { ...digest, stored }
}

/** kho's own temporary files (nobody else writes them) are linked, not copied, when on the same disk. */
async function keepCopy(file: string, tmp: string, link: boolean): Promise<void> {
  if (link) {
    try {
      return await fs.promises.link(file, tmp)
    } catch {
      // Another file system: copy.
    }
  }
  await fs.promises.copyFile(file, tmp)
}

/** How much of a file each read takes (one buffer, read into again). */
export const READ_BYTES = 4 * 1024 * 1024

async function digestFile(file: string, text: boolean): Promise<Omit<ArchivedFile, 'stored'>> {
  const hash = createHash('sha256')
  let utf8: Utf8Check | null | undefined = text ? undefined : null
  // One buffer read into again and again, rather than a stream's fresh chunk each time: the hash
  // runs beside the engine's write on the same two cores, and a stream's allocations cost twice
  // the hashing itself (1M-row CSV, 147 MB: 100 ms instead of 200–370 ms; bench/load.ts).
  const buf = Buffer.allocUnsafe(READ_BYTES)
  const fd = await fs.promises.open(file, 'r')
  try {
    for (let pos = 0; ; ) {
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos)
      if (bytesRead === 0) break
      pos += bytesRead
      const chunk = buf.subarray(0, bytesRead)
      hash.update(chunk)
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
