import { reasonWords } from '../contracts/audit-words.ts'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../testing/temp-warehouse.ts'
import { useProbeService, type ProbeRole } from '../testing/probe-service.ts'
import { queryRows } from '../warehouse/client.ts'
import { AuditLog } from './audit-log.ts'
import { openAuditSeal } from './audit-seal.ts'
import { accessGate, SERVICE_TOKEN_HEADER } from './gate.ts'
import { AccountNetworks } from './account-networks.ts'

/* The gate: every route declared, each role answered as the matrix says, refusals audited; and the secret store's routes. */
const probe = useProbeService()

describe('the gate', () => {
  it('has a declaration for every route fastify registered', () => {
    const undeclared = probe.service.app.routeList.filter((r) => r.access === null).map((r) => `${r.method} ${r.url}`)
    expect(probe.service.app.routeList.length).toBeGreaterThan(50)
    expect(undeclared).toEqual([])
  })

  it('refuses everyone on a route registered without a declaration', async () => {
    const app = Fastify()
    const audit = new AuditLog(probe.service.ctx.wh, openAuditSeal(tempDir('kho-audit-seal-')))
    const routes = accessGate(app, { wh: probe.service.ctx.wh, secret: 's'.repeat(32), maxTokenSeconds: 3600, serviceToken: 't'.repeat(48), audit, accountNetworks: new AccountNetworks([]) })
    app.get('/quen-khai-bao', async () => ({ secret: 'data' }))
    app.get('/cong-khai', { config: { access: { kind: 'public' } } }, async () => ({ ok: true }))
    expect(routes.find((r) => r.url === '/quen-khai-bao')?.access).toBeNull()
    const refused = await app.inject({ method: 'GET', url: '/quen-khai-bao', headers: { [SERVICE_TOKEN_HEADER]: 't'.repeat(48) } })
    expect(refused.statusCode).toBe(403)
    expect(refused.body).not.toContain('data')
    expect((await app.inject({ method: 'GET', url: '/cong-khai' })).statusCode).toBe(200)
    await app.close()
  })

  /**
   * Who may call what, written out by hand: P public, S signed in, L provincial roles (leader,
   * analyst, steward, admin), W stewards and admins, A admins, U uploaders and those answering error reports (officers, stewards,
   * admins), O officers, R those told of alerts (leaders, officers, stewards, admins), C the local CLI only, K an agency's push key only, Y a consuming system's key only. Every registered route is here.
   */
  const MATRIX: [string, string, 'P' | 'S' | 'L' | 'W' | 'A' | 'U' | 'O' | 'R' | 'C' | 'K' | 'Y'][] = [
    ['GET', '/healthz', 'P'], ['GET', '/readyz', 'P'], ['GET', '/status', 'P'], ['GET', '/metrics', 'W'],
    ['GET', '/', 'P'], ['GET', '/assets/khong-co.js', 'P'], ['GET', '/login', 'P'], ['GET', '/kiosk', 'P'], ['GET', '/commune', 'P'], ['GET', '/explorer', 'P'], ['GET', '/portal', 'P'], ['GET', '/sharing', 'P'],
    ['GET', '/quality', 'P'], ['GET', '/catalog', 'P'], ['GET', '/briefings', 'P'], ['GET', '/reports', 'P'], ['GET', '/alerts', 'P'], ['GET', '/admin', 'P'],
    ['GET', '/api/catalog', 'P'], ['GET', '/api/catalog/agencies', 'P'], ['GET', '/api/catalog/agencies/SO_TC', 'P'], ['GET', '/api/catalog/datasets', 'P'],
    ['GET', '/api/catalog/datasets/dan_cu', 'P'], ['GET', '/api/catalog/indicators', 'P'], ['GET', '/api/catalog/indicators/GRDP_CUR', 'P'], ['GET', '/api/catalog/sectors', 'P'], ['GET', '/api/catalog/dictionary', 'P'],
    ['GET', '/api/catalog/admin-units', 'P'], ['GET', '/api/catalog/admin-units/07210', 'P'], ['GET', '/api/datasets/dan_cu/template.xlsx', 'P'],
    ['GET', '/api/open-data', 'P'], ['GET', '/open-data', 'P'], ['GET', '/open-data/khong-co.csv', 'P'],
    ['POST', '/api/auth/login', 'P'], ['GET', '/api/auth/me', 'S'],
    ['GET', '/cubejs-api/v1/load', 'P'], ['POST', '/cubejs-api/v1/load', 'P'], ['GET', '/cubejs-api/v1/meta', 'P'], ['GET', '/cubejs-api/v1/sql', 'P'],
    ['POST', '/cubejs-api/v1/sql', 'P'], ['GET', '/cubejs-api/v1/dry-run', 'P'], ['POST', '/cubejs-api/v1/dry-run', 'P'], ['POST', '/api/export', 'P'], ['POST', '/api/ask', 'S'], ['POST', '/api/trace', 'S'], ['GET', '/cubejs-api/graphql', 'P'], ['POST', '/cubejs-api/graphql', 'P'], ['GET', '/api/live', 'P'],
    ['GET', '/api/lineage', 'S'], ['GET', '/api/freshness', 'S'], ['GET', '/api/transform/runs', 'W'], ['POST', '/api/admin/transform/run', 'C'], ['POST', '/api/admin/transform/test', 'C'],
    ['GET', '/api/submissions/upcoming', 'S'], ['GET', '/api/submissions/overdue', 'S'], ['GET', '/api/submissions/late', 'S'], ['GET', '/api/submissions/digest', 'S'],
    ['GET', '/api/quality/outliers', 'S'], ['POST', '/api/quality/outliers/review', 'W'], ['GET', '/api/quality/rejects', 'S'],
    ['GET', '/api/loads', 'S'], ['GET', '/api/loads/khong-co/rejects.json', 'S'], ['POST', '/api/loads', 'U'], ['POST', '/api/datasets/dan_cu/records', 'K'],
    ['GET', '/api/loads/khong-co/attachments', 'S'], ['GET', '/api/loads/khong-co/events', 'S'], ['POST', '/api/loads/khong-co/attachments', 'U'], ['GET', '/api/catalog/datasets/khong_co/attachments', 'S'],
    ['POST', '/api/catalog/datasets/khong_co/attachments', 'U'], ['GET', '/api/attachments/khong-co', 'S'],
    ['GET', '/api/saved-queries', 'S'], ['POST', '/api/saved-queries', 'S'], ['DELETE', '/api/saved-queries/khong-co', 'S'],
    ['GET', '/api/dashboards/ioc', 'S'], ['GET', '/api/briefings', 'L'], ['GET', '/api/briefings/kt_xh_quy/files/khong-co.xlsx', 'L'], ['POST', '/api/briefings/khong-co/run', 'L'],
    ['GET', '/api/error-reports', 'S'], ['POST', '/api/error-reports', 'S'], ['POST', '/api/error-reports/khong-co/answer', 'U'],
    ['GET', '/api/ranking', 'S'], ['PUT', '/api/ranking/self-assessment', 'U'], ['POST', '/api/ranking/2026-Q1/publish', 'W'],
    ['GET', '/api/open-data/khong-co/versions', 'P'], ['GET', '/api/3/action/package_list', 'P'], ['GET', '/api/3/action/package_show', 'P'], ['GET', '/api/3/action/package_search', 'P'],
    ['POST', '/api/open-data/proposals', 'O'], ['GET', '/api/open-data/proposals', 'U'], ['POST', '/api/open-data/proposals/khong-co/decide', 'W'],
    ['GET', '/api/alerts', 'R'], ['POST', '/api/alerts/check', 'W'], ['GET', '/api/jobs', 'W'], ['POST', '/api/jobs/khong-co/run', 'A'], ['GET', '/api/map/communes', 'S'], ['POST', '/api/map/communes', 'W'],
    ['GET', '/api/admin/accounts', 'W'], ['POST', '/api/admin/accounts', 'A'], ['PATCH', '/api/admin/accounts/khong-co', 'A'], ['GET', '/api/audit', 'W'],
    ['POST', '/api/admin/accounts/khong-co/reset-password', 'A'], ['POST', '/api/auth/password', 'S'], ['GET', '/api/audit/verify', 'W'],
    ['GET', '/api/catalog/proposals', 'S'], ['POST', '/api/catalog/proposals', 'U'], ['POST', '/api/catalog/proposals/khong_co/1/decision', 'W'],
    ['GET', '/api/sharing/datasets', 'S'], ['GET', '/api/sharing/requests', 'S'], ['POST', '/api/sharing/requests', 'O'],
    ['POST', '/api/sharing/requests/khong-co/decision', 'U'], ['POST', '/api/sharing/requests/khong-co/status', 'U'],
    ['POST', '/api/sharing/requests/khong-co/letters', 'U'], ['GET', '/api/sharing/requests/khong-co/letters', 'S'],
    ['GET', '/api/admin/systems', 'U'], ['GET', '/api/admin/account-review', 'W'], ['GET', '/api/admin/system-register', 'L'], ['GET', '/api/admin/system-register/required', 'L'], ['POST', '/api/admin/systems', 'U'], ['PATCH', '/api/admin/systems/khong-co', 'U'],
    ['POST', '/api/admin/systems/khong-co/keys', 'W'], ['DELETE', '/api/admin/systems/khong-co/keys/khong-co', 'W'],
    ['POST', '/api/open-data', 'W'], ['DELETE', '/api/open-data/khong-co', 'W'],
    ['POST', '/api/admin/backups', 'C'], ['GET', '/api/admin/backups', 'C'], ['POST', '/api/admin/migrate', 'C'], ['POST', '/api/admin/api-keys', 'C'],
    ['DELETE', '/api/admin/api-keys/khong-co', 'C'], ['POST', '/api/admin/seed', 'C'],
    ['GET', '/api/admin/secrets', 'A'], ['PUT', '/api/admin/secrets/khong-co', 'A'], ['DELETE', '/api/admin/secrets/khong-co', 'A'],
    ['GET', '/api/admin/pull-hosts', 'W'], ['PUT', '/api/admin/pull-hosts/khong-co.example', 'W'], ['DELETE', '/api/admin/pull-hosts/khong-co.example', 'W'],
    ['GET', '/api/ask/synonyms', 'W'], ['PUT', '/api/ask/synonyms/KHONG_CO', 'W'],
    ['GET', '/api/feed/signing-key', 'P'], ['GET', '/api/catalog/datasets/dan_cu/guide', 'P'], ['PUT', '/api/catalog/datasets/doanh_nghiep/guide', 'U'], ['GET', '/api/feed/khong-co', 'Y'],
  ]
  const ALLOWED: Record<string, ProbeRole[]> = {
    P: ['anonymous', 'leader', 'analyst', 'officer', 'steward', 'admin'],
    S: ['leader', 'analyst', 'officer', 'steward', 'admin'],
    L: ['leader', 'analyst', 'steward', 'admin'],
    W: ['steward', 'admin'],
    A: ['admin'],
    U: ['officer', 'steward', 'admin'],
    O: ['officer'],
    R: ['leader', 'officer', 'steward', 'admin'],
    C: [],
    K: [],
    Y: [],
  }

  it('answers each role and anonymous on every route as the matrix says', async () => {
    const listed = new Set(MATRIX.map(([m, u]) => `${m} ${u}`))
    const registered = probe.service.app.routeList.filter((r) => r.method !== 'HEAD')
    const toPath = (url: string) => MATRIX.find(([m, u]) => `${m} ${u}` === url || false)
    // Every registered route (by its pattern) has a row: a new route must be added here.
    const patterns = MATRIX.map(([m, u]) => ({ m, u }))
    const matches = (pattern: string, url: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+').replace(/\*/g, '.*')}$`).test(url)
    for (const r of registered) {
      expect(patterns.some((p) => p.m === r.method && matches(r.url, p.u)), `${r.method} ${r.url} is missing from the matrix`).toBe(true)
    }
    expect(listed.size).toBe(MATRIX.length)
    expect(toPath('GET /healthz')).toBeDefined()
    const tokens = probe.roleTokens()
    const wrong: string[] = []
    for (const [method, url, who] of MATRIX) {
      for (const [role, auth] of Object.entries(tokens) as [ProbeRole, string | undefined][]) {
        const { status } = await probe.inject(method, url, { auth, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) })
        const allowed = ALLOWED[who]!.includes(role)
        const expected = allowed ? 'not 401/403' : role === 'anonymous' || who === 'C' || who === 'K' || who === 'Y' ? 401 : 403
        const ok = allowed ? status !== 401 && status !== 403 && status < 500 : status === expected
        if (!ok) wrong.push(`${role} ${method} ${url}: ${status}, expected ${expected}`)
      }
    }
    expect(wrong).toEqual([])
  }, 120_000)

  it('audits every refusal at the gate', async () => {
    await probe.inject('GET', '/api/audit', { auth: probe.token({ role: 'analyst', sub: 'gate.refused' }) })
    await probe.service.ctx.audit.flush()
    const rows = await queryRows<{ outcome: string; endpoint: string; reason: string }>(probe.service.ctx.wh.client, "SELECT outcome, endpoint, reason FROM meta.audit WHERE account = 'gate.refused'")
    // The reason in both languages, kept together in the chained entry.
    expect(rows.map((r) => ({ ...r, reason: reasonWords(r.reason, 'en') }))).toEqual([{ outcome: 'denied', endpoint: 'GET /api/audit', reason: 'Role analyst may not do this' }])
    expect(reasonWords(rows[0]!.reason, 'vi')).toMatch(/[à-ỹ]/)
  })
})

