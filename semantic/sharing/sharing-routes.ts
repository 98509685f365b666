import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Caller } from '../../infra/access/caller.ts'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { listAccounts } from '../../infra/access/accounts.ts'
import { access, allow } from '../../infra/access/gate.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { SendMail } from '../../infra/files/mailer.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import type { SharingRules } from '../policy/view-policy.ts'
import { findRequest, listRequests, newRequestId, scopeOf, within, writeRequest, type GrantRegistry } from './grants.ts'
import type { ListedRequest, RequestStatus, ShareableDataset, SharingRequest } from '../../infra/contracts/sharing.ts'
import { can } from '../../infra/access/permissions.ts'

export interface SharingRoutesDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  /** The model and the sharing rules, read at each request (registering a dataset replaces them). */
  cube: { readonly model: SemanticModel; readonly sharing: SharingRules }
  grants: GrantRegistry
  audit: AuditLog
  /** E-mail when SMTP is configured (null: the portal only). */
  send: SendMail | null
  today: () => string
}

const memberList = z.array(z.string().max(200)).max(200)
const viewList = z.array(z.string().max(100)).max(20)

const requestInput = z.strictObject({
  dataset: z.string().max(64),
  views: viewList.default([]),
  members: memberList.default([]),
  purpose: z.string().trim().min(10, 'mục đích tối thiểu 10 ký tự / purpose: at least 10 characters').max(2000),
  legal_basis: z.string().trim().min(3, 'căn cứ pháp lý / legal basis required').max(1000),
  starts_on: z.iso.date(),
  ends_on: z.iso.date(),
})

const decisionInput = z.strictObject({
  approve: z.boolean(),
  views: viewList.optional(),
  members: memberList.optional(),
  starts_on: z.iso.date().optional(),
  ends_on: z.iso.date().optional(),
  note: z.string().trim().max(2000).default(''),
})

const statusInput = z.strictObject({
  status: z.enum(['suspended', 'approved', 'ended', 'withdrawn']),
  note: z.string().trim().max(2000).default(''),
})

const bad = (vi: string, en: string) => new HttpError(400, 'bad_request', vi, en)
const forbidden = (vi: string, en: string) => new HttpError(403, 'forbidden', vi, en)

/** The longest a grant may run: five years, as the regulations' review cycles allow. */
const MAX_DAYS = 5 * 366

const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000

/** Which status changes are allowed, and who makes them: the owner side, or the asking agency. */
const MOVES: Record<z.infer<typeof statusInput>['status'], { from: RequestStatus[]; by: ('owner' | 'requester')[] }> = {
  withdrawn: { from: ['pending'], by: ['requester'] },
  suspended: { from: ['approved'], by: ['owner'] },
  approved: { from: ['suspended'], by: ['owner'] },
  ended: { from: ['approved', 'suspended'], by: ['owner', 'requester'] },
}

const STATUS_VI: Record<RequestStatus, string> = {
  pending: 'chờ duyệt',
  approved: 'đã duyệt',
  refused: 'bị từ chối',
  suspended: 'tạm dừng',
  ended: 'đã chấm dứt',
  withdrawn: 'đã rút',
}

/**
 * Requests and grants: officers ask for datasets outside their scope, the owner agency's officers
 * (or stewards) decide, suspend, resume and end them; every step is in the sharing log and takes
 * effect in the view policy on the next request.
 */
