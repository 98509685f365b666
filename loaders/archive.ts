import fs from 'node:fs'
import path from 'node:path'

/** Where a delivered file is kept: <archive>/<first two hex>/<sha256>. */
export function archivePath(archiveDir: string, sha256: string): string {
  return path.join(archiveDir, sha256.slice(0, 2), sha256)
}

/**
 * Keeps a copy of a delivered file in the content-addressed archive under its sha256 (a copy, not
 * a link: the agency's file may change later; the archive must not). Written to a temporary name
 * and renamed, so the archive never holds half a file.
 */
export async function archiveFile(archiveDir: string, file: string, sha256: string): Promise<void> {
  const target = archivePath(archiveDir, sha256)
  if (fs.existsSync(target)) return
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const tmp = path.join(archiveDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  try {
    await fs.promises.copyFile(file, tmp)
    fs.renameSync(tmp, target)
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}
