import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'

export const ROLES = ['leader', 'analyst', 'agency_officer', 'steward', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface Account {
  username: string
  display_name: string
  role: Role
  /** The agency an officer works for ('' for provincial roles). */
  agency: string
  /** For commune officers: their commune ('' otherwise). */
  commune_code: string
  /** Granted access to personal data (still needs a declared purpose per request). */
  personal_data: boolean
  disabled: boolean
}

export const accountInput = z.strictObject({
  username: z.string().regex(/^[a-z0-9_.-]{3,64}$/, 'tên đăng nhập: 3–64 ký tự a-z, 0-9, _ . -'),
  display_name: z.string().max(200).default(''),
  password: z.string().min(10, 'mật khẩu tối thiểu 10 ký tự / at least 10 characters'),
  role: z.enum(ROLES),
  agency: z.string().default(''),
  commune_code: z.string().default(''),
  personal_data: z.boolean().default(false),
})

/** scrypt with a random salt: "scrypt$<salt>$<hash>". */
export function hashPassword(password: string): string {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`
}

export function verifyPassword(password: string, stored: string): boolean {
  const [kind, salt, hash] = stored.split('$')
  if (kind !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(actual, expected)
}

export async function saveAccount(wh: Warehouse, input: z.input<typeof accountInput>): Promise<Account> {
  const a = accountInput.parse(input)
  const row = { ...a, password_hash: hashPassword(a.password), disabled: false }
  const { password: _password, ...stored } = row
  await wh.client.insert({ table: 'meta.accounts', values: [stored], format: 'JSONEachRow' })
  const { password_hash: _hash, ...account } = stored
  return account
}

export async function findAccount(wh: Warehouse, username: string): Promise<(Account & { password_hash: string }) | null> {
  const [row] = await queryRows<Account & { password_hash: string }>(
    wh.client,
    'SELECT username, display_name, password_hash, role, agency, commune_code, personal_data, disabled FROM meta.accounts FINAL WHERE username = {u:String}',
    { u: username },
  )
  return row ?? null
}

export async function listAccounts(wh: Warehouse): Promise<Account[]> {
  return queryRows<Account>(wh.client, 'SELECT username, display_name, role, agency, commune_code, personal_data, disabled FROM meta.accounts FINAL ORDER BY username')
}

/** The first administrator, from KHO_ADMIN_USER and KHO_ADMIN_PASSWORD, created when missing. */
export async function ensureAdmin(wh: Warehouse, user: string | undefined, password: string | undefined): Promise<boolean> {
  if (!user || !password) return false
  if (await findAccount(wh, user)) return false
  await saveAccount(wh, { username: user, display_name: 'Quản trị hệ thống', password, role: 'admin', personal_data: false })
  return true
}

/** Accounts for the demo province, one per role; the password is in README (demo only). */
export const DEMO_PASSWORD = 'kho-demo-2026'
export const DEMO_ACCOUNTS: z.input<typeof accountInput>[] = [
  { username: 'lanhdao', display_name: 'Lãnh đạo UBND tỉnh', password: DEMO_PASSWORD, role: 'leader' },
  { username: 'phantich', display_name: 'Chuyên viên phân tích', password: DEMO_PASSWORD, role: 'analyst' },
  { username: 'quantri', display_name: 'Quản trị dữ liệu (Sở KH&CN)', password: DEMO_PASSWORD, role: 'steward', agency: 'SO_KHCN', personal_data: true },
  { username: 'canbo.sotc', display_name: 'Cán bộ Sở Tài chính', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_TC' },
  { username: 'canbo.catinh', display_name: 'Cán bộ Công an tỉnh', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'CA_TINH', personal_data: true },
  { username: 'canbo.x07210', display_name: 'Cán bộ UBND Phường Bắc Giang', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'UBND_X07210', commune_code: '07210' },
]
