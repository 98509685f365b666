import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { BackupError } from './backup.ts'

/**
 * A backup copied elsewhere — another disk, a mounted share — as one file, `<id>.kho-backup`, so
 * losing the warehouse's disk does not lose the backups. The backup folder's files are packed one
 * after another (path, size, bytes) behind a small header; with a key (KHO_BACKUP_KEY) the packed
 * bytes are encrypted with AES-256-GCM under a key derived from it (scrypt, a salt per file), the
 * header authenticated with them; without one, a SHA-256 of the body closes the file. The file is
 * written under a temporary name and renamed when whole. Reading it back checks the tag (or the
 * hash) before anything unpacked is used: a wrong key or a changed byte is refused, plainly.
 * Written here rather than with tar + a crypto wrapper: the format is four fields, and the checks
 * must cover the whole stream before a restore may begin.
 */
const MAGIC = Buffer.from('KHOBAK1\n')
const TAG = 16
const HASH = 32
export const OFFSITE_EXT = '.kho-backup'

interface Header {
  id: string
  created_at: string
  files: number
  /** Present when encrypted: the scrypt salt and the GCM nonce, base64. */
  salt?: string
  iv?: string
}

const deriveKey = (secret: string, salt: Buffer) => scryptSync(secret, salt, 32)

/** Every file under a folder, relative paths with forward slashes, sorted. */
function filesUnder(dir: string): { rel: string; abs: string; size: number }[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .map((rel) => ({ rel: rel.split(path.sep).join('/'), abs: path.join(dir, rel), stat: fs.statSync(path.join(dir, rel)) }))
    .filter((f) => f.stat.isFile())
    .map((f) => ({ rel: f.rel, abs: f.abs, size: f.stat.size }))
    .sort((a, b) => (a.rel < b.rel ? -1 : 1))
}

/** Copies a backup folder to `targetDir` as one file, encrypted when `secret` is given; returns its path. */
export async function copyBackupElsewhere(backupDir: string, targetDir: string, secret?: string | null): Promise<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as { id: string; created_at: string }
  const files = filesUnder(backupDir)
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const header: Header = { id: manifest.id, created_at: manifest.created_at, files: files.length, ...(secret ? { salt: salt.toString('base64'), iv: iv.toString('base64') } : {}) }
  const headerBytes = Buffer.from(JSON.stringify(header))
  fs.mkdirSync(targetDir, { recursive: true })
  const final = path.join(targetDir, `${manifest.id}${OFFSITE_EXT}`)
  const temporary = `${final}.partial`
  const out = fs.createWriteStream(temporary)
  const write = async (b: Buffer) => {
    if (!out.write(b)) await once(out, 'drain')
  }
  const length = Buffer.alloc(4)
  length.writeUInt32BE(headerBytes.length)
  await write(Buffer.concat([MAGIC, length, headerBytes]))
  const cipher = secret ? createCipheriv('aes-256-gcm', deriveKey(secret, salt), iv).setAAD(headerBytes) : null
  const hash = createHash('sha256')
  const body = async (b: Buffer) => (cipher ? write(cipher.update(b)) : (hash.update(b), write(b)))
  for (const f of files) {
    const name = Buffer.from(f.rel)
    const entry = Buffer.alloc(12)
    entry.writeUInt32BE(name.length, 0)
    entry.writeBigUInt64BE(BigInt(f.size), 4)
    await body(Buffer.concat([entry.subarray(0, 4), name, entry.subarray(4)]))
    for await (const chunk of fs.createReadStream(f.abs)) await body(chunk as Buffer)
  }
  await write(cipher ? Buffer.concat([cipher.final(), cipher.getAuthTag()]) : hash.digest())
  out.end()
  await once(out, 'finish')
  fs.renameSync(temporary, final)
  return final
}

/** The copies in a folder, newest first. */
export function listCopies(targetDir: string): string[] {
  if (!fs.existsSync(targetDir)) return []
  return fs
    .readdirSync(targetDir)
    .filter((f) => f.endsWith(OFFSITE_EXT))
    .sort()
    .reverse()
}

/** Keeps the newest `keep` copies; deletes the rest (and any copy left half-written). */
export function pruneCopies(targetDir: string, keep: number): string[] {
  if (!fs.existsSync(targetDir)) return []
  for (const f of fs.readdirSync(targetDir).filter((x) => x.endsWith(`${OFFSITE_EXT}.partial`))) fs.rmSync(path.join(targetDir, f), { force: true })
  const removed = listCopies(targetDir).slice(keep)
  for (const f of removed) fs.rmSync(path.join(targetDir, f), { force: true })
  return removed
}

