import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * HS256 JSON Web Tokens: kho's session tokens and the Cube-style tokens API clients sign with
 * the same secret (as Cube's CUBEJS_API_SECRET), carrying a security context.
 */
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export class TokenError extends Error {}

export function signJwt(payload: Record<string, unknown>, secret: string, ttlSeconds = 12 * 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify({ iat: now, exp: now + ttlSeconds, ...payload }))
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
  return `${header}.${body}.${signature}`
}

export function verifyJwt(token: string, secret: string): Record<string, unknown> {
  const parts = token.split('.')
  if (parts.length !== 3) throw new TokenError('malformed token')
  const [header, body, signature] = parts as [string, string, string]
  let alg: unknown
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg
  } catch {
    throw new TokenError('malformed token header')
  }
  if (alg !== 'HS256') throw new TokenError('only HS256 tokens are accepted')
  const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('bad signature')
  let payload: Record<string, unknown>
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>
  } catch {
    throw new TokenError('malformed token body')
  }
  if (typeof payload.exp === 'number' && payload.exp < Date.now() / 1000) throw new TokenError('token expired')
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
