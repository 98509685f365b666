import { z } from 'zod'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import { mintKey, secretMatches } from './push-keys.ts'
import { warehouseTime } from '../warehouse/sql.ts'
import * as clock from '../time/clock.ts'
import type { Caller, CallerVia } from './caller.ts'

/**
 * Information systems that read kho through the provincial integration platform (LGSP). Its agency's
 * officer (Lào Cai Điều 8.6a) or a steward registers each one — its owner agency, contact, the views
 * within its agency's scope, the addresses it may call from, an expiry, whether a third party runs
 * it — and a steward issues it keys `kho_sys_<key id>_<secret>`: shown once, stored as SHA-256
 * (the secret is 192 random bits, so a fast hash is enough), revocable and rotatable. A system is
 * read-only: it matches no role a route grants, and reaches the Cube API's views it was given.
 */
export interface System {
  id: string
  name: string
  agency: string
  contact: string
  views: string[]
  addresses: string[]
  /** The last day it may call (YYYY-MM-DD), or null. */
  expires_on: string | null
  disabled: boolean
  /** Run by an organisation outside the province's agencies (Bắc Ninh Điều 7.3): its commitment comes before any grant. */
  third_party: boolean
  operator_name: string
  /** Where kho posts its feeds' pages (a grant by feed), or '' when it pulls them. */
  feed_url: string
  created_at: string
}

export interface SystemKey {
  key_id: string
  system_id: string
  created_at: string
  revoked_at: string | null
}

/** A system's fields as given; defaults are the registration's (a change leaves what it does not name). */
const systemFields = {
  name: z.string().min(1).max(200),
  agency: z.string().min(1).max(40),
  contact: z.string().max(300),
  /** Views within its agency's scope (owned, consumed by the catalogue, open); anything else is asked for by request. */
  views: z.array(z.string().max(100)).max(50),
  addresses: z.array(z.union([z.ipv4(), z.ipv6()])).max(50),
  expires_on: z.iso.date().nullable(),
  third_party: z.boolean(),
  operator_name: z.string().trim().max(300),
  /** Only to a host the operator or a steward allowed, checked again at each push (infra/http/outbound.ts). */
  feed_url: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(500)]),
}

export const systemInput = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{3,40}$/, 'mã hệ thống: 3–40 ký tự a-z, 0-9, _ - / system id: 3–40 of a-z, 0-9, _ -'),
  ...systemFields,
  contact: systemFields.contact.default(''),
  views: systemFields.views.default([]),
  addresses: systemFields.addresses.default([]),
  expires_on: systemFields.expires_on.default(null),
  third_party: systemFields.third_party.default(false),
  operator_name: systemFields.operator_name.default(''),
  feed_url: systemFields.feed_url.default(''),
})

export const systemChange = z.strictObject(systemFields).partial().extend({ disabled: z.boolean().optional() })

const SYSTEM_COLUMNS = 'id, name, agency, contact, views, addresses, toString(expires_on) AS expires_on, disabled, third_party, operator_name, feed_url, toString(created_at) AS created_at'

export async function listSystems(wh: Warehouse): Promise<System[]> {
  return queryRows<System>(wh.client, `SELECT ${SYSTEM_COLUMNS} FROM meta.systems FINAL ORDER BY id`)
}

export async function findSystem(wh: Warehouse, id: string): Promise<System | null> {
  const [row] = await queryRows<System>(wh.client, `SELECT ${SYSTEM_COLUMNS} FROM meta.systems FINAL WHERE id = {id:String}`, { id })
  return row ?? null
}

async function writeSystem(wh: Warehouse, s: System) {
  await wh.client.insert({ table: 'meta.systems', values: [{ ...s, updated_at: Date.now() }], format: 'JSONEachRow' })
}

/** Registers a system (or, for an existing id, null: change it with updateSystem). */
export async function registerSystem(wh: Warehouse, given: z.input<typeof systemInput>): Promise<System | null> {
  const input = systemInput.parse(given)
  if (await findSystem(wh, input.id)) return null
  const system: System = { ...input, disabled: false, created_at: warehouseTime() }
  await writeSystem(wh, system)
  return system
}

export async function updateSystem(wh: Warehouse, id: string, change: z.infer<typeof systemChange>): Promise<System | null> {
  const prior = await findSystem(wh, id)
  if (!prior) return null
  const next: System = { ...prior, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) }
  await writeSystem(wh, next)
  return next
}

