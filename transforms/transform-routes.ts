import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../infra/warehouse/client.ts'
import type { TransformCoordinator } from './runner/coordinator.ts'
import type { Project } from './project/project.ts'
import { parseQuery } from '../infra/http/parse-request.ts'
import { access, allow } from '../infra/access/gate.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { sourceFreshness } from './runner/freshness.ts'
import { lineage, type ViewTables } from './runner/lineage.ts'

const runBody = z.strictObject({ select: z.array(z.string()).default([]), full_refresh: z.boolean().default(false) })
const runsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) })

/** Lineage and freshness for the catalogue page; transform runs for stewards and the CLI. */
export interface TransformRoutesDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  project: () => Project
  transforms: TransformCoordinator
  /** Which tables each semantic view reads, to end the lineage at the views. */
  viewTables: () => ViewTables[]
}

export function transformRoutes(app: FastifyInstance, ctx: TransformRoutesDeps) {
  app.get('/api/lineage', allow(access.signedInOrService), async () => lineage(ctx.wh, ctx.catalog(), ctx.project(), ctx.viewTables()))
  app.get('/api/freshness', allow(access.signedInOrService), async () => sourceFreshness(ctx.wh, ctx.catalog()))
  app.get('/api/transform/runs', allow(access.roles('steward', 'admin')), async (req) => {
    const { limit } = parseQuery(runsQuery, req.query)
    return queryRows(ctx.wh.client, `SELECT * FROM meta.runs ORDER BY started_at DESC LIMIT ${limit}`)
  })
  app.post('/api/admin/transform/test', allow(access.serviceToken), async (req) => {
    const body = parseQuery(runBody, req.body)
    return ctx.transforms.test(body.select)
  })
  app.post('/api/admin/transform/run', allow(access.serviceToken), async (req) => {
    const body = parseQuery(runBody, req.body)
    return ctx.transforms.run({ select: body.select, fullRefresh: body.full_refresh })
  })
}
