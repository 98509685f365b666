import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readOrMakeKey } from './key-file.ts'
import fs from 'node:fs'
import path from 'node:path'
import * as clock from '../time/clock.ts'
import type { StoredSecret } from '../contracts/admin.ts'

/** A secret's name as the catalogue references it: lower case, digits, `_`, `-`, `.`. */
export const SECRET_NAME = /^[a-z][a-z0-9_.-]{0,63}$/

interface Sealed {
  iv: string
  tag: string
  data: string
  set_by: string
  set_at: string
}

/**
 * kho's own store for the credentials of outbound calls (a pull connector's API key): set by an
 * administrator, referenced by name from the catalogue, encrypted at rest (AES-256-GCM) with a key
 * kept beside it under KHO_HOME — never in the warehouse or its backups. What users write (a
 * catalogue entry, a pull setting) can name a secret of this store and nothing else: not an
 * environment variable of the process, which holds kho's own secrets.
 */
export class SecretStore {
  private readonly key: Buffer
  private readonly file: string

  constructor(dir: string) {
    this.key = readOrMakeKey(path.join(dir, 'key'))
    this.file = path.join(dir, 'secrets.json')
  }

  private read(): Record<string, Sealed> {
    return fs.existsSync(this.file) ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Sealed>) : {}
  }

  private write(all: Record<string, Sealed>) {
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(all, null, 1), { mode: 0o600 })
    fs.renameSync(tmp, this.file)
  }

  set(name: string, value: string, by: string): void {
    if (!SECRET_NAME.test(name)) throw new Error(`"${name}" is not a secret name`)
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(name))
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
    this.write({ ...this.read(), [name]: { iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex'), data: data.toString('base64'), set_by: by, set_at: clock.now().toISOString() } })
  }

  delete(name: string): boolean {
    const all = this.read()
    if (!(name in all)) return false
    delete all[name]
    this.write(all)
    return true
  }

  /** Whether a secret is set under the name (its value not read). */
  has(name: string): boolean {
    return name in this.read()
  }

  /** The secret's value, or null when none is set under that name. */
  get(name: string): string | null {
    const s = this.read()[name]
    if (!s) return null
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'hex'))
    decipher.setAAD(Buffer.from(name))
    decipher.setAuthTag(Buffer.from(s.tag, 'hex'))
    return Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]).toString('utf8')
  }

  /** The names set, with who set them and when — never the values. */
  list(): StoredSecret[] {
    return Object.entries(this.read()).map(([name, s]) => ({ name, set_by: s.set_by, set_at: s.set_at }))
  }
}
