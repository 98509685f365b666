import { endpointWords, reasonText, reasonWords } from '../contracts/audit-words.ts'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { HttpError, notFound } from '../http/http-error.ts'
import { parseQuery } from '../http/parse-request.ts'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import { tableCsv } from '../files/table-workbook.ts'
import { accountChange, accountInput, changePassword, checkPassword, lastSignIns, listAccounts, passwordChange, resetPassword, saveAccount, updateAccount } from './accounts.ts'
import type { AuditLog } from './audit-log.ts'
import { OUTSIDE_NETWORK, type AccountNetworks } from './account-networks.ts'
import { access, allow } from './gate.ts'
import { RateLimiter, tooMany } from '../http/rate-limiter.ts'
import { signJwt } from './tokens.ts'
import type { SignedIn } from '../contracts/session.ts'

const loginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) })
const auditQuery = z.strictObject({
  account: z.string().max(64).optional(),
  outcome: z.enum(['ok', 'denied', 'error']).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
  format: z.enum(['json', 'csv']).default('json'),
})

export interface AccessRoutesDeps {
  wh: Warehouse
  secret: string
  audit: AuditLog
  /** How long a session token lives. */
  sessionSeconds: number
  /** Sign-in attempts in 5 minutes: per account name (from any address) and per address (for any name). */
  loginLimits: { perUsername: number; perAddress: number }
  agencyExists: (code: string) => boolean
  /** Where accounts may sign in from (Đắk Nông Điều 10.2). */
  accountNetworks: AccountNetworks
}