export function sharingRoutes(app: FastifyInstance, deps: SharingRoutesDeps) {
  const { wh } = deps
  const catalog = () => deps.catalog()

  const ownerOf = (dataset: string) => catalog().dataset(dataset)?.owner ?? ''
  const isOwnerSide = (c: Caller, r: SharingRequest) => can(c, 'manage', ownerOf(r.dataset))
  const isRequesterSide = (c: Caller, r: SharingRequest) => can(c, 'own', r.agency)
  const sees = (c: Caller, r: SharingRequest) => can(c, 'see', r.agency) || can(c, 'see', ownerOf(r.dataset))

  /** The members of a view that can be asked for (kho's internal members are not). */
  const membersOfView = (view: string) => {
    const v = deps.cube.model.meta.find((m) => m.name === view)
    return v ? [...v.measures, ...v.dimensions, ...v.segments].map((m) => m.name) : []
  }

  /**
   * Views and members named for a dataset, checked: they must be the dataset's, and name something
   * (nothing named grants nothing, so a request or an approval naming nothing is refused).
   */
  function checkScope(dataset: string, views: string[], members: string[]) {
    const own = deps.cube.sharing.viewsOf(dataset)
    const strange = views.filter((v) => !own.includes(v))
    if (strange.length) throw bad(`Dữ liệu "${dataset}" không có khung nhìn ${strange.join(', ')}`, `Dataset "${dataset}" has no view ${strange.join(', ')}`)
    const known = new Set(own.flatMap(membersOfView))
    const unknown = members.filter((m) => !known.has(m))
    if (unknown.length) throw bad(`Không có trường ${unknown.join(', ')} trong dữ liệu "${dataset}"`, `No member ${unknown.join(', ')} in dataset "${dataset}"`)
    if (views.length === 0 && members.length === 0) throw bad('Hãy chọn ít nhất một khung nhìn hoặc một trường', 'Name at least one view or member')
    return scopeOf(views, members, own)
  }

  function checkPeriod(starts: string, ends: string) {
    if (ends < starts) throw bad('Ngày kết thúc trước ngày bắt đầu', 'The end date is before the start date')
    if (ends < deps.today()) throw bad('Thời hạn đã qua', 'The period has already ended')
    if (daysBetween(starts, ends) > MAX_DAYS) throw bad('Thời hạn tối đa 5 năm', 'A grant runs at most five years')
  }

  const auditStep = (req: FastifyRequest, endpoint: string, r: SharingRequest, extra: Record<string, unknown> = {}) =>
    deps.audit.recordRequest(req, { endpoint, datasets: [r.dataset], members: r.granted_members.length ? r.granted_members : r.members, query: { id: r.id, status: r.status, agency: r.agency, ...extra } })

  /** Tells people by e-mail when SMTP is configured; a mail that fails does not undo the step. */
  async function mail(to: string[], subject: string, text: string, req: FastifyRequest) {
    const addresses = [...new Set(to.filter(Boolean))]
    if (!deps.send || addresses.length === 0) return
    await deps.send({ to: addresses, subject, text }).catch((err: Error) => req.log.warn({ err: err.message }, 'sharing e-mail not sent'))
  }
  const emailsOfAgency = async (agency: string) => [
    catalog().agency(agency)?.contact.email ?? '',
    ...(await listAccounts(wh)).filter((a) => a.agency === agency && a.role === 'agency_officer' && !a.disabled).map((a) => a.email),
  ]
  const emailOf = async (username: string) => (await listAccounts(wh)).find((a) => a.username === username)?.email ?? ''

  const describe = (r: SharingRequest) =>
    `Yêu cầu ${r.id}: cơ quan ${r.agency} khai thác dữ liệu "${catalog().dataset(r.dataset)?.name ?? r.dataset}" (${r.dataset}), ${r.starts_on} – ${r.ends_on}.\nMục đích: ${r.purpose}\nCăn cứ: ${r.legal_basis}`

  // What can be asked for, and what the caller's agency already has.
  app.get('/api/sharing/datasets', allow(access.signedIn), async (req): Promise<ShareableDataset[]> => {
    const agency = req.caller.agency
    return catalog().datasets.map((d) => {
      const rules = deps.cube.sharing.dataset(d.id)!
      const views = deps.cube.sharing.viewsOf(d.id)
      const standing = rules.owner === agency ? 'owner' : rules.scope !== 'noi_bo' && rules.consumers.includes(agency) ? 'consumer' : null
      const granted = views.filter((v) => deps.grants.grant(agency, v) !== null)
      return {
        id: d.id,
        name: d.name,
        name_en: d.name_en ?? d.name,
        owner: d.owner,
        owner_name: catalog().agency(d.owner)?.name ?? d.owner,
        scope: d.sharing.scope,
        personal_data: d.personal_data,
        // Open data needs no request: every signed-in caller (and the public) reads it already.
        access: standing ?? (granted.length ? 'granted' : d.sharing.scope === 'mo' ? 'open' : 'none'),
        views: views.map((v) => {
          const view = deps.cube.model.meta.find((m) => m.name === v) as { title?: string; meta?: { title_en?: string } } | undefined
          return {
            name: v,
            title: view?.title ?? v,
            title_en: view?.meta?.title_en ?? view?.title ?? v,
            members: membersOfView(v).map((m) => {
              const member = deps.cube.model.members.get(m)?.meta as { title?: string; shortTitle?: string; meta?: { personal?: boolean; title_en?: string } } | undefined
              return { name: m, title: member?.title ?? m, title_en: member?.meta?.title_en ?? member?.shortTitle ?? m, personal: !!member?.meta?.personal }
            }),
          }
        }),
      }
    })
  })

  app.get('/api/sharing/requests', allow(access.signedIn), async (req): Promise<ListedRequest[]> => {
    const all = await listRequests(wh)
    const day = deps.today()
    return all
      .filter((r) => sees(req.caller, r))
      .map((r) => ({ ...r, in_force: r.status === 'approved' && r.starts_on <= day && day <= r.ends_on, decides: isOwnerSide(req.caller, r) }))
  })

  app.post('/api/sharing/requests', allow(access.roles('agency_officer')), async (req) => {
    const body = parseQuery(requestInput, req.body)
    const d = catalog().dataset(body.dataset)
    if (!d) throw notFound('dữ liệu / dataset', body.dataset)
    const agency = req.caller.agency
    if (d.owner === agency) throw bad(`Cơ quan ${agency} là chủ quản của "${d.id}"`, `Agency ${agency} owns "${d.id}"`)
    if (d.sharing.scope !== 'noi_bo' && d.sharing.consumers.includes(agency)) {
      throw bad(`"${d.id}" đã được chia sẻ với cơ quan ${agency} theo danh mục`, `"${d.id}" is already shared with agency ${agency} by the catalogue`)
    }
    if (d.sharing.scope === 'mo') throw bad(`"${d.name}" là dữ liệu mở: mọi người đã được xem, không cần đề nghị`, `"${d.name_en ?? d.name}" is open data: everyone may read it without a request`)
    checkScope(d.id, body.views, body.members)
    checkPeriod(body.starts_on, body.ends_on)
    const r = await writeRequest(wh, {
      id: newRequestId(deps.today()),
      ...body,
      requester: req.caller.account,
      agency,
      status: 'pending',
      granted_views: [],
      granted_members: [],
      decided_by: '',
      decision_note: '',
    })
    auditStep(req, 'sharing.request', r, { purpose: r.purpose })
    await mail(await emailsOfAgency(d.owner), `[Kho dữ liệu] Yêu cầu chia sẻ ${r.id} cần duyệt`, `${describe(r)}\n\nDuyệt tại cổng cơ quan: /portal/sharing`, req)
    return r
  })

  app.post<{ Params: { id: string } }>('/api/sharing/requests/:id/decision', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const body = parseQuery(decisionInput, req.body)
    const r = await findRequest(wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    if (!isOwnerSide(req.caller, r)) throw forbidden('Chỉ cơ quan chủ quản hoặc quản trị dữ liệu được duyệt', 'Only the owner agency or a steward decides')
    if (r.status !== 'pending') throw new HttpError(409, 'conflict', `Yêu cầu đã ${STATUS_VI[r.status]}`, `The request is already ${r.status}`)
    let next: SharingRequest
    if (!body.approve) {
      if (body.note.length < 5) throw bad('Từ chối cần nêu lý do', 'A refusal needs a reason')
      next = { ...r, status: 'refused', decided_by: req.caller.account, decision_note: body.note }
    } else {
      // An approval may be narrower than the request, never wider.
      const views = body.views ?? r.views
      const members = body.members ?? r.members
      const starts = body.starts_on ?? r.starts_on
      const ends = body.ends_on ?? r.ends_on
      const asked = scopeOf(r.views, r.members, deps.cube.sharing.viewsOf(r.dataset))
      if (!within(checkScope(r.dataset, views, members), asked)) throw bad('Không được duyệt rộng hơn yêu cầu (khung nhìn, trường)', 'An approval may not be wider than the request (views, members)')
      if (starts < r.starts_on || ends > r.ends_on) throw bad('Thời hạn duyệt phải nằm trong thời hạn yêu cầu', 'The approved period must lie within the requested one')
      checkPeriod(starts, ends)
      next = { ...r, status: 'approved', granted_views: views, granted_members: members, starts_on: starts, ends_on: ends, decided_by: req.caller.account, decision_note: body.note }
    }
    const saved = await writeRequest(wh, next)
    await deps.grants.refresh()
    auditStep(req, 'sharing.decision', saved, { note: saved.decision_note })
    await mail([await emailOf(r.requester)], `[Kho dữ liệu] Yêu cầu ${r.id} ${STATUS_VI[saved.status]}`, `${describe(saved)}\n\nKết quả: ${STATUS_VI[saved.status]}${saved.decision_note ? ` — ${saved.decision_note}` : ''}`, req)
    return saved
  })

  app.post<{ Params: { id: string } }>('/api/sharing/requests/:id/status', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const body = parseQuery(statusInput, req.body)
    const r = await findRequest(wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    const move = MOVES[body.status]
    const side = (move.by.includes('owner') && isOwnerSide(req.caller, r)) || (move.by.includes('requester') && isRequesterSide(req.caller, r))
    if (!side) throw forbidden('Bạn không được thực hiện thay đổi này', 'You may not make this change')
    if (!move.from.includes(r.status)) {
      throw new HttpError(409, 'conflict', `Không thể chuyển từ "${STATUS_VI[r.status]}" sang "${STATUS_VI[body.status]}"`, `Cannot move from ${r.status} to ${body.status}`)
    }
    if ((body.status === 'suspended' || body.status === 'ended') && body.note.length < 5) throw bad('Cần nêu lý do', 'A reason is required')
    const saved = await writeRequest(wh, { ...r, status: body.status, decided_by: req.caller.account, decision_note: body.note || r.decision_note })
    await deps.grants.refresh()
    auditStep(req, 'sharing.status', saved, { note: body.note })
    const notify = isRequesterSide(req.caller, r) ? await emailsOfAgency(ownerOf(r.dataset)) : [await emailOf(r.requester)]
    await mail(notify, `[Kho dữ liệu] Yêu cầu ${r.id}: ${STATUS_VI[saved.status]}`, `${describe(saved)}\n\nTrạng thái: ${STATUS_VI[saved.status]}${body.note ? ` — ${body.note}` : ''}`, req)
    return saved
  })
}