const refused = () =>
  new BackupError('Không mở được bản sao lưu: khoá (KHO_BACKUP_KEY) sai, hoặc tệp đã bị sửa hay hỏng / cannot open the backup copy: wrong key (KHO_BACKUP_KEY), or the file was altered or damaged')

/**
 * Unpacks a copy into `dir` (which must not exist), checking the tag or hash over the whole body;
 * on any mismatch `dir` is removed and a BackupError says so. Returns the backup's id.
 */
export async function unpackCopy(file: string, dir: string, secret?: string | null): Promise<string> {
  const size = fs.statSync(file).size
  const fd = fs.openSync(file, 'r')
  const head = Buffer.alloc(Math.min(size, 12 + 64 * 1024))
  fs.readSync(fd, head, 0, head.length, 0)
  fs.closeSync(fd)
  if (head.length < 12 || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError(`${file} không phải bản sao lưu của kho / not a kho backup copy`)
  const headerLength = head.readUInt32BE(MAGIC.length)
  const headerBytes = head.subarray(12, 12 + headerLength)
  let header: Header
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header
  } catch {
    throw refused()
  }
  const encrypted = !!header.iv
  if (encrypted && !secret) throw new BackupError('Bản sao lưu đã mã hoá: đặt KHO_BACKUP_KEY / the copy is encrypted: set KHO_BACKUP_KEY')
  const bodyStart = 12 + headerLength
  const trailer = encrypted ? TAG : HASH
  if (size < bodyStart + trailer) throw refused()
  const tail = Buffer.alloc(trailer)
  const tfd = fs.openSync(file, 'r')
  fs.readSync(tfd, tail, 0, trailer, size - trailer)
  fs.closeSync(tfd)
  const decipher = encrypted ? createDecipheriv('aes-256-gcm', deriveKey(secret!, Buffer.from(header.salt!, 'base64')), Buffer.from(header.iv!, 'base64')).setAAD(headerBytes).setAuthTag(tail) : null
  const hash = createHash('sha256')

  fs.mkdirSync(dir)
  // The entries as they stream: a name's length and the name, the size, then that many bytes.
  let pending: Buffer = Buffer.alloc(0)
  // A holder, so the error path sees what the streaming code set.
  const open: { current: { fd: number; left: number } | null } = { current: null }
  let entries = 0
  const take = (plain: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, plain]) : plain
    for (;;) {
      const current = open.current
      if (current) {
        const n = Math.min(current.left, pending.length)
        if (n > 0) fs.writeSync(current.fd, pending.subarray(0, n))
        pending = pending.subarray(n)
        current.left -= n
        if (current.left > 0) return
        fs.closeSync(current.fd)
        open.current = null
        entries++
      }
      if (pending.length < 4) return
      const nameLength = pending.readUInt32BE(0)
      if (nameLength === 0 || nameLength > 4096) throw refused()
      if (pending.length < 4 + nameLength + 8) return
      const rel = pending.subarray(4, 4 + nameLength).toString('utf8')
      const fileSize = Number(pending.readBigUInt64BE(4 + nameLength))
      // Only plain relative paths below the folder (the tag is checked at the end; a path is checked now).
      const target = path.resolve(dir, rel)
      if (path.isAbsolute(rel) || rel.split('/').includes('..') || !target.startsWith(path.resolve(dir) + path.sep)) throw refused()
      fs.mkdirSync(path.dirname(target), { recursive: true })
      open.current = { fd: fs.openSync(target, 'wx'), left: fileSize }
      pending = pending.subarray(4 + nameLength + 8)
    }
  }
  try {
    for await (const chunk of fs.createReadStream(file, { start: bodyStart, end: size - trailer - 1 })) {
      if (decipher) take(decipher.update(chunk as Buffer))
      else {
        hash.update(chunk as Buffer)
        take(chunk as Buffer)
      }
    }
    if (decipher) take(decipher.final())
    else if (!timingSafeEqual(hash.digest(), tail)) throw refused()
    if (open.current || pending.length || entries !== header.files) throw refused()
  } catch (err) {
    if (open.current) fs.closeSync(open.current.fd)
    fs.rmSync(dir, { recursive: true, force: true })
    if (err instanceof BackupError) throw err
    // The GCM tag did not match (wrong key or altered bytes), or the body was cut short.
    throw refused()
  }
  return header.id
}
