import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** Where a delivered file is kept: <archive>/<first two hex>/<sha256>. */
export function archivePath(archiveDir: string, sha256: string): string {
  return path.join(archiveDir, sha256.slice(0, 2), sha256)
}

/**
 * Copies a delivered file into the content-addressed archive while hashing it, in one read, and
 * returns its sha256. Every warehouse value traces back to these bytes through `_sha256`.
 */
export async function archiveFile(archiveDir: string, file: string): Promise<string> {
  fs.mkdirSync(archiveDir, { recursive: true })
  const tmp = path.join(archiveDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const hash = createHash('sha256')
  try {
    await pipeline(
      fs.createReadStream(file, { highWaterMark: 1 << 20 }),
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk)
          done(null, chunk)
        },
      }),
      fs.createWriteStream(tmp),
    )
    const sha256 = hash.digest('hex')
    const target = archivePath(archiveDir, sha256)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.renameSync(tmp, target)
    return sha256
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}
