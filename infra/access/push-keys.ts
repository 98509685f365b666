import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import * as clock from '../time/clock.ts'

/** A push-API key as given to an agency: `kho_<key id>_<secret>`; shown once, stored only hashed. */
export interface IssuedKey {
  keyId: string
  agency: string
  key: string
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * A new key's parts, for push keys and system keys alike: a 12-hex id, a 192-bit secret shown once,
 * and the secret's SHA-256 to store (the secret is random, so a fast hash is enough).
 */
export function mintKey(): { keyId: string; secret: string; secretSha256: string } {
  const secret = randomBytes(24).toString('base64url')
  return { keyId: randomBytes(6).toString('hex'), secret, secretSha256: sha256(secret) }
}

/** Whether a presented secret is the one whose hash was stored, compared in constant time. */
export const secretMatches = (secret: string, storedSha256: string) => timingSafeEqual(Buffer.from(sha256(secret), 'hex'), Buffer.from(storedSha256, 'hex'))

export async function createApiKey(wh: Warehouse, agency: string, label = ''): Promise<IssuedKey> {
  const { keyId, secret, secretSha256 } = mintKey()
  await wh.client.insert({
    table: 'meta.api_keys',
    values: [{ key_id: keyId, agency, secret_sha256: secretSha256, label, revoked_at: null }],
    format: 'JSONEachRow',
  })
  return { keyId, agency, key: `kho_${keyId}_${secret}` }
}

export async function revokeApiKey(wh: Warehouse, keyId: string): Promise<boolean> {
  const [row] = await queryRows<Record<string, unknown>>(wh.client, 'SELECT * EXCEPT updated_at FROM meta.api_keys FINAL WHERE key_id = {id:String}', { id: keyId })
  if (!row) return false
  await wh.client.insert({ table: 'meta.api_keys', values: [{ ...row, revoked_at: clock.nowMs(), updated_at: Date.now() }], format: 'JSONEachRow' })
  return true
}

/** The agency a presented key belongs to, or null for a malformed, unknown or revoked key. */
export async function agencyOfKey(wh: Warehouse, presented: string): Promise<string | null> {
  const m = /^kho_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(presented.trim())
  if (!m) return null
  const [row] = await queryRows<{ agency: string; secret_sha256: string }>(
    wh.client,
    'SELECT agency, secret_sha256 FROM meta.api_keys FINAL WHERE key_id = {id:String} AND revoked_at IS NULL',
    { id: m[1]! },
  )
  if (!row) return null
  return secretMatches(m[2]!, row.secret_sha256) ? row.agency : null
}
