import { reasonText } from '../contracts/audit-words.ts'
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify'
import { HttpError } from '../http/http-error.ts'
import type { Role } from '../contracts/session.ts'
import type { AuditLog } from './audit-log.ts'
import { PUBLIC, type Caller } from './caller.ts'
import { agencyOfKey } from './push-keys.ts'
import { OUTSIDE_NETWORK, type AccountNetworks } from './account-networks.ts'
import { resolveCaller, type CallerDeps } from './resolve-caller.ts'

/**
 * Who may call a route, declared where the route is registered:
 * - public: anyone (a presented credential must still hold);
 * - roles: a signed-in account with one of these roles ('any': every role), optionally also the
 *   local CLI's service token, or a request from one of the listed client addresses;
 * - service-token: the local CLI only (the token in service.json);
 * - push-key: an agency's system with its push key;
 * - system-key: a registered consuming system with its key (its feeds), and nobody else.
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'roles'; roles: readonly Role[] | 'any'; serviceToken: boolean; addresses: readonly string[] }
  | { kind: 'service-token' }
  | { kind: 'push-key' }
  | { kind: 'system-key' }

export const access = {
  public: { kind: 'public' } as RouteAccess,
  signedIn: { kind: 'roles', roles: 'any', serviceToken: false, addresses: [] } as RouteAccess,
  /** Any signed-in account, or the local CLI with the service token. */
  signedInOrService: { kind: 'roles', roles: 'any', serviceToken: true, addresses: [] } as RouteAccess,
  roles: (...roles: Role[]): RouteAccess => ({ kind: 'roles', roles, serviceToken: false, addresses: [] }),
  /** These roles, or the local CLI with the service token. */
  rolesOrService: (...roles: Role[]): RouteAccess => ({ kind: 'roles', roles, serviceToken: true, addresses: [] }),
  serviceToken: { kind: 'service-token' } as RouteAccess,
  pushKey: { kind: 'push-key' } as RouteAccess,
  systemKey: { kind: 'system-key' } as RouteAccess,
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
  }
  interface FastifyRequest {
    /** Resolved by the gate before any handler runs. */
    caller: Caller
  }
}

/** Route options that declare access: `app.get(url, allow(access.signedIn), handler)`. */
export function allow(a: RouteAccess, options: RouteShorthandOptions = {}): RouteShorthandOptions & { config: { access: RouteAccess } } {
  return { ...options, config: { ...(options.config as object | undefined), access: a } }
}

export const SERVICE_TOKEN_HEADER = 'x-kho-service-token'

/** The local CLI, proven by the token in service.json. */
const SERVICE: Caller = { ...PUBLIC, account: 'kho-cli', role: 'system', via: 'service-token' }

export interface GateDeps extends CallerDeps {
  /** Where accounts may be used from (Đắk Nông Điều 10.2). */
  accountNetworks: AccountNetworks
  /** The token in service.json (local CLI commands). */
  serviceToken: string
  audit: AuditLog
}

function hasServiceToken(req: FastifyRequest, token: string): boolean {
  const given = Buffer.from(String(req.headers[SERVICE_TOKEN_HEADER] ?? ''))
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const unauthorized = (vi: string, en: string) => new HttpError(401, 'unauthorized', vi, en)

/** Every registered route and its declaration (null: undeclared, refused to everyone). */
export type RouteList = { method: string; url: string; access: RouteAccess | null }[]

/**
 * The one gate: resolves the caller and enforces each route's declared access in an onRequest
 * hook, before the body is read and before any handler runs. A route registered without a
 * declaration refuses everyone. Every refusal is audited.
 */
export function accessGate(app: FastifyInstance, deps: GateDeps): RouteList {
  const routes: RouteList = []
  app.decorateRequest('caller', null as unknown as Caller)
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, access: (r.config as { access?: RouteAccess } | undefined)?.access ?? null })
  })

  async function admit(req: FastifyRequest, decl: RouteAccess | undefined): Promise<Caller> {
    if (!decl) throw new HttpError(403, 'undeclared', 'Đường dẫn này chưa khai báo quyền truy cập nên bị từ chối', 'This route declares no access, so it refuses everyone')
    if (decl.kind === 'push-key') {
      const presented = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '').replace(/^Bearer /i, '')
      const agency = presented ? await agencyOfKey(deps.wh, presented) : null
      if (!agency) {
        throw new HttpError(401, 'api_key', 'Khóa API không hợp lệ hoặc đã bị thu hồi (gửi trong Authorization: Bearer kho_…)', 'The API key is missing, invalid or revoked (send Authorization: Bearer kho_…)')
      }
      return { ...PUBLIC, account: `key:${presented.split('_')[1]}`, role: 'system', agency, via: 'push-key' }
    }
    const service = hasServiceToken(req, deps.serviceToken)
    if (decl.kind === 'service-token') {
      if (!service) throw unauthorized('Cần mã quản trị của dịch vụ', 'The service admin token is required')
      return SERVICE
    }
    // The local CLI may do what the route lets it (public routes answer it as a steward would be answered).
    if (service && (decl.kind === 'public' || (decl.kind === 'roles' && decl.serviceToken))) return SERVICE
    const caller = await resolveCaller(req, deps)
    req.caller = caller
    if (caller.via === 'session' && !deps.accountNetworks.allows(req.ip)) throw new HttpError(403, 'outside_network', OUTSIDE_NETWORK.vi, OUTSIDE_NETWORK.en)
    if (decl.kind === 'system-key') {
      if (caller.role === 'system' && caller.via === 'system-key') return caller
      throw unauthorized('Chỉ hệ thống khai thác có khóa được gọi (Authorization: Bearer kho_sys_…)', 'Only a consuming system with its key may call this (Authorization: Bearer kho_sys_…)')
    }
    // A registered system's key reaches the Cube API and nothing else, public routes included
    // (an export, the open-data pages): what it may read is the views it was given, logged as it.
    if (caller.role === 'system' && !(req.routeOptions.url ?? '').startsWith('/cubejs-api/')) {
      throw new HttpError(403, 'forbidden', 'Hệ thống khai thác chỉ được đọc qua Cube API', 'A consuming system may only read through the Cube API')
    }
    if (decl.kind === 'public') return caller
    if (caller.role === 'public' && decl.addresses.includes(req.ip)) return { ...caller, via: 'address' }
    if (caller.role === 'public') throw unauthorized('Cần đăng nhập', 'Sign in first')
    // A registered system is read-only: it matches no role, 'any' included.
    if (caller.role === 'system') throw new HttpError(403, 'forbidden', 'Hệ thống khai thác chỉ được đọc qua Cube API', 'A consuming system may only read through the Cube API')
    if (decl.roles !== 'any' && !decl.roles.includes(caller.role as Role)) {
      throw new HttpError(403, 'forbidden', `Vai trò ${caller.role} không được dùng chức năng này`, `Role ${caller.role} may not do this`)
    }
    return caller
  }

  app.addHook('onRequest', async (req) => {
    req.caller = PUBLIC
    if (req.is404) return
    try {
      req.caller = await admit(req, req.routeOptions.config.access)
    } catch (err) {
      if (err instanceof HttpError) {
        deps.audit.recordRequest(req, { endpoint: `${req.method} ${req.routeOptions.url ?? ''}`, outcome: 'denied', reason: reasonText(err.vi, err.en) })
      }
      throw err
    }
  })
  return routes
}

