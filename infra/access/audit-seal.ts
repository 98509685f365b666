import { createHmac } from 'node:crypto'
import { readOrMakeKey } from './key-file.ts'
import fs from 'node:fs'
import path from 'node:path'

/**
 * What keeps the sharing log honest against someone who can write to the warehouse: a key that
 * lives apart from it (a file under KHO_HOME, never in the warehouse or its backups), with which
 * every entry's hash is an HMAC — so an entry cannot be added, edited or re-hashed without the key —
 * and the chain's head (last sequence number and hash) written beside the key after every append,
 * so a tail cut off the table shows even after a restart.
 */
export interface AuditSeal {
  key: Buffer
  headFile: string
}

/** The chain's last entry as the writer left it. */
export interface ChainHead {
  seq: number
  hash: string
}

/** Keyed hashes carry this prefix; hashes without it are the plain SHA-256 of entries written before the log had a key. */
export const SEALED = 'hmac:'

/** Opens the seal kept in `dir` (KHO_HOME/audit), making its key the first time (readable by kho's user only). */
export function openAuditSeal(dir: string): AuditSeal {
  return { key: readOrMakeKey(path.join(dir, 'key')), headFile: path.join(dir, 'head.json') }
}

export const sealedHash = (seal: AuditSeal, text: string): string => SEALED + createHmac('sha256', seal.key).update(text).digest('hex')

/** The head the writer left, or null when none was written yet. */
export function readHead(seal: AuditSeal): ChainHead | null {
  if (!fs.existsSync(seal.headFile)) return null
  const parsed = JSON.parse(fs.readFileSync(seal.headFile, 'utf8')) as Partial<ChainHead>
  if (typeof parsed.seq !== 'number' || typeof parsed.hash !== 'string') throw new Error(`${seal.headFile}: not a chain head`)
  return { seq: parsed.seq, hash: parsed.hash }
}

/** Writes the head whole or not at all (a temporary file renamed over the old one). */
export function writeHead(seal: AuditSeal, head: ChainHead): void {
  const tmp = `${seal.headFile}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ ...head, written_at: new Date().toISOString() }), { mode: 0o600 })
  fs.renameSync(tmp, seal.headFile)
}
