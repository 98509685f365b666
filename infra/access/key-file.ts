import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * A 32-byte key kept in a file readable by kho's user only, made the first time it is asked for
 * (another process making it at the same moment wins, and its key is read). The sharing log's seal
 * and the secret store each keep one, apart from the warehouse and its backups.
 */
export function readOrMakeKey(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex')
  if (key.length < 32) throw new Error(`${file}: the key must be 64 hex digits`)
  return key
}
