import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { lastSignIns, listAccounts } from '../../infra/access/accounts.ts'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { listSystemKeys, listSystems } from '../../infra/access/system-keys.ts'
import type { SendMail } from '../../infra/files/mailer.ts'
import { tableWorkbook, type TableSheet } from '../../infra/files/table-workbook.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { listRequests } from './grants.ts'

/**
 * The periodic account review (Đắk Nông QĐ 1731 Điều 12.5; Lào Cai Điều 21.5c): accounts unused
 * for 90 days, accounts holding personal-data access, grants ending within 30 days, and system keys
 * older than a year — as a page, a workbook, and a quarterly reminder to the stewards.
 */
export interface AccountReview {
  as_of: string
  unused: { username: string; display_name: string; role: string; agency: string; last_sign_in: string | null; created_at: string }[]
  personal_data: { username: string; display_name: string; role: string; agency: string; last_sign_in: string | null }[]
  grants_ending: { id: string; dataset: string; agency: string; ends_on: string; requester: string }[]
  old_keys: { system_id: string; system_name: string; agency: string; key_id: string; created_at: string }[]
}

const DAY = 86_400_000
const dayOf = (text: string) => text.slice(0, 10)
const shift = (day: string, days: number) => new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10)

export async function accountReview(wh: Warehouse, today: string): Promise<AccountReview> {
  const [accounts, signIns, requests, systems, keys] = await Promise.all([listAccounts(wh), lastSignIns(wh), listRequests(wh), listSystems(wh), listSystemKeys(wh)])
  const active = accounts.filter((a) => !a.disabled).map((a) => ({ ...a, last_sign_in: signIns.get(a.username) ?? null }))
  const quietSince = shift(today, -90)
  const brief = (a: (typeof active)[number]) => ({ username: a.username, display_name: a.display_name, role: a.role, agency: a.agency, last_sign_in: a.last_sign_in })
  return {
    as_of: today,
    // Never signed in counts from the day the account was made.
    unused: active.filter((a) => dayOf(a.last_sign_in ?? a.created_at) < quietSince).map((a) => ({ ...brief(a), created_at: a.created_at })),
    personal_data: active.filter((a) => a.personal_data).map(brief),
    grants_ending: requests
      .filter((r) => r.status === 'approved' && r.ends_on >= today && r.ends_on <= shift(today, 30))
      .map((r) => ({ id: r.id, dataset: r.dataset, agency: r.agency, ends_on: r.ends_on, requester: r.requester })),
    old_keys: keys
      .filter((k) => k.revoked_at === null && dayOf(k.created_at) < shift(today, -365))
      .map((k) => {
        const s = systems.find((x) => x.id === k.system_id)
        return { system_id: k.system_id, system_name: s?.name ?? '', agency: s?.agency ?? '', key_id: k.key_id, created_at: k.created_at }
      }),
  }
}

/** The review as a workbook, a sheet per list. */
export function reviewWorkbook(r: AccountReview): Promise<Buffer> {
  const account = [
    { key: 'username', header: 'Tài khoản' },
    { key: 'display_name', header: 'Họ tên', width: 30 },
    { key: 'role', header: 'Vai trò' },
    { key: 'agency', header: 'Cơ quan' },
    { key: 'last_sign_in', header: 'Đăng nhập gần nhất (UTC)', width: 24 },
  ]
  const sheets: TableSheet[] = [
    { name: 'Khong dung 90 ngay', title: `Tài khoản không đăng nhập từ 90 ngày — rà soát ngày ${r.as_of}`, columns: [...account, { key: 'created_at', header: 'Ngày tạo (UTC)', width: 24 }], rows: r.unused },
    { name: 'Du lieu ca nhan', title: 'Tài khoản được quyền dữ liệu cá nhân', columns: account, rows: r.personal_data },
    {
      name: 'Quyen sap het han',
      title: 'Quyền khai thác hết hạn trong 30 ngày',
      columns: [
        { key: 'id', header: 'Mã yêu cầu', width: 22 },
        { key: 'dataset', header: 'Dữ liệu' },
        { key: 'agency', header: 'Cơ quan khai thác' },
        { key: 'ends_on', header: 'Hết hạn' },
        { key: 'requester', header: 'Người đề nghị' },
      ],
      rows: r.grants_ending,
    },
    {
      name: 'Khoa qua 1 nam',
      title: 'Khóa hệ thống đã dùng quá một năm (nên thay)',
      columns: [
        { key: 'system_id', header: 'Hệ thống' },
        { key: 'system_name', header: 'Tên', width: 30 },
        { key: 'agency', header: 'Cơ quan' },
        { key: 'key_id', header: 'Mã khóa' },
        { key: 'created_at', header: 'Cấp ngày (UTC)', width: 24 },
      ],
      rows: r.old_keys,
    },
  ]
  return tableWorkbook(sheets)
}

/**
 * The quarterly reminder: writes the review workbook under `dir` and, with SMTP, sends it to the
 * stewards that have an e-mail address. Returns what it did (the job's output).
 */
export async function remindReview(deps: { wh: Warehouse; send: SendMail | null; dir: string }, today: string): Promise<string> {
  const review = await accountReview(deps.wh, today)
  const file = path.join(deps.dir, `ra_soat_tai_khoan_${today}.xlsx`)
  fs.mkdirSync(deps.dir, { recursive: true })
  fs.writeFileSync(`${file}.part`, await reviewWorkbook(review))
  fs.renameSync(`${file}.part`, file)
  const stewards = (await listAccounts(deps.wh)).filter((a) => a.role === 'steward' && !a.disabled && a.email).map((a) => a.email)
  const counts = `${review.unused.length} không dùng, ${review.personal_data.length} dữ liệu cá nhân, ${review.grants_ending.length} quyền sắp hết hạn, ${review.old_keys.length} khóa cũ`
  if (deps.send && stewards.length > 0) {
    await deps.send({
      to: stewards,
      subject: `[Kho dữ liệu] Rà soát tài khoản định kỳ — ${today}`,
      text: `Kính gửi cán bộ quản trị dữ liệu,\n\nĐến kỳ rà soát tài khoản: ${counts}.\nChi tiết trong tệp đính kèm và tại trang Quản trị → Rà soát tài khoản.`,
      attachments: [{ filename: path.basename(file), path: file }],
    })
  }
  return `${file} (${counts}; e-mail: ${deps.send ? stewards.length : 0})`
}

export function accountReviewRoutes(app: FastifyInstance, deps: { wh: Warehouse; audit: AuditLog; today: () => string }) {
  app.get('/api/admin/account-review', allow(access.roles('steward', 'admin')), async (req, reply) => {
    const q = parseQuery(z.strictObject({ format: z.enum(['json', 'xlsx']).default('json') }), req.query)
    const review = await accountReview(deps.wh, deps.today())
    deps.audit.recordRequest(req, { endpoint: 'account.review', rowCount: review.unused.length + review.personal_data.length + review.grants_ending.length + review.old_keys.length, query: { format: q.format } })
    if (q.format === 'json') return review
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="ra_soat_tai_khoan_${review.as_of}.xlsx"`)
      .send(await reviewWorkbook(review))
  })
}
