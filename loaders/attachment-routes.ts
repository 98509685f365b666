import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { access, allow } from '../infra/access/gate.ts'
import type { AuditLog } from '../infra/access/audit-log.ts'
import type { Catalog } from '../infra/catalog/load-catalog.ts'
import { HttpError, notFound } from '../infra/http/http-error.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { ATTACHMENT_MAX_BYTES, attachmentPath, findAttachment, listAttachments, storeAttachment, type Attachment, type AttachmentKind } from './attachments.ts'
import { LoadRefusal } from './load-refusal.ts'
import { can } from '../infra/access/permissions.ts'
import { keptStream, type KeptFiles } from '../infra/files/sealed-file.ts'
import { receiveFile } from '../infra/files/receive-file.ts'

export interface AttachmentRoutesDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  audit: AuditLog
  /** Where attachments are kept (sealed) by content hash. */
  attachments: KeptFiles
  /** Where an upload is staged meanwhile. */
  paths: { uploads: string }
}

/** What an upload is attached to. */
export type AttachmentOf = { kind: AttachmentKind; loadId: string; requestId?: string; dataset: string; agency: string }

/** The uploaded file (multipart field "file"), staged, stored as an attachment; the staged copy removed whatever happens. */
export async function receiveAttachment(req: FastifyRequest, ctx: Pick<AttachmentRoutesDeps, 'wh' | 'attachments' | 'paths'>, a: AttachmentOf): Promise<Attachment> {
  if (!req.isMultipart()) throw new HttpError(415, 'not_multipart', 'Gửi tệp dạng multipart/form-data (trường "file")', 'Send the file as multipart/form-data (field "file")')
  const part = await req.file({ limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1 } })
  if (!part) throw new HttpError(400, 'no_file', 'Không có tệp nào được gửi', 'No file was sent')
  fs.mkdirSync(ctx.paths.uploads, { recursive: true })
  const tmp = path.join(ctx.paths.uploads, `attachment-${randomUUID()}`)
  try {
    await receiveFile(part.file, tmp)
    if (part.file.truncated) {
      const mb = ATTACHMENT_MAX_BYTES / 1024 / 1024
      throw new HttpError(413, 'too_large', `Tệp ${part.filename} vượt quá giới hạn ${mb} MB cho một tài liệu đính kèm`, `${part.filename} exceeds the ${mb} MB limit for an attachment`)
    }
    return await storeAttachment(ctx.wh, ctx.attachments, { ...a, name: part.filename, file: tmp, uploadedBy: req.caller.account })
  } catch (err) {
    if (err instanceof LoadRefusal) throw new HttpError(err.code === 'attachment.type' ? 415 : err.code === 'attachment.delivery_total' ? 413 : 400, err.code, err.vi, err.en)
    throw err
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/**
 * Attachments of a delivery (its officer sends them; its agency and provincial roles read them) and
 * of a catalogue entry (its owner agency's officers and stewards send them; anyone signed in reads
 * them). Every download is in the sharing log.
 */
export function attachmentRoutes(app: FastifyInstance, ctx: AttachmentRoutesDeps) {
  const loadOf = async (id: string) => {
    const [load] = await queryRows<{ dataset: string; agency: string }>(ctx.wh.client, 'SELECT dataset, agency FROM meta.loads FINAL WHERE load_id = {id:String}', { id })
    if (!load) throw notFound('lần gửi / delivery', id)
    return load
  }
  const datasetOf = (id: string) => {
    const d = ctx.catalog().dataset(id)
    if (!d) throw notFound('bộ dữ liệu / dataset', id)
    return d
  }
  const forbidden = () => new HttpError(403, 'forbidden', 'Tài khoản không được xem hoặc gửi tài liệu này', 'This account may not see or send this document')

  const receive = (req: FastifyRequest, a: AttachmentOf) => receiveAttachment(req, ctx, a)

  app.post<{ Params: { id: string } }>('/api/loads/:id/attachments', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const load = await loadOf(req.params.id)
    if (!can(req.caller, 'deliver', load.agency)) throw forbidden()
    const saved = await receive(req, { kind: 'delivery', loadId: req.params.id, dataset: load.dataset, agency: load.agency })
    ctx.audit.recordRequest(req, { endpoint: 'attachment.upload', datasets: [load.dataset], query: { id: saved.id, load: req.params.id, name: saved.name, media_type: saved.media_type } })
    return saved
  })

  app.get<{ Params: { id: string } }>('/api/loads/:id/attachments', allow(access.signedIn), async (req) => {
    const load = await loadOf(req.params.id)
    if (!can(req.caller, 'see', load.agency)) throw forbidden()
    return listAttachments(ctx.wh, { loadId: req.params.id })
  })

  app.post<{ Params: { id: string } }>('/api/catalog/datasets/:id/attachments', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const d = datasetOf(req.params.id)
    if (!can(req.caller, 'deliver', d.owner)) throw forbidden()
    const saved = await receive(req, { kind: 'dataset', loadId: '', dataset: d.id, agency: d.owner })
    ctx.audit.recordRequest(req, { endpoint: 'attachment.upload', datasets: [d.id], query: { id: saved.id, name: saved.name, media_type: saved.media_type } })
    return saved
  })

  app.get<{ Params: { id: string } }>('/api/catalog/datasets/:id/attachments', allow(access.signedIn), async (req) => listAttachments(ctx.wh, { dataset: datasetOf(req.params.id).id }))

  app.get<{ Params: { id: string } }>('/api/attachments/:id', allow(access.signedIn), async (req, reply: FastifyReply) => {
    const a = /^[0-9a-f-]{36}$/.test(req.params.id) ? await findAttachment(ctx.wh, req.params.id) : null
    if (!a) throw notFound('tài liệu / attachment', req.params.id)
    // A delivery's documents are its agency's and the province's; a dataset's, everyone's signed in.
    if (a.kind === 'delivery' && !can(req.caller, 'see', a.agency)) throw forbidden()
    // A sharing request's letters are the asking agency's, the owner's and the province's.
    if (a.kind === 'sharing' && !can(req.caller, 'see', a.agency) && !can(req.caller, 'see', ctx.catalog().dataset(a.dataset)?.owner ?? '')) throw forbidden()
    const file = attachmentPath(ctx.attachments.dir, a.sha256)
    if (!fs.existsSync(file)) throw notFound('tài liệu / attachment', req.params.id)
    ctx.audit.recordRequest(req, { endpoint: 'attachment.download', datasets: [a.dataset], query: { id: a.id, name: a.name, kind: a.kind } })
    return reply
      .type(a.media_type)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`)
      .header('x-content-type-options', 'nosniff')
      // Opened as it is sent: nothing decrypted is written to disk.
      .send(keptStream(file, ctx.attachments.keys))
  })
}
