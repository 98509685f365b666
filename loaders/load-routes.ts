import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuditLog } from '../infra/access/audit-log.ts'
import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../infra/warehouse/client.ts'
import { HttpError } from '../infra/http/http-error.ts'
import { access, allow } from '../infra/access/gate.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { z } from 'zod'
import type { LoadEvent, LoadHistoryRow } from '../infra/contracts/delivery.ts'
import { parseQuery } from '../infra/http/parse-request.ts'
import type { LoadReport } from './load-file.ts'
import type { Deliver } from './deliver.ts'
import { rejectsWorkbook, type RejectRow } from './rejects-workbook.ts'
import { auditRejects, rejectsFor, wholeRowFor } from './personal-masking.ts'
import { datasetTemplate } from './template.ts'
import { notFound } from '../infra/http/http-error.ts'
import * as clock from '../infra/time/clock.ts'
import { agencyScope, can } from '../infra/access/permissions.ts'
import { receiveFile } from '../infra/files/receive-file.ts'

/** HTTP status for a load report: accepted (also a recognised duplicate), refused, or failed. */
export function reportStatus(report: LoadReport): number {
  if (report.status === 'failed' && report.refusal?.code === 'disk_full') return 507
  return report.status === 'refused' ? 422 : report.status === 'failed' ? 500 : 200
}

/**
 * POST /api/loads: a multipart upload of one file (fields `dataset` and `agency`, or the same as
 * query parameters), loaded like any delivery; answers with the load report.
 */
export interface LoadRoutesDeps {
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  /** The one delivery path (marts follow a committed delivery). */
  deliver: Deliver
  /** Where an upload is staged while it loads. */
  uploadsDir: string
  uploadMaxBytes: number
}

