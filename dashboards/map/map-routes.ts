import type { FastifyInstance } from 'fastify'
import { access, allow } from '../../infra/access/gate.ts'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { readBoundaries, readCommuneMap, saveCommuneMap } from './commune-boundaries.ts'
import * as clock from '../../infra/time/clock.ts'

export interface MapRoutesDeps {
  mapsDir: string
  provinceCode: string
  audit: AuditLog
  uploadMaxBytes: number
}

/**
 * GET /api/map/communes: the province's commune boundaries for the overview's map ({ map: null }
 * until a steward uploads them). POST /api/map/communes (steward, admin): a GeoJSON or TopoJSON file
 * (multipart, field "file"), matched to the 2025 communes; the report lists communes missing and
 * codes unknown, and the map replaces the last one only when at least one commune matched.
 */
export function mapRoutes(app: FastifyInstance, deps: MapRoutesDeps) {
  app.get('/api/map/communes', allow(access.signedIn), async () => ({ map: readCommuneMap(deps.mapsDir) }))

  app.post('/api/map/communes', allow(access.roles('steward', 'admin')), async (req, reply) => {
    if (!req.isMultipart()) throw new HttpError(415, 'not_multipart', 'Gửi tệp dạng multipart/form-data (trường "file")', 'Send the file as multipart/form-data (field "file")')
    const part = await req.file({ limits: { fileSize: deps.uploadMaxBytes, files: 1 } })
    if (!part) throw new HttpError(400, 'no_file', 'Không có tệp nào được gửi', 'No file was sent')
    const bytes = await part.toBuffer().catch((err: Error & { code?: string }) => {
      if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
        const mb = Math.round(deps.uploadMaxBytes / 1024 / 1024)
        throw new HttpError(413, 'too_large', `Tệp ${part.filename} vượt quá giới hạn ${mb} MB`, `${part.filename} exceeds the ${mb} MB limit`)
      }
      throw err
    })
    const { report, features } = readBoundaries(bytes, deps.provinceCode)
    if (report.ok) saveCommuneMap(deps.mapsDir, features, { name: part.filename, illustrative: false, uploaded_at: clock.now().toISOString(), uploaded_by: req.caller.account })
    deps.audit.recordRequest(req, { endpoint: 'map.upload', query: { file: part.filename, features: report.features, matched: report.matched, missing: report.missing.length, unknown: report.unknown.length, saved: report.ok } })
    return reply.code(report.ok ? 200 : 422).send(report)
  })
}
