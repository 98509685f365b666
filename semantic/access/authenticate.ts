import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { HttpError } from '../../infra/service/http-error.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { findAccount, ROLES } from './accounts.ts'
import { PUBLIC, type SecurityContext } from './policy.ts'
import { TokenError, verifyJwt } from './tokens.ts'

export class AuthError extends Error {
  constructor(
    readonly vi: string,
    readonly en: string,
  ) {
    super(en)
  }
}

/** A Cube-style token's security context, as API clients sign it. */
const cubeContext = z.object({
  sub: z.string().optional(),
  role: z.enum(ROLES),
  agency: z.string().default(''),
  commune_code: z.string().default(''),
  personal_data: z.boolean().default(false),
  purpose: z.string().default(''),
})

function bearer(req: FastifyRequest): string {
  return String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim()
}

function purposeHeader(req: FastifyRequest): string {
  const raw = String(req.headers['x-kho-purpose'] ?? '')
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/**
 * Who is asking. `Authorization: <token>` or `Bearer <token>` carries a kho session token (from
 * /api/auth/login; the account is re-read, so a disabled account stops at once) or a Cube-style
 * JWT with a security context; no token is the public, who see open data only.
 */
export async function securityContextOf(req: FastifyRequest, deps: { wh: Warehouse; secret: string }): Promise<SecurityContext> {
  const token = bearer(req)
  if (!token) return PUBLIC
  let payload: Record<string, unknown>
  try {
    payload = verifyJwt(token, deps.secret)
  } catch (err) {
    const reason = err instanceof TokenError ? err.message : 'invalid token'
    throw new AuthError(`Mã truy cập không hợp lệ (${reason}); hãy đăng nhập lại`, `Invalid token (${reason}); sign in again`)
  }
  if (payload.kho_session === true && typeof payload.sub === 'string') {
    const account = await findAccount(deps.wh, payload.sub)
    if (!account || account.disabled) throw new AuthError('Tài khoản không tồn tại hoặc đã bị khóa', 'The account does not exist or is disabled')
    return {
      account: account.username,
      role: account.role,
      agency: account.agency,
      communeCode: account.commune_code,
      personalData: account.personal_data,
      purpose: purposeHeader(req),
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
  }
}

/** securityContextOf for plain API routes: a bad token is an HTTP 401 with its reason. */
export async function callerOf(req: FastifyRequest, deps: { wh: Warehouse; secret: string }): Promise<SecurityContext> {
  try {
    return await securityContextOf(req, deps)
  } catch (err) {
    if (err instanceof AuthError) throw new HttpError(401, 'unauthorized', err.vi, err.en)
    throw err
  }
}

/** The caller, who must be signed in and hold one of `roles` (any role when omitted). */
export async function requireRole(req: FastifyRequest, deps: { wh: Warehouse; secret: string }, roles?: readonly string[]): Promise<SecurityContext> {
  const sec = await callerOf(req, deps)
  if (sec.role === 'public') throw new HttpError(401, 'unauthorized', 'Cần đăng nhập', 'Sign in first')
  if (roles && !roles.includes(sec.role)) throw new HttpError(403, 'forbidden', `Vai trò ${sec.role} không được dùng chức năng này`, `Role ${sec.role} may not do this`)
  return sec
}

/** Which agency's rows a signed-in caller sees: an officer its own; provincial roles the one asked for, or all (''). */
export async function agencyScopeOf(req: FastifyRequest, deps: { wh: Warehouse; secret: string }, asked: string | undefined): Promise<string> {
  const sec = await requireRole(req, deps)
  return sec.role === 'agency_officer' ? sec.agency : (asked ?? '')
}
