import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import { SERVICE_TOKEN_HEADER } from '../../infra/access/gate.ts'
import { buildSql, QueryError, validateQuery } from './cube-query.ts'

let service: RunningService
let token: string
beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: tempDir('kho-fuzz-'), PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_API_RATE_PER_MIN: '100000' }),
  )
  token = signJwt({ role: 'analyst', sub: 'fuzz' }, service.ctx.secret)
}, 60_000)
afterAll(() => service?.stop())

const members = ['kt_xh.value', 'kt_xh.indicator_code', 'kt_xh.period', 'kt_xh.period_start', 'kt_xh.nope', 'population.people', 'x', '', "kt_xh.value'; DROP TABLE meta.loads; --"]
const hostile = fc.constantFrom("' OR 1=1 --", "'; DROP TABLE meta.loads; --", '{x:String}', '\\', '%', '_', '\u0000', 'Đ'.repeat(300), ')) UNION SELECT * FROM meta.accounts --')

/** Queries close enough to real ones to reach deep into validation and SQL building. */
const nearQuery = fc.record(
  {
    measures: fc.array(fc.oneof(fc.constantFrom(...members), fc.anything()), { maxLength: 3 }),
    dimensions: fc.array(fc.oneof(fc.constantFrom(...members), fc.anything()), { maxLength: 3 }),
    filters: fc.array(
      fc.record({ member: fc.constantFrom(...members), operator: fc.oneof(fc.constantFrom('equals', 'contains', 'gt', 'inDateRange', 'set', 'bogus'), fc.anything()), values: fc.array(fc.oneof(hostile, fc.string(), fc.anything()), { maxLength: 3 }) }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
    timeDimensions: fc.array(fc.record({ dimension: fc.constantFrom(...members), granularity: fc.constantFrom('month', 'year', 'fortnight'), dateRange: fc.oneof(fc.constant(['2026-01-01', '2026-03-31']), fc.string(), fc.anything()) }, { requiredKeys: [] }), { maxLength: 2 }),
    limit: fc.oneof(fc.integer(), fc.double(), fc.string()),
    order: fc.anything(),
  },
  { requiredKeys: [] },
)

describe('query input (property-based)', () => {
  it('any JSON is either a valid query or a QueryError with a reason in both languages, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearQuery), (raw) => {
        try {
          const q = validateQuery(service.ctx.model.now.semantic, raw)
          buildSql(service.ctx.model.now.semantic, q)
        } catch (err) {
          expect(err).toBeInstanceOf(QueryError)
          expect((err as QueryError).vi.length).toBeGreaterThan(0)
          expect((err as QueryError).en.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('the API answers 200 or 4xx to any query, and SQL-ish filter values stay values', async () => {
    const ask = (query: unknown) => fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    // Before the first transform run the marts do not exist: a clear 503, not a server error.
    const early = await ask({ measures: ['kt_xh.value'] })
    const earlyBody = (await early.json()) as { error: string }
    expect(early.status, JSON.stringify(earlyBody)).toBe(503)
    expect(earlyBody.error).toContain('chưa được dựng')
    await service.ctx.transforms.run()
    const samples = fc.sample(fc.oneof(fc.jsonValue(), nearQuery), { numRuns: 150, seed: 7 })
    for (const query of samples) {
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      expect([200, 400, 403], JSON.stringify(query)).toContain(res.status)
    }
    for (const value of fc.sample(hostile, { numRuns: 20, seed: 3 })) {
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [value] }] } }),
      })
      const body = (await res.json()) as { data: unknown[] }
      expect(res.status, `${JSON.stringify(value)}: ${JSON.stringify(body)}`).toBe(200)
      expect(body.data).toEqual([{ 'kt_xh.value': null }])
    }
    // A time member takes real dates only, whatever the operator (found by the gate's fuzzing: 2026-02-30 was a 500).
    for (const [operator, values] of [['equals', ['2026-02-30']], ['notEquals', ['hôm qua']], ['gt', ['2026-13-01']], ['contains', ['2026']]] as const) {
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: { measures: ['kt_xh.value'], filters: [{ member: 'kt_xh.period_start', operator, values }] } }),
      })
      const body = (await res.json()) as { message_en?: string; error?: unknown }
      expect([operator, res.status], JSON.stringify(body)).toEqual([operator, 400])
      expect(JSON.stringify(body)).toMatch(/real calendar date|apply to/)
    }
    const health = (await (await fetch(`${service.url}/healthz`, { headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token } })).json()) as { tables: Record<string, number> }
    expect(Object.keys(health.tables)).toEqual(expect.arrayContaining(['meta.loads', 'meta.accounts']))
  })
})
