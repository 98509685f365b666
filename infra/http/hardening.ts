import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RateLimiter, tooMany } from './rate-limiter.ts'

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


declare module 'fastify' {
  interface FastifyRequest {
    /** Counts the answers a request asks for against the caller's rate (set for the API's routes). */
    chargeRate: ((answers: number) => void) | null
  }
}

export interface HardeningOptions {
  /** API requests per caller (the verified account, else the address) per minute. */
  apiPerMinute: number
}

export function hardening(app: FastifyInstance, opts: HardeningOptions) {
  const apiCalls = new RateLimiter(opts.apiPerMinute, 60_000)
  // Keyed on who the gate verified: a token with junk appended is refused there, not counted apart.
  const callerKey = (req: FastifyRequest) => (req.caller.role === 'public' ? `ip:${req.ip}` : `${req.caller.via}:${req.caller.account}`)

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v)
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000')
    return payload
  })

  const charge = (req: FastifyRequest, reply: FastifyReply, weight: number) => {
    const wait = apiCalls.hit(callerKey(req), weight)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      throw tooMany(wait, `Quá nhiều yêu cầu; thử lại sau ${wait} giây`, `Too many requests; try again in ${wait} s`)
    }
  }
  app.decorateRequest('chargeRate', null)
  app.addHook('preHandler', async (req, reply) => {
    const url = req.routeOptions.url ?? ''
    if (url.startsWith('/api/') || url.startsWith('/cubejs-api/')) {
      charge(req, reply, 1)
      // A request that asks for several answers (GraphQL's cube fields) counts each past the first.
      req.chargeRate = (answers: number) => (answers > 1 ? charge(req, reply, answers - 1) : undefined)
    }
  })
}
