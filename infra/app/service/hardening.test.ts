import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { RateLimiter } from '../../http/rate-limiter.ts'
import { signJwt } from '../../access/tokens.ts'
import { startService, type RunningService } from './start-service.ts'

let service: RunningService
beforeAll(async () => {
  service = await startService(
    loadConfig({
      ...process.env,
      KHO_HOME: tempDir('kho-hardening-'),
      PORT: '0',
      HOST: '127.0.0.1',
      KHO_DEMO: 'off',
      KHO_LOG_LEVEL: 'silent',
      KHO_INBOX_POLL_S: '0',
      KHO_ADMIN_USER: 'quantri',
      KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai',
      KHO_LOGIN_ATTEMPTS: '5',
      KHO_API_RATE_PER_MIN: '40',
    }),
  )
})
afterAll(() => service?.stop())

const login = (username: string, password: string) =>
  fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })

describe('hardening', () => {
  it('sends security headers, and a request id (the one given, or a new one)', async () => {
    for (const path of ['/', '/api/catalog', '/healthz']) {
      const res = await fetch(service.url + path)
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'")
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
    const traced = await fetch(`${service.url}/healthz`, { headers: { 'x-request-id': 'proxy-abc-123' } })
    expect(traced.headers.get('x-request-id')).toBe('proxy-abc-123')
  })

  it('does not take a cookie as a session: cross-site requests carry no authority', async () => {
    const res = await fetch(`${service.url}/api/auth/me`, { headers: { cookie: 'session=anything; token=x' } })
    expect(res.status).toBe(401)
  })

  it('slows down password guessing per account and address, without locking out others', async () => {
    for (let i = 0; i < 5; i++) expect((await login('quantri', 'doan-sai')).status).toBe(401)
    const blocked = await login('quantri', 'mat-khau-rat-dai')
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toContain('Đăng nhập quá nhiều lần')
    expect((await login('nguoi-khac', 'doan-sai')).status).toBe(401)
  })

  it('limits API calls per caller per minute', async () => {
    const statuses: number[] = []
    const analyst = signJwt({ role: 'analyst', sub: 'nhieu.yeu.cau' }, service.ctx.secret)
    for (let i = 0; i < 45; i++) statuses.push((await fetch(`${service.url}/api/catalog/sectors`, { headers: { authorization: `Bearer ${analyst}` } })).status)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)
    expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(35)
    // The same token with characters appended is not another caller: it is refused outright.
    expect((await fetch(`${service.url}/api/catalog/sectors`, { headers: { authorization: `Bearer ${analyst}~~` } })).status).toBe(401)
    // Another caller is not affected, and health checks are never limited.
    expect((await fetch(`${service.url}/api/catalog/sectors`)).status).toBe(200)
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
  })

  it('counts each query of a multi-query request against the rate, and bounds their number', async () => {
    const analyst = (sub: string) => `Bearer ${signJwt({ role: 'analyst', sub }, service.ctx.secret)}`
    const multi = (n: number, authorization?: string) =>
      fetch(`${service.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ queryType: 'multi', query: Array.from({ length: n }, () => ({ measures: ['kt_xh.value'] })) }),
      })
    const reason = async (res: Response) => ((await res.json()) as { message_en: string }).message_en
    expect(await reason(await multi(26, analyst('nhieu.truy.van')))).toBe('The request carries 26 queries, at most 25')
    expect(await reason(await multi(4))).toBe('The request carries 4 queries, at most 3')
    // 40 a minute: two requests of 20 queries use the minute up (each had counted once before).
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await multi(20, analyst('hai.muoi.truy.van'))).status)
    expect(statuses.slice(0, 2)).not.toContain(429)
    expect(statuses[2]).toBe(429)
  })

  it('counts windows on a controllable clock', () => {
    let t = 0
    const limiter = new RateLimiter(2, 1000, () => t)
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0, 1])
    expect(limiter.hit('b')).toBe(0)
    t = 1000
    expect(limiter.hit('a')).toBe(0)
  })
})

describe('observability', () => {
  it('serves Prometheus metrics: requests and latencies by route, loads, jobs, cache', async () => {
    await fetch(`${service.url}/api/catalog/indicators/GRDP_CUR`)
    await fetch(`${service.url}/api/catalog/indicators/NOPE`)
    // Closed to the public; open to a steward's token (or a configured scraper address).
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401)
    const res = await fetch(`${service.url}/metrics`, { headers: { authorization: signJwt({ role: 'steward' }, service.ctx.secret) } })
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toContain('kho_http_requests_total{method="GET",route="/api/catalog/indicators/:code",status="200"} 1')
    expect(text).toContain('kho_http_requests_total{method="GET",route="/api/catalog/indicators/:code",status="404"} 1')
    expect(text).toMatch(/kho_http_request_duration_seconds_bucket\{route="\/api\/catalog\/indicators\/:code",le="\+Inf"\} 2/)
    expect(text).toContain('# TYPE kho_loads_total counter')
    expect(text).toContain('kho_result_cache_hits_total ')
    expect(text).toMatch(/kho_process_resident_memory_bytes \d+/)
  })
})