describe("the secret store's routes", () => {
  it('set a secret, list it by name only, refuse bad names and bodies with a 400, and delete it', async () => {
    const admin = probe.token({ role: 'admin', sub: 't.admin' })
    expect((await probe.inject('PUT', '/api/admin/secrets/dkkd-token', { auth: admin, body: { value: 'bi-mat-that' } })).status).toBe(200)
    const listed = await probe.inject('GET', '/api/admin/secrets', { auth: admin })
    expect(listed.body).toEqual([expect.objectContaining({ name: 'dkkd-token', set_by: 't.admin' })])
    expect(JSON.stringify(listed.body)).not.toContain('bi-mat-that')
    expect((await probe.inject('PUT', '/api/admin/secrets/KHO_ADMIN_PASSWORD', { auth: admin, body: { value: 'x' } })).status).toBe(400)
    for (const body of ['null', '[]', '{"value": ""}', '{"value": 5}', 'khong-phai-json']) {
      expect((await probe.inject('PUT', '/api/admin/secrets/dkkd-token', { auth: admin, body })).status, body).toBe(400)
    }
    expect((await probe.inject('DELETE', '/api/admin/secrets/dkkd-token', { auth: admin })).status).toBe(200)
    expect((await probe.inject('DELETE', '/api/admin/secrets/dkkd-token', { auth: admin })).status).toBe(404)
  })
})
