import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as clock from '../time/clock.ts'

/**
 * The keys that encrypt what kho keeps at rest: the archive of delivered files, attached documents,
 * backups and the embedded warehouse's disk. Kept in their own folder (`KHO_KEYS_DIR`, by default
 * `$KHO_HOME/keys`), readable by kho's user only, never inside the archive, the warehouse or a
 * backup — an operator points it at another disk or a mounted secret to keep it apart from the data.
 *
 * Keys are numbered; the highest is current and seals everything written from now on. Every sealed
 * file names the key that sealed it, so rotating (a new current key) leaves older files readable
 * with their own key; `kho keys reseal` then seals them again under the current one, after which an
 * older key can be retired. The warehouse's disk works the same way (ClickHouse's encrypted disk
 * keeps every key by number and writes new parts with the current one).
 */
export interface KeyringFile {
  current: number
  keys: Record<string, { hex: string; created_at: string }>
}

export class KeyringError extends Error {}

const FILE = 'keyring.json'

export class Keyring {
  private cache: { mtimeMs: number; ring: KeyringFile } | null = null

  private constructor(readonly dir: string) {}

  /** Opens the keyring in `dir`, making it (with key 1) the first time. */
  static open(dir: string): Keyring {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const ring = new Keyring(dir)
    if (!fs.existsSync(ring.file)) {
      try {
        ring.write({ current: 1, keys: { '1': newKey() } }, 'wx')
      } catch (err) {
        // Another process made it at the same moment: read theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
    ring.read()
    return ring
  }

  get file(): string {
    return path.join(this.dir, FILE)
  }

  /** Re-read when the file changes, so a rotation by `kho keys rotate` reaches a running service. */
  private read(): KeyringFile {
    const mtimeMs = fs.statSync(this.file).mtimeMs
    if (this.cache?.mtimeMs !== mtimeMs) {
      const ring = JSON.parse(fs.readFileSync(this.file, 'utf8')) as KeyringFile
      if (!ring.keys[String(ring.current)]) throw new KeyringError(`${this.file}: khóa hiện hành ${ring.current} không có / the current key is missing`)
      this.cache = { mtimeMs, ring }
    }
    return this.cache.ring
  }

  private write(ring: KeyringFile, flag: 'w' | 'wx' = 'w') {
    const tmp = flag === 'wx' ? this.file : `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(ring, null, 1), { mode: 0o600, flag })
    if (tmp !== this.file) fs.renameSync(tmp, this.file)
    this.cache = null
  }

  /** The key new files are sealed with. */
  current(): { id: number; key: Buffer } {
    const ring = this.read()
    return { id: ring.current, key: this.key(ring.current) }
  }

  /** A key by number; a file sealed with a key no longer kept cannot be opened, and says which. */
  key(id: number): Buffer {
    const k = this.read().keys[String(id)]
    if (!k) throw new KeyringError(`Không có khóa số ${id} trong ${this.file} / key ${id} is not in the keyring`)
    return Buffer.from(k.hex, 'hex')
  }

  /** Every key kept, oldest first. */
  ids(): number[] {
    return Object.keys(this.read().keys)
      .map(Number)
      .sort((a, b) => a - b)
  }

  /** Makes a new key current and returns its number; older keys stay, to open what they sealed. */
  rotate(): number {
    const ring = this.read()
    const id = Math.max(...this.ids()) + 1
    this.write({ current: id, keys: { ...ring.keys, [String(id)]: newKey() } })
    return id
  }

  /** Drops a key nothing is sealed with any more (the caller checks that); never the current one. */
  retire(id: number): void {
    const ring = this.read()
    if (id === ring.current) throw new KeyringError(`Khóa ${id} đang dùng, không thể bỏ / key ${id} is the current key`)
    const keys = { ...ring.keys }
    delete keys[String(id)]
    this.write({ ...ring, keys })
  }
}

const newKey = () => ({ hex: randomBytes(32).toString('hex'), created_at: clock.now().toISOString() })