export async function listSystemKeys(wh: Warehouse, systemId?: string): Promise<SystemKey[]> {
  return queryRows<SystemKey>(
    wh.client,
    `SELECT key_id, system_id, toString(created_at) AS created_at, if(revoked_at IS NULL, NULL, toString(revoked_at)) AS revoked_at
     FROM meta.system_keys FINAL WHERE empty({s:String}) OR system_id = {s:String} ORDER BY created_at`,
    { s: systemId ?? '' },
  )
}

/** A new key for a system, returned once. Rotation: issue a new key, move the system to it, revoke the old. */
export async function issueSystemKey(wh: Warehouse, systemId: string): Promise<{ keyId: string; key: string }> {
  const { keyId, secret, secretSha256 } = mintKey()
  await wh.client.insert({
    table: 'meta.system_keys',
    values: [{ key_id: keyId, system_id: systemId, secret_sha256: secretSha256, created_at: warehouseTime(), revoked_at: null, updated_at: Date.now() }],
    format: 'JSONEachRow',
  })
  return { keyId, key: `kho_sys_${keyId}_${secret}` }
}

export async function revokeSystemKey(wh: Warehouse, systemId: string, keyId: string): Promise<boolean> {
  const [row] = await queryRows<Record<string, unknown>>(
    wh.client,
    'SELECT key_id, system_id, secret_sha256, toString(created_at) AS created_at FROM meta.system_keys FINAL WHERE key_id = {k:String} AND system_id = {s:String} AND revoked_at IS NULL',
    { k: keyId, s: systemId },
  )
  if (!row) return false
  await wh.client.insert({ table: 'meta.system_keys', values: [{ ...row, revoked_at: clock.nowMs(), updated_at: Date.now() }], format: 'JSONEachRow' })
  return true
}

/** A system as the policy sees it: its account `sys:<id>`, its agency, the views it was given; never personal data by role. */
export const systemCaller = (system: Pick<System, 'id' | 'agency' | 'views'>, purpose: string, via: CallerVia): Caller => ({
  account: `sys:${system.id}`,
  role: 'system',
  agency: system.agency,
  communeCode: '',
  personalData: false,
  purpose,
  via,
  views: system.views,
})

/** Whether a presented credential is meant as a system key (and not a JWT). */
export const looksLikeSystemKey = (presented: string) => presented.startsWith('kho_sys_')

/**
 * The system a presented key belongs to, checked against the calling address and the day, or why
 * not (in both languages). Unknown, malformed and revoked keys get the same answer.
 */
export async function systemOfKey(wh: Warehouse, presented: string, address: string, today: string): Promise<System | { vi: string; en: string }> {
  const invalid = { vi: 'Khóa hệ thống không hợp lệ hoặc đã bị thu hồi', en: 'The system key is invalid or revoked' }
  const m = /^kho_sys_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(presented)
  if (!m) return invalid
  // One read per call: the key and its system together (this runs on every request a system makes).
  const [row] = await queryRows<System & { system_id: string; secret_sha256: string }>(
    wh.client,
    `SELECT k.system_id AS system_id, k.secret_sha256 AS secret_sha256, s.id AS id, s.name AS name, s.agency AS agency, s.contact AS contact,
            s.views AS views, s.addresses AS addresses, toString(s.expires_on) AS expires_on, s.disabled AS disabled, toString(s.created_at) AS created_at
     FROM (SELECT * FROM meta.system_keys FINAL WHERE key_id = {id:String} AND revoked_at IS NULL) AS k
     LEFT JOIN (SELECT * FROM meta.systems FINAL) AS s ON s.id = k.system_id`,
    { id: m[1]! },
  )
  if (!row || !secretMatches(m[2]!, row.secret_sha256)) return invalid
  const { system_id: _k, secret_sha256: _s, ...system } = row
  if (!system.id || system.disabled) return { vi: `Hệ thống ${row.system_id} đã bị tạm dừng`, en: `System ${row.system_id} is disabled` }
  if (system.expires_on && system.expires_on < today) return { vi: `Đăng ký của hệ thống ${system.id} đã hết hạn ngày ${system.expires_on}`, en: `System ${system.id}'s registration expired on ${system.expires_on}` }
  if (system.addresses.length > 0 && !system.addresses.includes(address)) {
    return { vi: `Hệ thống ${system.id} không được gọi từ địa chỉ ${address}`, en: `System ${system.id} may not call from ${address}` }
  }
  return system
}
