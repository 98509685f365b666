import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * HS256 JSON Web Tokens: kho's session tokens and the Cube-style tokens server-side parts sign with
 * the same secret (as Cube's CUBEJS_API_SECRET), carrying a security context. Written here rather
 * than taken from a JWT library because kho needs exactly one algorithm, strict base64url and a
 * mandatory, bounded expiry — a dozen lines that are easier to audit than a library's options.
 */
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

/** A base64url segment as JWTs carry it: no padding, no other characters. */
const SEGMENT = /^[A-Za-z0-9_-]+$/

export class TokenError extends Error {}

export function signJwt(payload: Record<string, unknown>, secret: string, ttlSeconds = 12 * 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify({ iat: now, exp: now + ttlSeconds, ...payload }))
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
  return `${header}.${body}.${signature}`
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString()) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new TokenError(`malformed token ${what}`)
}

/**
 * Checks a token: three strict base64url segments, HS256, the exact signature (compared in
 * constant time as text, so characters a lenient decoder would skip still count), and an expiry
 * no further away than `maxTtlSeconds` — a token that never expires is refused.
 */
export function verifyJwt(token: string, secret: string, maxTtlSeconds = 12 * 3600): Record<string, unknown> {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw new TokenError('malformed token')
  const [header, body, signature] = parts as [string, string, string]
  if (decodeJson(header, 'header').alg !== 'HS256') throw new TokenError('only HS256 tokens are accepted')
  const expected = Buffer.from(createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url'))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('bad signature')
  const payload = decodeJson(body, 'body')
  const now = Date.now() / 1000
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new TokenError('the token has no expiry (exp)')
  if (payload.exp < now) throw new TokenError('token expired')
  if (payload.exp > now + maxTtlSeconds + 60) throw new TokenError(`the token lives longer than ${Math.round(maxTtlSeconds / 3600)} h`)
  return payload
}

/** The signing secret: KHO_SECRET, or one generated once and kept in <home>/secret (mode 0600). */
export function loadSecret(home: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv
  const file = path.join(home, 'secret')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(home, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  fs.writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
