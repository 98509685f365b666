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
import { findRequest, listRequests, newRequestId, scopeOf, waitingFor, within, writeRequest, type GrantRegistry } from './grants.ts'
import { FREQUENCY_WORDS, GRANT_LEVELS, LETTER_KINDS, LEVEL_WORDS, METHOD_WORDS, SHARING_FREQUENCIES, SHARING_METHODS, type Decision, type ListedRequest, type RequestStatus, type ShareableDataset, type SharingRequest, type SignatureSide } from '../../infra/contracts/sharing.ts'
import { findSystem } from '../../infra/access/system-keys.ts'
import { findAttachment, listAttachments } from '../../loaders/attachments.ts'
import { receiveAttachment, type AttachmentRoutesDeps } from '../../loaders/attachment-routes.ts'
import { warehouseTime } from '../../infra/warehouse/sql.ts'
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
  /** For the agency's officers, or for one of its registered consuming systems. */
  recipient: z.enum(['agency', 'system']).default('agency'),
  system_id: z.string().max(40).default(''),
  level: z.enum(GRANT_LEVELS).default('use'),
  method: z.enum(SHARING_METHODS).default('query'),
  frequency: z.enum(SHARING_FREQUENCIES).default('as_needed'),
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
  /** The signed approval letter (an attachment of this request the deciding account uploaded); required to approve. */
  letter: z.string().max(40).default(''),
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

/** Which status changes are allowed, and who makes them: a side that signed (owner, operator), or the asking agency. */
const MOVES: Record<z.infer<typeof statusInput>['status'], { from: RequestStatus[]; by: ('signer' | 'requester')[] }> = {
  withdrawn: { from: ['pending'], by: ['requester'] },
  suspended: { from: ['approved'], by: ['signer'] },
  approved: { from: ['suspended'], by: ['signer'] },
  ended: { from: ['approved', 'suspended'], by: ['signer', 'requester'] },
}

const SIDE_VI: Record<SignatureSide, string> = { owner: 'cơ quan chủ quản dữ liệu', operator: 'đơn vị vận hành Kho dữ liệu' }
const SIDE_EN: Record<SignatureSide, string> = { owner: 'the data owner agency', operator: 'the warehouse operator' }

const STATUS_VI: Record<RequestStatus, string> = {
  pending: 'chờ duyệt',
  approved: 'đã duyệt',
  refused: 'bị từ chối',
  suspended: 'tạm dừng',
  ended: 'đã chấm dứt',
  withdrawn: 'đã rút',
}

/**
 * Who may do what with a request. Two sides sign (Bắc Ninh Điều 7.2): the data owner — an officer of
 * the owner agency — and the warehouse's operator — a steward (or an administrator). One account
 * signs for one side only.
 */
function sidesOf(deps: Pick<SharingRoutesDeps, 'catalog'>) {
  const ownerOf = (dataset: string) => deps.catalog().dataset(dataset)?.owner ?? ''
  const sideOf = (c: Caller, r: SharingRequest): SignatureSide | null => (can(c, 'own', ownerOf(r.dataset)) ? 'owner' : can(c, 'oversee') ? 'operator' : null)
  return {
    ownerOf,
    sideOf,
    isRequesterSide: (c: Caller, r: SharingRequest) => can(c, 'own', r.agency),
    sees: (c: Caller, r: SharingRequest) => can(c, 'see', r.agency) || can(c, 'see', ownerOf(r.dataset)),
    /** The side the caller would sign for now: the request is pending and that side has not decided. */
    signsAs: (c: Caller, r: SharingRequest): SignatureSide | null => {
      const side = sideOf(c, r)
      return side && r.status === 'pending' && !r.decisions.some((d) => d.side === side) ? side : null
    },
  }
}