export async function loadRoutes(app: FastifyInstance, ctx: LoadRoutesDeps) {
  await app.register(multipart, { limits: { fileSize: ctx.uploadMaxBytes, files: 1, fields: 10 } })
  const uploads = ctx.uploadsDir

  app.get<{ Params: { id: string } }>('/api/datasets/:id/template.xlsx', allow(access.public), async (req, reply) => {
    const dataset = ctx.catalog().dataset(req.params.id)
    if (!dataset) throw notFound('bộ dữ liệu / dataset', req.params.id)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="mau_${dataset.id}.xlsx"`)
      .send(await datasetTemplate(ctx.catalog(), dataset))
  })

  const pushQuery = z.strictObject({ period: z.string().max(20).optional() })
  const pushBody = z.union([
    z.array(z.record(z.string(), z.unknown())).min(1),
    z.strictObject({ records: z.array(z.record(z.string(), z.unknown())).min(1) }),
  ])

  // Push API: an agency's system sends records as JSON with its API key; they are loaded like a file.
  app.post<{ Params: { id: string } }>('/api/datasets/:id/records', allow(access.pushKey, { bodyLimit: ctx.uploadMaxBytes }), async (req, reply) => {
    const agency = req.caller.agency
    const { period } = parseQuery(pushQuery, req.query)
    const body = parseQuery(pushBody, req.body)
    const report = await ctx.deliver.records({
      records: Array.isArray(body) ? body : body.records,
      sourceName: `push ${req.params.id} ${clock.now().toISOString()}.json`,
      dataset: req.params.id,
      agency,
      channel: 'push',
      // The gate names a push key's caller key:<key id>.
      deliveredBy: `push-key:${req.caller.account.replace(/^key:/, '')}`,
      ...(period ? { period } : {}),
    })
    return reply.code(reportStatus(report)).send(report)
  })

  /**
   * Who an upload is from: the signed-in account, or for the local CLI (the service token) the OS
   * user it runs as, which it sends (`os_user`); letters, digits, dot, dash and underscore kept.
   */
  function uploader(req: FastifyRequest, osUser: string | undefined): string {
    if (req.caller.via === 'service-token') return `cli:${(osUser ?? '').replace(/[^\p{L}\p{N}._-]/gu, '').slice(0, 64) || 'không rõ'}`
    return `account:${req.caller.account}`
  }

  /** The gate admits the local CLI, stewards, admins and officers; the permissions say for which agency. */
  function requireUploader(req: FastifyRequest, agency: string) {
    const sec = req.caller
    if (!can(sec, 'deliver', agency)) {
      throw new HttpError(403, 'forbidden', `Tài khoản chỉ được gửi dữ liệu của ${sec.agency || 'cơ quan mình'}`, `This account may only deliver for ${sec.agency || 'its own agency'}`)
    }
  }

  app.post<{ Querystring: { dataset?: string; agency?: string; sheet?: string } }>('/api/loads', allow(access.rolesOrService('agency_officer', 'steward', 'admin')), async (req, reply) => {
    if (!req.isMultipart()) {
      throw new HttpError(415, 'not_multipart', 'Gửi tệp dạng multipart/form-data (trường "file")', 'Send the file as multipart/form-data (field "file")')
    }
    const part = await req.file()
    if (!part) throw new HttpError(400, 'no_file', 'Không có tệp nào được gửi', 'No file was sent')
    const field = (name: string) => {
      const f = part.fields[name]
      const value = f && !Array.isArray(f) && f.type === 'field' ? String(f.value) : undefined
      return value ?? req.query[name as 'dataset' | 'agency' | 'sheet']
    }
    const dataset = field('dataset')
    const agency = field('agency')
    const sheet = field('sheet')
    if (!dataset || !agency) {
      part.file.resume()
      throw new HttpError(400, 'bad_request', 'Cần trường "dataset" và "agency" (gửi trước tệp)', 'Fields "dataset" and "agency" are required (before the file)')
    }
    try {
      requireUploader(req, agency)
    } catch (err) {
      part.file.resume()
      throw err
    }
    fs.mkdirSync(uploads, { recursive: true })
    const tmp = path.join(uploads, `${randomUUID()}${path.extname(part.filename).toLowerCase()}`)
    try {
      await receiveFile(part.file, tmp)
      if (part.file.truncated) {
        const mb = Math.round(ctx.uploadMaxBytes / 1024 / 1024)
        throw new HttpError(413, 'too_large', `Tệp ${part.filename} vượt quá giới hạn ${mb} MB; không có gì được nạp`, `${part.filename} exceeds the ${mb} MB limit; nothing was loaded`)
      }
      const report = await ctx.deliver.file({
        file: tmp,
        sourceName: path.basename(part.filename),
        dataset,
        agency,
        channel: 'upload',
        deliveredBy: uploader(req, field('os_user')),
        temporary: true,
        ...(sheet ? { sheet } : {}),
      })
      return reply.code(reportStatus(report)).send(report)
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  })
}

const historyQuery = z.strictObject({
  agency: z.string().max(40).optional(),
  dataset: z.string().max(60).optional(),
  /** One delivery (a trace's link to it). */
  load: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
})

/** Load history and each load's rejected rows (JSON or XLSX): officers see their own agency's. */
export function loadHistoryRoutes(app: FastifyInstance, ctx: { wh: Warehouse; catalog: () => Catalog; audit: AuditLog }) {
  app.get('/api/loads', allow(access.signedIn), async (req) => {
    const q = parseQuery(historyQuery, req.query)
    const agency = agencyScope(req.caller, q.agency)
    return queryRows<LoadHistoryRow>(
      ctx.wh.client,
      `SELECT load_id, dataset, agency, channel, delivered_by, source, status, period, rows_read, rows_loaded, rows_rejected, message,
              toString(delivered_at) AS delivered_at, toString(finished_at) AS finished_at
       FROM meta.loads FINAL
       WHERE status != 'started' AND (empty({agency:String}) OR agency = {agency:String}) AND (empty({dataset:String}) OR dataset = {dataset:String})
         AND (empty({load:String}) OR load_id = {load:String})
       ORDER BY delivered_at DESC LIMIT {limit:UInt32}`,
      { agency, dataset: q.dataset ?? '', load: q.load ?? '', limit: q.limit },
    )
  })

  // A load's whole life: every state it went through and what retention later removed of it.
  app.get<{ Params: { id: string } }>('/api/loads/:id/events', allow(access.signedIn), async (req) => {
    const agency = agencyScope(req.caller, undefined)
    const [load] = await queryRows<{ agency: string }>(ctx.wh.client, 'SELECT agency FROM meta.loads FINAL WHERE load_id = {id:String} LIMIT 1', { id: req.params.id })
    if (!load || (agency && load.agency !== agency)) throw notFound('lần nạp / load', req.params.id)
    return queryRows<LoadEvent>(
      ctx.wh.client,
      `SELECT event, toString(at) AS at, by, channel, rows, message FROM meta.load_events
       WHERE load_id = {id:String} ORDER BY at, indexOf(['started', 'committed', 'refused', 'failed', 'file_removed', 'rows_removed'], event)`,
      { id: req.params.id },
    )
  })

  app.get<{ Params: { id: string; format?: string } }>('/api/loads/:id/rejects.:format', allow(access.signedIn), async (req, reply) => {
    const agency = agencyScope(req.caller, undefined)
    const [load] = await queryRows<{ agency: string; dataset: string; source: string }>(
      ctx.wh.client,
      'SELECT agency, dataset, source FROM meta.loads FINAL WHERE load_id = {id:String} LIMIT 1',
      { id: req.params.id },
    )
    if (!load || (agency && load.agency !== agency)) throw notFound('lần nạp / load', req.params.id)
    if (req.params.format !== 'json' && req.params.format !== 'xlsx') throw notFound('định dạng / format', req.params.format ?? '')
    const dataset = ctx.catalog().dataset(load.dataset)
    const stored = await queryRows<RejectRow>(
      ctx.wh.client,
      'SELECT row, column, value, reason_vi, reason_en FROM meta.rejects WHERE load_id = {id:String} ORDER BY row, column',
      { id: req.params.id },
    )
    const rows = rejectsFor(stored, () => dataset, req.caller)
    auditRejects(ctx, req, dataset ? [dataset] : [], { load_id: req.params.id }, rows.length)
    if (req.params.format === 'json') return rows
    const show = (r: Record<string, string | number>) => (dataset ? wholeRowFor(r, dataset, req.caller) : r)
    const file = await rejectsWorkbook(ctx.wh, dataset, { id: req.params.id, source: load.source, agency: load.agency, agencyName: ctx.catalog().agency(load.agency)?.name ?? load.agency }, rows, show)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="dong-bi-tu-choi-${req.params.id.slice(0, 8)}.xlsx"`)
      .send(file)
  })
}

