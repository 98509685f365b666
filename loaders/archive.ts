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
}

/**
 * Copies a delivered file into the content-addressed archive while reading it once to hash it and,
 * for text, to check that every byte is UTF-8 (at memory speed, rather than per row in the engine),
 * so a legacy code page (Windows-1258, TCVN3) is refused before any row is written. The copy runs in
 * the kernel (copy_file_range) beside the hashing. A copy, not a link, of the agency's own file: it
 * may change later; the archive must not. Written under a temporary name and renamed, so the archive never
 * holds half a file.
 */
export async function archiveFile(archiveDir: string, file: string, opts: { text: boolean; link?: boolean }): Promise<ArchivedFile> {
  fs.mkdirSync(archiveDir, { recursive: true })
  const tmp = path.join(archiveDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  try {
    const [digest] = await Promise.all([digestFile(file, opts.text), keepCopy(file, tmp, opts.link === true)])
    const target = archivePath(archiveDir, digest.sha256)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.renameSync(tmp, target)
    return digest
  } finally {
    fs.rmSync(tmp, { force: true })
  }
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

async function digestFile(file: string, text: boolean): Promise<ArchivedFile> {
  const hash = createHash('sha256')
  let utf8: Utf8Check | null | undefined = text ? undefined : null
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk)
    // UTF-16 text (by its byte-order mark) is checked by its decoder instead.
    if (utf8 === undefined) utf8 = sniffEncoding(chunk).encoding === 'utf-8' ? new Utf8Check() : null
    utf8?.push(chunk)
  }
  const valid = utf8 ? utf8.end() : true
  return { sha256: hash.digest('hex'), notUtf8Line: valid ? null : await firstNotUtf8Line(file) }
}
