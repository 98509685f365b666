import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { z } from 'zod'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import { warehouseTime } from '../warehouse/sql.ts'
import { ROLES, type Role } from '../contracts/session.ts'


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
  /** Bumped when the account is disabled or its role, scope, grant or password change: older tokens stop working. */
  token_version: number
  /** Where the account is told of its requests' decisions and reminders ('' none). */
  email: string
  /** Set by a password reset: the account must choose a new password before anything else. */
  must_change_password: boolean
  created_at: string
}

type StoredAccount = Account & { password_hash: string }

export const accountInput = z.strictObject({
  username: z.string().regex(/^[a-z0-9_.-]{3,64}$/, 'tên đăng nhập: 3–64 ký tự a-z, 0-9, _ . -'),
  display_name: z.string().max(200).default(''),
  password: z.string().min(10, 'mật khẩu tối thiểu 10 ký tự / at least 10 characters'),
  role: z.enum(ROLES),
  agency: z.string().default(''),
  commune_code: z.string().default(''),
  personal_data: z.boolean().default(false),
  email: z.union([z.email(), z.literal('')]).default(''),
})

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>

/** scrypt with a random salt: "scrypt$<salt>$<hash>". In libuv's pool, so several hash at once off the event loop. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('base64')}$${(await scryptAsync(password, salt, 32)).toString('base64')}`
}

export function verifyPassword(password: string, stored: string): boolean {
  const [kind, salt, hash] = stored.split('$')
  if (kind !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = passwordWork.scrypt(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(actual, expected)
}

/** The key derivation every sign-in runs (an object so a test can count the calls). */
export const passwordWork = { scrypt: (password: string, salt: Buffer, length: number) => scryptSync(password, salt, length) }

/** A hash no password matches, checked for unknown usernames so they take as long as known ones. */
const NOBODY = hashPassword(randomBytes(24).toString('hex'))

/**
 * The account a username and password sign in as, or null. The password is hashed whether or not
 * the account exists or is disabled, so the answer's timing does not tell which usernames exist.
 */
export async function checkPassword(wh: Warehouse, username: string, password: string): Promise<StoredAccount | null> {
  const account = await findAccount(wh, username)
  const ok = verifyPassword(password, account?.password_hash ?? (await NOBODY))
  return ok && account && !account.disabled ? account : null
}

export async function saveAccount(wh: Warehouse, input: z.input<typeof accountInput>): Promise<Account> {
  const a = accountInput.parse(input)
  const prior = await findAccount(wh, a.username)
  const { password, ...fields } = a
  const stored: StoredAccount = {
    ...fields,
    password_hash: await hashPassword(password),
    disabled: false,
    token_version: (prior?.token_version ?? 0) + (prior ? 1 : 0),
    must_change_password: false,
    created_at: prior?.created_at ?? warehouseTime(),
  }
  await writeAccount(wh, stored)
  const { password_hash: _hash, ...account } = stored
  return account
}

async function writeAccount(wh: Warehouse, a: StoredAccount) {
  await wh.client.insert({ table: 'meta.accounts', values: [{ ...a, updated_at: Date.now() }], format: 'JSONEachRow' })
  recentAccounts.get(wh)?.delete(a.username)
}

/**
 * Accounts as read lately, by warehouse: every signed-in request reads its account again (a
 * disabled account or a changed role is refused at once), and a read through the embedded engine
 * costs milliseconds of its one-query-at-a-time time — most of a cached answer's. Every write here
 * drops the account's entry, so a change made through kho shows on the next request; the short
 * life covers a change made outside this process (a restored backup).
 */
const recentAccounts = new WeakMap<Warehouse, Map<string, { account: StoredAccount | null; until: number }>>()
const ACCOUNT_KEPT_MS = 5_000

const COLUMNS = 'username, display_name, role, agency, commune_code, personal_data, disabled, token_version, email, must_change_password, toString(created_at) AS created_at'

export async function findAccount(wh: Warehouse, username: string): Promise<StoredAccount | null> {
  let recent = recentAccounts.get(wh)
  if (!recent) recentAccounts.set(wh, (recent = new Map()))
  const kept = recent.get(username)
  if (kept && kept.until > Date.now()) return kept.account
  const [row] = await queryRows<StoredAccount>(wh.client, `SELECT ${COLUMNS}, password_hash FROM meta.accounts FINAL WHERE username = {u:String}`, { u: username })
  const account = row ? { ...row, token_version: Number(row.token_version) } : null
  if (recent.size > 10_000) recent.clear()
  recent.set(username, { account, until: Date.now() + ACCOUNT_KEPT_MS })
  return account
}