/**
 * Requests and grants: officers ask for datasets outside their scope — for their agency or one of
 * its systems — with the written request attached; the owner agency and the operator each decide
 * with a letter, and only both approvals make a grant; either side suspends, resumes or ends it.
 * Every step is in the sharing log and takes effect in the view policy on the next request.
 */
export function sharingRoutes(app: FastifyInstance, deps: SharingRoutesDeps) {
  const { wh } = deps
  const catalog = () => deps.catalog()
  const { ownerOf, sideOf, isRequesterSide, sees, signsAs } = sidesOf(deps)

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

  /** A letter named in a decision: an attachment of this request, uploaded by the account deciding. */
  async function checkLetter(r: SharingRequest, id: string, account: string) {
    const a = /^[0-9a-f-]{36}$/.test(id) ? await findAttachment(wh, id) : null
    if (!a || a.kind !== 'sharing' || a.request_id !== r.id || a.uploaded_by !== account) {
      throw bad('Văn bản nêu trong quyết định không phải văn bản bạn đã đính kèm cho yêu cầu này', 'The letter named is not one you attached to this request')
    }
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
    [
      `Yêu cầu ${r.id}: cơ quan ${r.agency}${r.recipient === 'system' ? ` (cho hệ thống ${r.system_id})` : ''} khai thác dữ liệu "${catalog().dataset(r.dataset)?.name ?? r.dataset}" (${r.dataset}), ${r.starts_on} – ${r.ends_on}.`,
      `Mức: ${LEVEL_WORDS[r.level][0]}; cách thức: ${METHOD_WORDS[r.method][0]}; tần suất: ${FREQUENCY_WORDS[r.frequency][0]}.`,
      `Mục đích: ${r.purpose}`,
      `Căn cứ: ${r.legal_basis}`,
    ].join('\n')

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
      .map((r) => ({
        ...r,
        in_force: r.status === 'approved' && r.starts_on <= day && day <= r.ends_on,
        waiting_for: r.status === 'pending' ? waitingFor(r) : [],
        decides: sideOf(req.caller, r) !== null,
        signs_as: signsAs(req.caller, r),
      }))
  })

  app.post('/api/sharing/requests', allow(access.roles('agency_officer')), async (req) => {
    const body = parseQuery(requestInput, req.body)
    const d = catalog().dataset(body.dataset)
    if (!d) throw notFound('dữ liệu / dataset', body.dataset)
    const agency = req.caller.agency
    if (body.recipient === 'system') {
      // A consuming system asks through the same request, by its own agency's officer; it takes data away, so at the use level.
      const system = body.system_id ? await findSystem(wh, body.system_id) : null
      if (!system || system.agency !== agency) throw bad(`Cơ quan ${agency} không có hệ thống "${body.system_id}" đã đăng ký`, `Agency ${agency} has no registered system "${body.system_id}"`)
      if (system.disabled) throw bad(`Hệ thống "${system.id}" đang bị khóa`, `System "${system.id}" is disabled`)
      if (body.level !== 'use') throw bad('Hệ thống khai thác dữ liệu ở mức "sử dụng"', 'A system uses data: ask at the "use" level')
    } else if (body.system_id) throw bad('Chỉ nêu hệ thống khi yêu cầu cho hệ thống', 'Name a system only in a request for a system')
    else if (body.method === 'feed') throw bad('Dữ liệu được gửi tự động tới một hệ thống: hãy chọn hệ thống nhận', 'A feed goes to a system: name the receiving system')
    if (body.method !== 'query' && body.level === 'view') throw bad('Mức "chỉ xem" không cho phép tải về hay nhận dữ liệu định kỳ', 'The view-only level allows no download or feed')
    if (d.owner === agency) throw bad(`Cơ quan ${agency} là chủ quản của "${d.id}"`, `Agency ${agency} owns "${d.id}"`)
    // A named consumer's officers see the dataset already; its systems may still need a request (for personal members, which only a grant naming them opens).
    if (body.recipient === 'agency' && d.sharing.scope !== 'noi_bo' && d.sharing.consumers.includes(agency)) {
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
      request_letter: '',
      commitment_letter: '',
      decisions: [],
      status: 'pending',
      granted_views: [],
      granted_members: [],
      decided_by: '',
      decision_note: '',
    })
    auditStep(req, 'sharing.request', r, { purpose: r.purpose })
    await mail(await emailsOfAgency(d.owner), `[Kho dữ liệu] Yêu cầu chia sẻ ${r.id} cần duyệt`, `${describe(r)}\n\nDuyệt tại trang Chia sẻ dữ liệu: /sharing (sau khi cơ quan đề nghị đính kèm văn bản đề nghị)`, req)
    return r
  })

  app.post<{ Params: { id: string } }>('/api/sharing/requests/:id/decision', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const body = parseQuery(decisionInput, req.body)
    const r = await findRequest(wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    const side = sideOf(req.caller, r)
    if (!side) throw forbidden('Chỉ cơ quan chủ quản dữ liệu và đơn vị vận hành Kho dữ liệu được duyệt', 'Only the data owner agency and the warehouse operator decide')
    if (r.status !== 'pending') throw new HttpError(409, 'conflict', `Yêu cầu đã ${STATUS_VI[r.status]}`, `The request is already ${r.status}`)
    if (r.decisions.some((d) => d.side === side)) throw new HttpError(409, 'conflict', `${SIDE_VI[side]} đã cho ý kiến về yêu cầu này`, `${SIDE_EN[side]} has already decided this request`)
    if (!r.request_letter) throw bad('Yêu cầu chưa có văn bản đề nghị của cơ quan; chưa thể duyệt', 'The request has no written request attached yet; it cannot be decided')
    let next: SharingRequest
    const decision: Decision = { side, approve: body.approve, by: req.caller.account, at: warehouseTime(), note: body.note, letter: body.letter }
    if (!body.approve) {
      if (body.note.length < 5) throw bad('Từ chối cần nêu lý do', 'A refusal needs a reason')
      if (body.letter) await checkLetter(r, body.letter, req.caller.account)
      next = { ...r, status: 'refused', decisions: [...r.decisions, decision], decided_by: req.caller.account, decision_note: body.note }
    } else {
      if (!body.letter) throw bad(`Đồng ý cần văn bản của ${SIDE_VI[side]} (đính kèm trước)`, `An approval needs the letter of ${SIDE_EN[side]} (attach it first)`)
      await checkLetter(r, body.letter, req.caller.account)
      if (r.recipient === 'system' && (await findSystem(wh, r.system_id))?.third_party && !r.commitment_letter) {
        throw bad('Hệ thống do bên thứ ba vận hành: cần văn bản cam kết của bên thứ ba trước khi cấp quyền', 'A system run by a third party: its written commitment is needed before a grant')
      }
      // An approval may be narrower than what the other side approved (or, first, than the request), never wider.
      const first = r.decisions.length === 0
      const current = { views: first ? r.views : r.granted_views, members: first ? r.members : r.granted_members, starts: r.starts_on, ends: r.ends_on }
      const views = body.views ?? current.views
      const members = body.members ?? current.members
      const starts = body.starts_on ?? current.starts
      const ends = body.ends_on ?? current.ends
      const asked = scopeOf(current.views, current.members, deps.cube.sharing.viewsOf(r.dataset))
      if (!within(checkScope(r.dataset, views, members), asked)) throw bad('Không được duyệt rộng hơn yêu cầu (khung nhìn, trường)', 'An approval may not be wider than the request (views, members)')
      if (starts < current.starts || ends > current.ends) throw bad('Thời hạn duyệt phải nằm trong thời hạn yêu cầu', 'The approved period must lie within the requested one')
      checkPeriod(starts, ends)
      const decisions = [...r.decisions, decision]
      const both = waitingFor({ decisions }).length === 0
      next = { ...r, status: both ? 'approved' : 'pending', decisions, granted_views: views, granted_members: members, starts_on: starts, ends_on: ends, decided_by: req.caller.account, decision_note: body.note }
    }
    const saved = await writeRequest(wh, next)
    await deps.grants.refresh()
    auditStep(req, 'sharing.decision', saved, { side, approve: body.approve, letter: body.letter, note: body.note })
    const outcome = saved.status === 'pending' ? `${SIDE_VI[side]} đã đồng ý; chờ ý kiến của ${waitingFor(saved).map((x) => SIDE_VI[x]).join(', ')}` : STATUS_VI[saved.status]
    const notify = [await emailOf(r.requester), ...(saved.status === 'pending' && side === 'operator' ? await emailsOfAgency(ownerOf(r.dataset)) : [])]
    await mail(notify, `[Kho dữ liệu] Yêu cầu ${r.id}: ${outcome}`, `${describe(saved)}\n\nKết quả: ${outcome}${saved.decision_note ? ` — ${saved.decision_note}` : ''}`, req)
    return saved
  })

  app.post<{ Params: { id: string } }>('/api/sharing/requests/:id/status', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const body = parseQuery(statusInput, req.body)
    const r = await findRequest(wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    const move = MOVES[body.status]
    const side = (move.by.includes('signer') && sideOf(req.caller, r) !== null) || (move.by.includes('requester') && isRequesterSide(req.caller, r))
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

/**
 * Letters of a request (multipart, field "file"; `?kind=`): the asking agency's written request and a
 * third party's commitment, and each side's approval letter, kept sealed like every attachment and
 * checked by content. Registered where the multipart parser is.
 */
export function sharingLetterRoutes(app: FastifyInstance, deps: Pick<SharingRoutesDeps, 'wh' | 'catalog' | 'audit'> & Pick<AttachmentRoutesDeps, 'attachments' | 'paths'>) {
  const { sideOf, isRequesterSide, sees } = sidesOf(deps)
  const kindInput = z.strictObject({ kind: z.enum(LETTER_KINDS) })

  app.post<{ Params: { id: string } }>('/api/sharing/requests/:id/letters', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const { kind } = parseQuery(kindInput, req.query)
    const r = await findRequest(deps.wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    const mine = kind === 'request' || kind === 'commitment' ? isRequesterSide(req.caller, r) : sideOf(req.caller, r) === kind
    if (!mine) throw forbidden('Bạn không gửi văn bản này cho yêu cầu', 'You do not send this letter for the request')
    if (r.status !== 'pending') throw new HttpError(409, 'conflict', `Yêu cầu đã ${STATUS_VI[r.status]}`, `The request is already ${r.status}`)
    if (kind === 'request' && r.decisions.length > 0) throw new HttpError(409, 'conflict', 'Yêu cầu đã được cho ý kiến; không thay văn bản đề nghị', 'The request has been decided on; its written request stays')
    const saved = await receiveAttachment(req, deps, { kind: 'sharing', loadId: '', requestId: r.id, dataset: r.dataset, agency: r.agency })
    if (kind === 'request') await writeRequest(deps.wh, { ...r, request_letter: saved.id })
    if (kind === 'commitment') await writeRequest(deps.wh, { ...r, commitment_letter: saved.id })
    deps.audit.recordRequest(req, { endpoint: 'sharing.letter', datasets: [r.dataset], query: { id: r.id, kind, attachment: saved.id, name: saved.name, media_type: saved.media_type } })
    return { ...saved, letter_kind: kind }
  })

  app.get<{ Params: { id: string } }>('/api/sharing/requests/:id/letters', allow(access.signedIn), async (req) => {
    const r = await findRequest(deps.wh, req.params.id)
    if (!r || !sees(req.caller, r)) throw notFound('yêu cầu / request', req.params.id)
    return listAttachments(deps.wh, { requestId: r.id })
  })
}
