import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { ServiceContext } from '../../infra/service/context.ts'
import { HttpError } from '../../infra/service/http-error.ts'
import { parseQuery } from '../../infra/service/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { accountInput, findAccount, listAccounts, saveAccount, verifyPassword } from './accounts.ts'
import { requireRole } from './authenticate.ts'
import { tableCsv } from '../../infra/excel/table-workbook.ts'
import { signJwt } from './tokens.ts'

const loginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) })
const auditQuery = z.strictObject({
  account: z.string().max(64).optional(),
  outcome: z.enum(['ok', 'denied', 'error']).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
  format: z.enum(['json', 'csv']).default('json'),
})

const SESSION_HOURS = 12

/** Login, the current account, account administration and the audit log. */
export function accessRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.post('/api/auth/login', async (req) => {
    const body = parseQuery(loginBody, req.body)
    const account = await findAccount(ctx.wh, body.username)
    const ok = account !== null && !account.disabled && verifyPassword(body.password, account.password_hash)
    ctx.audit.record({
      account: body.username,
      role: account?.role ?? '',
      purpose: '',
      client: req.ip,
      endpoint: 'login',
      members: [],
      filters: null,
      query: null,
      rowCount: 0,
      durationMs: 0,
      outcome: ok ? 'ok' : 'denied',
      reason: ok ? '' : 'wrong username or password',
    })
    if (!ok) throw new HttpError(401, 'login_failed', 'Sai tên đăng nhập hoặc mật khẩu', 'Wrong username or password')
    const { password_hash: _hash, ...profile } = account!
    return { token: signJwt({ sub: account!.username, kho_session: true }, ctx.secret, SESSION_HOURS * 3600), account: profile }
  })

  app.get('/api/auth/me', (req) => requireRole(req, ctx))

  app.get('/api/admin/accounts', async (req) => {
    await requireRole(req, ctx, ['admin'])
    return listAccounts(ctx.wh)
  })

  app.post('/api/admin/accounts', async (req) => {
    await requireRole(req, ctx, ['admin'])
    const input = parseQuery(accountInput, req.body)
    if (input.agency && !ctx.catalog.agency(input.agency)) throw new HttpError(400, 'bad_request', `Không có cơ quan "${input.agency}"`, `No agency "${input.agency}"`)
    return saveAccount(ctx.wh, input)
  })

  app.get('/api/audit', async (req, reply) => {
    await requireRole(req, ctx, ['steward', 'admin'])
    const q = parseQuery(auditQuery, req.query)
    const rows = await queryRows<Record<string, unknown>>(
      ctx.wh.client,
      `SELECT toString(at) AS at, account, role, purpose, client, endpoint, members, filters, query, row_count, duration_ms, outcome, reason
       FROM meta.audit
       WHERE (empty({account:String}) OR account = {account:String})
         AND (empty({outcome:String}) OR outcome = {outcome:String})
         AND toDate(at) >= toDateOrZero({from:String}) AND (empty({to:String}) OR toDate(at) <= toDateOrZero({to:String}))
       ORDER BY at DESC LIMIT {limit:UInt32}`,
      { account: q.account ?? '', outcome: q.outcome ?? '', from: q.from ?? '1970-01-01', to: q.to ?? '', limit: q.limit },
    )
    if (q.format === 'json') return rows
    const header = rows[0] ? Object.keys(rows[0]) : ['at', 'account', 'outcome']
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="nhat_ky_truy_cap.csv"')
      .send(tableCsv(header.map((key) => ({ key, header: key })), rows))
  })
}
