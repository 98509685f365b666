import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from './http-error.ts'

/**
 * Security headers on every response. The dashboards' scripts and styles all come from kho itself;
 * charts set inline style attributes, hence 'unsafe-inline' for styles only. Nothing may frame kho
 * (clickjacking). Sessions travel in the Authorization header, never in cookies, so a page on
 * another site cannot make a signed-in request on a user's behalf (no CSRF surface).
 */
const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
}

/** A fixed-window counter per key: simple, bounded, and enough for one machine. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const t = this.now()
    let w = this.windows.get(key)
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 }
      this.windows.set(key, w)
      // Forget old windows now and then so the map stays small.
      if (this.windows.size > 10_000) for (const [k, v] of this.windows) if (t - v.start >= this.windowMs) this.windows.delete(k)
    }
    w.count++
    return w.count > this.limit ? Math.ceil((w.start + this.windowMs - t) / 1000) : 0
  }
}

const tooMany = (retryAfter: number, vi: string, en: string) => Object.assign(new HttpError(429, 'rate_limited', vi, en), { retryAfter })

export interface HardeningOptions {
  /** Sign-in attempts per account name and client address in 5 minutes. */
  loginAttempts: number
  /** API requests per caller (token, else address) per minute. */
  apiPerMinute: number
}

export function hardening(app: FastifyInstance, opts: HardeningOptions) {
  const login = new RateLimiter(opts.loginAttempts, 5 * 60_000)
  const apiCalls = new RateLimiter(opts.apiPerMinute, 60_000)
  const callerKey = (req: FastifyRequest) => String(req.headers.authorization ?? '').slice(-43) || req.ip

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v)
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000')
    return payload
  })

  app.addHook('preHandler', async (req, reply) => {
    const url = req.routeOptions.url ?? ''
    if (url === '/api/auth/login' && req.method === 'POST') {
      const user = String((req.body as { username?: unknown } | undefined)?.username ?? '').slice(0, 64)
      const wait = login.hit(`${req.ip}|${user}`)
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        throw tooMany(wait, `Đăng nhập sai quá nhiều lần; thử lại sau ${wait} giây`, `Too many sign-in attempts; try again in ${wait} s`)
      }
      return
    }
    if (url.startsWith('/api/') || url.startsWith('/cubejs-api/')) {
      const wait = apiCalls.hit(callerKey(req))
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        throw tooMany(wait, `Quá nhiều yêu cầu; thử lại sau ${wait} giây`, `Too many requests; try again in ${wait} s`)
      }
    }
  })
}
