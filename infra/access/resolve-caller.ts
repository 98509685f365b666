import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { HttpError } from '../http/http-error.ts'
import type { Warehouse } from '../warehouse/client.ts'
import { findAccount } from './accounts.ts'
import { ROLES } from '../contracts/session.ts'
import { PUBLIC, type Caller } from './caller.ts'
import { looksLikeSystemKey, systemCaller, systemOfKey } from './system-keys.ts'
import { TokenError, verifyJwt } from './tokens.ts'
import * as clock from '../time/clock.ts'

/** A credential that was presented and does not hold: always a 401, never the public. */
export class AuthError extends HttpError {
  constructor(vi: string, en: string) {
    super(401, 'unauthorized', vi, en)
  }
}

/** A Cube-style token's security context, as server-side parts sign it. */
const cubeContext = z.object({
  sub: z.string().max(200).optional(),
  role: z.enum(ROLES),
  agency: z.string().max(40).default(''),
  commune_code: z.string().max(5).default(''),
  personal_data: z.boolean().default(false),
  purpose: z.string().max(500).default(''),
})

/** The characters a JWT is written in. */
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * The token in `Authorization: <token>` or `Authorization: Bearer <token>` (one ASCII space), null
 * when the header is absent or empty. Anything else — another scheme, odd white space such as a
 * no-break space, characters outside base64url — is refused, not read as anonymous.
 */
export function bearerToken(req: FastifyRequest): string | null {
  const raw = req.headers.authorization
  if (raw === undefined || raw === '') return null
  const token = /^Bearer /i.test(raw) ? raw.slice(7) : raw
  if (looksLikeSystemKey(token)) return token
  if (!TOKEN.test(token)) throw new AuthError('Tiêu đề Authorization không đúng dạng "Bearer <mã truy cập>"', 'The Authorization header is not "Bearer <token>"')
  return token
}

function purposeHeader(req: FastifyRequest): string {
  const raw = String(req.headers['x-kho-purpose'] ?? '').slice(0, 2000)
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

export interface CallerDeps {
  wh: Warehouse
  secret: string
  /** Longest a token may still be valid for (seconds). */
  maxTokenSeconds: number
}

/**
 * Who is asking. A kho session token names an account, which is read again on every request: a
 * disabled account, or one whose role or grant changed since the token was issued (its token
 * version moved on), is refused at once. A Cube-style token carries its security context. No
 * token is the public, who see open data only.
 */
/** The routes an account that must change its password may still call. */
const WHILE_PASSWORD_RESET = new Set(['/api/auth/password', '/api/auth/me'])

/** A client address as lists write it (an IPv4 address, not its IPv6-mapped form). */
const plainAddress = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

export async function resolveCaller(req: FastifyRequest, deps: CallerDeps): Promise<Caller> {
  const token = bearerToken(req)
  if (token === null) return PUBLIC
  if (looksLikeSystemKey(token)) {
    const system = await systemOfKey(deps.wh, token, plainAddress(req.ip), clock.today())
    if ('vi' in system) throw new AuthError(system.vi, system.en)
    return systemCaller(system, purposeHeader(req), 'system-key')
  }
  let payload: Record<string, unknown>
  try {
    payload = verifyJwt(token, deps.secret, deps.maxTokenSeconds)
  } catch (err) {
    const reason = err instanceof TokenError ? err.message : 'invalid token'
    throw new AuthError(`Mã truy cập không hợp lệ (${reason}); hãy đăng nhập lại`, `Invalid token (${reason}); sign in again`)
  }
  if (payload.kho_session === true) {
    const account = typeof payload.sub === 'string' ? await findAccount(deps.wh, payload.sub) : null
    if (!account || account.disabled) throw new AuthError('Tài khoản không tồn tại hoặc đã bị khóa', 'The account does not exist or is disabled')
    if (payload.ver !== account.token_version) {
      throw new AuthError('Quyền của tài khoản đã thay đổi; hãy đăng nhập lại', 'The account’s access changed since this token was issued; sign in again')
    }
    if (account.must_change_password && !WHILE_PASSWORD_RESET.has(req.routeOptions.url ?? '')) {
      throw new HttpError(403, 'password_change_required', 'Mật khẩu đã được đặt lại: hãy đổi mật khẩu trước khi dùng tiếp', 'The password was reset: choose a new one before going on')
    }
    return {
      account: account.username,
      role: account.role,
      agency: account.agency,
      communeCode: account.commune_code,
      personalData: account.personal_data,
      purpose: purposeHeader(req),
      via: 'session',
    }
  }
  const parsed = cubeContext.safeParse((payload.securityContext as object | undefined) ?? payload)
  if (!parsed.success) throw new AuthError('Mã truy cập thiếu ngữ cảnh bảo mật (role…)', 'The token carries no valid security context (role…)')
  const c = parsed.data
  return {
    account: c.sub ?? `jwt:${c.role}`,
    role: c.role,
    agency: c.agency,
    communeCode: c.commune_code,
    personalData: c.personal_data,
    purpose: purposeHeader(req) || c.purpose,
    via: 'jwt',
  }
}
