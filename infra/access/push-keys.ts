import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { queryRows, type Warehouse } from '../warehouse/client.ts'

/** A push-API key as given to an agency: `kho_<key id>_<secret>`; shown once, stored only hashed. */
export interface IssuedKey {
  keyId: string
  agency: string
  key: string
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export async function createApiKey(wh: Warehouse, agency: string, label = ''): Promise<IssuedKey> {
  const keyId = randomBytes(6).toString('hex')
  const secret = randomBytes(24).toString('base64url')
  await wh.client.insert({
    table: 'meta.api_keys',
    values: [{ key_id: keyId, agency, secret_sha256: sha256(secret), label, revoked_at: null }],
    format: 'JSONEachRow',
  })
  return { keyId, agency, key: `kho_${keyId}_${secret}` }
}

export async function revokeApiKey(wh: Warehouse, keyId: string): Promise<boolean> {
  const [row] = await queryRows<Record<string, unknown>>(wh.client, 'SELECT * EXCEPT updated_at FROM meta.api_keys FINAL WHERE key_id = {id:String}', { id: keyId })
  if (!row) return false
  await wh.client.insert({ table: 'meta.api_keys', values: [{ ...row, revoked_at: Date.now(), updated_at: Date.now() }], format: 'JSONEachRow' })
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
  const given = Buffer.from(sha256(m[2]!), 'hex')
  return timingSafeEqual(given, Buffer.from(row.secret_sha256, 'hex')) ? row.agency : null
}