export async function listAccounts(wh: Warehouse): Promise<Account[]> {
  return queryRows<Account>(wh.client, `SELECT ${COLUMNS} FROM meta.accounts FINAL ORDER BY username`)
}

export const accountChange = z.strictObject({
  display_name: z.string().max(200).optional(),
  role: z.enum(ROLES).optional(),
  agency: z.string().max(40).optional(),
  commune_code: z.string().max(5).optional(),
  personal_data: z.boolean().optional(),
  disabled: z.boolean().optional(),
  email: z.union([z.email(), z.literal('')]).optional(),
})

/**
 * Changes an account. Any change to what it may do (role, scope, grant, disabled) bumps its token
 * version, so the tokens it holds stop working on their next request.
 */
export async function updateAccount(wh: Warehouse, username: string, change: z.infer<typeof accountChange>): Promise<Account | null> {
  const prior = await findAccount(wh, username)
  if (!prior) return null
  const next: StoredAccount = { ...prior, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) }
  const widensOrNarrows = (['role', 'agency', 'commune_code', 'personal_data', 'disabled'] as const).some((k) => next[k] !== prior[k])
  if (widensOrNarrows) next.token_version = prior.token_version + 1
  await writeAccount(wh, next)
  const { password_hash: _hash, ...account } = next
  return account
}

/**
 * Resets a password: the account signs in with the temporary one (given, or made here and
 * returned once) and must choose its own before doing anything else; its tokens stop working.
 */
export async function resetPassword(wh: Warehouse, username: string, temporary?: string): Promise<{ account: Account; password: string } | null> {
  const prior = await findAccount(wh, username)
  if (!prior) return null
  const password = temporary ?? randomBytes(9).toString('base64url')
  const next: StoredAccount = { ...prior, password_hash: await hashPassword(password), must_change_password: true, token_version: prior.token_version + 1 }
  await writeAccount(wh, next)
  const { password_hash: _hash, ...account } = next
  return { account, password }
}

export const passwordChange = z.strictObject({
  current: z.string().min(1).max(200),
  password: z.string().min(10, 'mật khẩu tối thiểu 10 ký tự / at least 10 characters').max(200),
})

/** An account changes its own password (the current one proves it); its other tokens stop working. */
export async function changePassword(wh: Warehouse, username: string, change: z.infer<typeof passwordChange>): Promise<StoredAccount | null> {
  const prior = await checkPassword(wh, username, change.current)
  if (!prior) return null
  if (change.password === change.current) return null
  const next: StoredAccount = { ...prior, password_hash: await hashPassword(change.password), must_change_password: false, token_version: prior.token_version + 1 }
  await writeAccount(wh, next)
  return next
}

/** Each account's latest successful sign-in, from the sharing log. */
export async function lastSignIns(wh: Warehouse): Promise<Map<string, string>> {
  const rows = await queryRows<{ account: string; at: string }>(
    wh.client,
    "SELECT account, toString(max(at)) AS at FROM meta.audit WHERE endpoint = 'login' AND outcome = 'ok' GROUP BY account",
  )
  return new Map(rows.map((r) => [r.account, r.at]))
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
  // A named consumer of doanh_nghiep (sees enterprises without asking), and an agency that must ask.
  { username: 'canbo.soct', display_name: 'Cán bộ Sở Công Thương', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_CT' },
  { username: 'canbo.soyt', display_name: 'Cán bộ Sở Y tế', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_YT' },
  // Officers of agencies that register their datasets through the catalogue page in the demo.
  { username: 'canbo.vpubnd', display_name: 'Cán bộ Văn phòng UBND tỉnh', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'VP_UBND' },
  { username: 'canbo.sonnmt', display_name: 'Cán bộ Sở Nông nghiệp và Môi trường', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_NNMT' },
  { username: 'canbo.sogddt', display_name: 'Cán bộ Sở Giáo dục và Đào tạo', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_GDDT' },
  { username: 'canbo.soxd', display_name: 'Cán bộ Sở Xây dựng', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'SO_XD' },
  { username: 'canbo.x07210', display_name: 'Cán bộ UBND Phường Bắc Giang', password: DEMO_PASSWORD, role: 'agency_officer', agency: 'UBND_X07210', commune_code: '07210' },
]