/** Sign-in, the current account, account administration and the audit log. */
export function accessRoutes(app: FastifyInstance, deps: AccessRoutesDeps) {
  const { wh } = deps
  // Two limits, so neither one password tried against every account nor one account tried from
  // many addresses gets far.
  const perUsername = new RateLimiter(deps.loginLimits.perUsername, 5 * 60_000)
  const perAddress = new RateLimiter(deps.loginLimits.perAddress, 5 * 60_000)

  app.post('/api/auth/login', allow(access.public), async (req, reply) => {
    const body = parseQuery(loginBody, req.body)
    if (!deps.accountNetworks.allows(req.ip)) {
      deps.audit.recordRequest(req, { account: body.username, via: 'session', endpoint: 'login', outcome: 'denied', reason: reasonText(OUTSIDE_NETWORK.vi, OUTSIDE_NETWORK.en) })
      throw new HttpError(403, 'outside_network', OUTSIDE_NETWORK.vi, OUTSIDE_NETWORK.en)
    }
    const wait = Math.max(perAddress.hit(req.ip), perUsername.hit(body.username.toLowerCase()))
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      throw tooMany(wait, `Đăng nhập quá nhiều lần; tạm khóa, thử lại sau ${wait} giây`, `Too many sign-in attempts; locked, try again in ${wait} s`)
    }
    const account = await checkPassword(wh, body.username, body.password)
    deps.audit.recordRequest(req, {
      account: body.username,
      agency: account?.agency ?? '',
      role: account?.role ?? '',
      via: 'session',
      endpoint: 'login',
      outcome: account ? 'ok' : 'denied',
      reason: account ? '' : reasonText('Sai tên đăng nhập hoặc mật khẩu', 'Wrong username or password'),
    })
    if (!account) throw new HttpError(401, 'login_failed', 'Sai tên đăng nhập hoặc mật khẩu', 'Wrong username or password')
    const { password_hash: _hash, ...profile } = account
    return { token: signJwt({ sub: account.username, kho_session: true, ver: account.token_version }, deps.secret, deps.sessionSeconds), account: profile }
  })

  // An account changes its own password (required after a reset); a new token comes back, the old ones stop.
  app.post('/api/auth/password', allow(access.signedIn), async (req) => {
    const body = parseQuery(passwordChange, req.body)
    const wait = perUsername.hit(req.caller.account)
    if (wait > 0) throw tooMany(wait, `Thử quá nhiều lần; thử lại sau ${wait} giây`, `Too many attempts; try again in ${wait} s`)
    const account = await changePassword(wh, req.caller.account, body)
    deps.audit.recordRequest(req, { endpoint: 'account.password', outcome: account ? 'ok' : 'denied' })
    if (!account) throw new HttpError(400, 'password_not_changed', 'Mật khẩu hiện tại không đúng, hoặc mật khẩu mới trùng mật khẩu cũ', 'The current password is wrong, or the new one is the same')
    const { password_hash: _hash, ...profile } = account
    return { token: signJwt({ sub: account.username, kho_session: true, ver: account.token_version }, deps.secret, deps.sessionSeconds), account: profile }
  })

  app.get('/api/auth/me', allow(access.signedIn), async (req): Promise<SignedIn> => {
    const { via: _via, role, ...me } = req.caller
    // The gate lets only accounts' sessions here: a system key reaches the Cube API alone.
    if (role === 'public' || role === 'system') throw new HttpError(403, 'forbidden', 'Cần đăng nhập bằng tài khoản', 'Sign in with an account')
    return { ...me, role }
  })

  app.get('/api/admin/accounts', allow(access.roles('admin', 'steward')), async () => {
    const [accounts, signIns] = await Promise.all([listAccounts(wh), lastSignIns(wh)])
    return accounts.map((a) => ({ ...a, last_sign_in: signIns.get(a.username) ?? null }))
  })

  const checkAgency = (agency: string | undefined) => {
    if (agency && !deps.agencyExists(agency)) throw new HttpError(400, 'bad_request', `Không có cơ quan "${agency}"`, `No agency "${agency}"`)
  }

  app.post('/api/admin/accounts', allow(access.roles('admin')), async (req) => {
    const input = parseQuery(accountInput, req.body)
    checkAgency(input.agency)
    const account = await saveAccount(wh, input)
    deps.audit.recordRequest(req, { endpoint: 'account.create', query: { username: account.username, role: account.role, agency: account.agency } })
    return account
  })

  app.patch<{ Params: { username: string } }>('/api/admin/accounts/:username', allow(access.roles('admin')), async (req) => {
    const change = parseQuery(accountChange, req.body)
    checkAgency(change.agency)
    const account = await updateAccount(wh, req.params.username, change)
    if (!account) throw notFound('tài khoản / account', req.params.username)
    deps.audit.recordRequest(req, { endpoint: 'account.change', query: { username: account.username, ...change } })
    return account
  })

  // A reset shows the temporary password once; the account must change it at its next sign-in.
  app.post<{ Params: { username: string } }>('/api/admin/accounts/:username/reset-password', allow(access.roles('admin')), async (req) => {
    const body = parseQuery(z.strictObject({ password: z.string().min(10).max(200).optional() }), req.body ?? {})
    const reset = await resetPassword(wh, req.params.username, body.password)
    if (!reset) throw notFound('tài khoản / account', req.params.username)
    deps.audit.recordRequest(req, { endpoint: 'account.reset_password', query: { username: reset.account.username } })
    return { account: reset.account, temporary_password: reset.password }
  })

  // Whether the sharing log is whole: every entry's hash recomputed, its sequence unbroken.
  app.get('/api/audit/verify', allow(access.rolesOrService('steward', 'admin')), async (req) => {
    const report = await deps.audit.verify()
    deps.audit.recordRequest(req, { endpoint: 'audit.verify', outcome: 'ok', reason: report.ok ? '' : report.broken!.reason })
    return report
  })

  app.get('/api/audit', allow(access.roles('steward', 'admin')), async (req, reply) => {
    const q = parseQuery(auditQuery, req.query)
    const rows = await queryRows<Record<string, unknown>>(
      wh.client,
      `SELECT seq, toString(at) AS at, account, agency, role, via, purpose, client, endpoint, members, datasets, filters, query, row_count, duration_ms, outcome, reason
       FROM meta.audit
       WHERE (empty({account:String}) OR account = {account:String})
         AND (empty({outcome:String}) OR outcome = {outcome:String})
         AND toDate(at) >= toDateOrZero({from:String}) AND (empty({to:String}) OR toDate(at) <= toDateOrZero({to:String}))
       ORDER BY at DESC, seq DESC LIMIT {limit:UInt32}`,
      { account: q.account ?? '', outcome: q.outcome ?? '', from: q.from ?? '1970-01-01', to: q.to ?? '', limit: q.limit },
    )
    // Beside the identifiers the chain keeps: what each entry was and why, in both languages.
    const read = rows.map((r) => ({
      ...r,
      action_vi: endpointWords(String(r.endpoint), 'vi'),
      action_en: endpointWords(String(r.endpoint), 'en'),
      reason_vi: reasonWords(String(r.reason), 'vi'),
      reason_en: reasonWords(String(r.reason), 'en'),
    }))
    if (q.format === 'json') return read
    const header = read[0] ? Object.keys(read[0]) : ['at', 'account', 'outcome']
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="nhat_ky_truy_cap.csv"')
      .send(tableCsv(header.map((key) => ({ key, header: key })), read))
  })
}
