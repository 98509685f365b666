import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { auditRejects, rejectsFor } from '../../loaders/personal-masking.ts'
import { agencyScope } from '../../infra/access/permissions.ts'

const outlierQuery = z.strictObject({ review: z.enum(['open', 'confirmed', 'rejected']).optional(), agency: z.string().max(40).optional() })
const rejectQuery = z.strictObject({ agency: z.string().max(40).optional(), dataset: z.string().max(60).optional(), limit: z.coerce.number().int().min(1).max(10_000).default(500) })
const reviewBody = z.strictObject({
  indicator_code: z.string().min(1).max(60),
  period: z.string().min(4).max(10),
  unit_code: z.string().min(2).max(5),
  decision: z.enum(['confirmed', 'rejected']),
  note: z.string().max(2000).default(''),
})

/** Accuracy review (values outside their history band) and the drill-down to rejected rows. */
export interface QualityRoutesDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  audit: AuditLog
  /** Rebuild the marts now (a reviewed outlier changes the accuracy score). */
  rebuildMarts: () => void
}

export function qualityRoutes(app: FastifyInstance, ctx: QualityRoutesDeps) {
  app.get('/api/quality/outliers', allow(access.signedIn), async (req) => {
    const q = parseQuery(outlierQuery, req.query)
    const agency = agencyScope(req.caller, q.agency)
    const rows = await queryRows(
      ctx.wh.client,
      `SELECT * FROM marts.fct_value_outlier
       WHERE (empty({agency:String}) OR agency = {agency:String}) AND (empty({review:String}) OR review = {review:String})
       ORDER BY abs(z_score) DESC LIMIT 1000`,
      { agency, review: q.review ?? '' },
    )
    ctx.audit.recordRequest(req, { endpoint: 'outliers', members: ['marts.fct_value_outlier'], filters: { agency, review: q.review ?? '' }, rowCount: rows.length })
    return rows
  })

  app.post('/api/quality/outliers/review', allow(access.roles('steward', 'admin')), async (req) => {
    const sec = req.caller
    const body = parseQuery(reviewBody, req.body)
    await ctx.wh.client.insert({ table: 'meta.outlier_reviews', values: [{ ...body, reviewer: sec.account }], format: 'JSONEachRow' })
    ctx.rebuildMarts()
    return { ...body, reviewer: sec.account }
  })

  app.get('/api/quality/rejects', allow(access.signedIn), async (req) => {
    const q = parseQuery(rejectQuery, req.query)
    const agency = agencyScope(req.caller, q.agency)
    const stored = await queryRows<{ dataset: string; column: string; value: string; reason_vi: string; reason_en: string }>(
      ctx.wh.client,
      `SELECT r.load_id AS load_id, l.source AS source, r.dataset AS dataset, r.agency AS agency, r.row AS row, r.column AS column,
              r.value AS value, r.code AS code, r.reason_vi AS reason_vi, r.reason_en AS reason_en
       FROM meta.rejects AS r LEFT JOIN (SELECT load_id, source FROM meta.loads FINAL) AS l ON l.load_id = r.load_id
       WHERE (empty({agency:String}) OR r.agency = {agency:String}) AND (empty({dataset:String}) OR r.dataset = {dataset:String})
       ORDER BY r.created_at DESC, r.row LIMIT {limit:UInt32}`,
      { agency, dataset: q.dataset ?? '', limit: q.limit },
    )
    const rows = rejectsFor(stored, (r) => ctx.catalog().dataset(r.dataset), req.caller)
    const datasets = [...new Set(stored.map((r) => r.dataset))].flatMap((id) => ctx.catalog().dataset(id) ?? [])
    auditRejects(ctx, req, datasets, { agency, dataset: q.dataset ?? '' }, rows.length)
    // Each column also by the label the agency's template heads it with.
    return rows.map((r) => ({ ...r, column_label: ctx.catalog().dataset(String(r.dataset))?.columns.find((c) => c.id === r.column)?.label ?? r.column }))
  })
}
