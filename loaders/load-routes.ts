import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import type { ServiceContext } from '../infra/service/context.ts'
import { HttpError } from '../infra/service/http-error.ts'
import { requireServiceToken } from '../infra/service/service-token.ts'
import { loadFile, type LoadReport } from './load-file.ts'
import { datasetTemplate } from './template.ts'
import { notFound } from '../infra/service/http-error.ts'

/** HTTP status for a load report: accepted (also a recognised duplicate), refused, or failed. */
export function reportStatus(report: LoadReport): number {
  return report.status === 'refused' ? 422 : report.status === 'failed' ? 500 : 200
}

/**
 * POST /api/loads: a multipart upload of one file (fields `dataset` and `agency`, or the same as
 * query parameters), loaded like any delivery; answers with the load report.
 */
export async function loadRoutes(app: FastifyInstance, ctx: ServiceContext) {
  await app.register(multipart, { limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: 10 } })
  const uploads = path.join(ctx.config.home, 'uploads')

  app.get<{ Params: { id: string } }>('/api/datasets/:id/template.xlsx', async (req, reply) => {
    const dataset = ctx.catalog.dataset(req.params.id)
    if (!dataset) throw notFound('bộ dữ liệu / dataset', req.params.id)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="mau_${dataset.id}.xlsx"`)
      .send(await datasetTemplate(ctx.catalog, dataset))
  })

  app.post<{ Querystring: { dataset?: string; agency?: string; sheet?: string } }>('/api/loads', async (req, reply) => {
    requireServiceToken(req, ctx)
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
    fs.mkdirSync(uploads, { recursive: true })
    const tmp = path.join(uploads, `${randomUUID()}${path.extname(part.filename).toLowerCase()}`)
    try {
      await pipeline(part.file, fs.createWriteStream(tmp))
      if (part.file.truncated) {
        const mb = Math.round(ctx.config.uploadMaxBytes / 1024 / 1024)
        throw new HttpError(413, 'too_large', `Tệp ${part.filename} vượt quá giới hạn ${mb} MB; không có gì được nạp`, `${part.filename} exceeds the ${mb} MB limit; nothing was loaded`)
      }
      const report = await loadFile({
        wh: ctx.wh,
        catalog: ctx.catalog,
        archiveDir: path.join(ctx.config.home, 'archive'),
        file: tmp,
        sourceName: path.basename(part.filename),
        dataset,
        agency,
        channel: 'upload',
        ...(sheet ? { sheet } : {}),
      })
      return reply.code(reportStatus(report)).send(report)
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  })
}
