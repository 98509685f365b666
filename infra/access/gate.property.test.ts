import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { startService, type RunningService } from '../app/service/start-service.ts'
import { tempDir } from '../testing/temp-warehouse.ts'
import { signJwt } from './tokens.ts'

let service: RunningService
let tokens: string[] = []
beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: tempDir('kho-gate-fuzz-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_API_RATE_PER_MIN: '1000000', KHO_LOGIN_ATTEMPTS: '10000', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '100000' }),
  )
  // The marts exist (empty), so a query reaches the engine instead of stopping at "not built yet".
  await service.demoDone
  const sign = (ctx: Record<string, unknown>) => signJwt(ctx, service.ctx.secret)
  tokens = [sign({ role: 'analyst', sub: 'fuzz.analyst' }), sign({ role: 'agency_officer', agency: 'SO_TC', sub: 'fuzz.officer' }), sign({ role: 'admin', sub: 'fuzz.admin' })]
}, 120_000)
afterAll(() => service?.stop())

/** Text a header can carry (Latin-1 without control characters), odd white space and all. */
const headerText = fc.string({ unit: fc.constantFrom(...'Bearer abcXYZ019-_.!~=+/ \u00a0é%'.split('')), maxLength: 80 })
const authHeader = fc.oneof(
  fc.constant(undefined),
  fc.nat({ max: 2 }).map((i) => `Bearer ${tokens[i]}`),
  fc.tuple(fc.nat({ max: 2 }), headerText).map(([i, junk]) => `Bearer ${tokens[i]}${junk}`),
  headerText,
)
const param = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('dan_cu', 'kt_xh_quy', 'digest-x', '..', '%00', "'; DROP TABLE meta.loads; --", 'a.xlsx'))
const body = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), fc.constant('['.repeat(5000)))
const query = fc.oneof(fc.constant(''), fc.dictionary(fc.constantFrom('query', 'agency', 'dataset', 'limit', 'days', 'format', 'day', 'from', 'to', 'review'), fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)))).map((d) => `?${new URLSearchParams(d)}`))

describe('the gate under fuzzed requests (property-based)', () => {
  it('answers every route, whatever the method, path parameters, query, body and headers, with no 5xx', async () => {
    // Routes that change the warehouse on purpose (service-token routes) answer fuzz 401 before any work.
    const routes = service.app.routeList.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
    expect(routes.length).toBeGreaterThan(50)
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: routes.length - 1 }), fc.array(param, { minLength: 3, maxLength: 3 }), query, body, authHeader, fc.option(headerText), async (i, params, qs, payload, auth, purpose) => {
        const route = routes[i]!
        let n = 0
        const url = route.url.replace(/:[a-z]+|\*/g, () => encodeURIComponent(params[n++ % 3]!)) + qs
        const res = await service.app.inject({
          method: route.method as 'GET',
          url,
          headers: {
            ...(auth !== undefined ? { authorization: auth } : {}),
            ...(purpose ? { 'x-kho-purpose': purpose } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(payload !== undefined && route.method !== 'GET' ? { payload } : {}),
        })
        expect(res.statusCode, `${route.method} ${url} → ${res.body.slice(0, 300)}`).toBeLessThan(500)
      }),
      { numRuns: Number(process.env.KHO_FUZZ_RUNS ?? 400) },
    )
  }, 300_000)

  it('answers any Cube query, as any caller, through every query route with no 5xx', async () => {
    const members = ['kt_xh.value', 'kt_xh.period_start', 'population.people', 'population.age_band', 'citizens.full_name', 'submissions.agency', 'x']
    const filter: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      f: fc.oneof(
        { depthSize: 'small' },
        fc.record({ member: fc.constantFrom(...members), operator: fc.constantFrom('equals', 'gt', 'inDateRange', 'beforeDate', 'notEquals', 'set'), values: fc.array(fc.oneof(fc.string(), fc.constantFrom('2026-02-30', '2026-01-01', '1e400', 'NaN')), { maxLength: 3 }) }),
        fc.record({ and: fc.array(tie('f'), { maxLength: 2 }) }),
        fc.record({ or: fc.array(tie('f'), { maxLength: 2 }) }),
      ),
    })).f
    const cubeQuery = fc.record(
      {
        measures: fc.array(fc.constantFrom(...members), { maxLength: 2 }),
        dimensions: fc.array(fc.constantFrom(...members), { maxLength: 2 }),
        filters: fc.array(filter, { maxLength: 2 }),
        timeDimensions: fc.array(fc.record({ dimension: fc.constantFrom(...members), granularity: fc.constantFrom('month', 'year'), dateRange: fc.oneof(fc.tuple(fc.string(), fc.string()), fc.constantFrom('last year', 'this month', 'next decade')) }, { requiredKeys: ['dimension'] }), { maxLength: 1 }),
        order: fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom(...members), fc.constantFrom('asc', 'desc'))),
        ungrouped: fc.boolean(),
        total: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(cubeQuery, fc.constantFrom('/cubejs-api/v1/load', '/cubejs-api/v1/sql', '/cubejs-api/v1/dry-run', '/api/export'), authHeader, async (q, url, auth) => {
        const res = await service.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(auth !== undefined ? { authorization: auth } : {}) }, payload: JSON.stringify({ query: q }) })
        expect(res.statusCode, `${url} ${JSON.stringify(q)} → ${res.body.slice(0, 300)}`).toBeLessThan(500)
      }),
      { numRuns: Number(process.env.KHO_FUZZ_RUNS ?? 400) },
    )
  }, 300_000)
})
