import type { FastifyInstance } from 'fastify'
import { warehouseStatus } from '../../warehouse/status.ts'
import type { ServiceContext } from './context.ts'
import { access, allow } from '../../access/gate.ts'
import { can } from '../../access/permissions.ts'

/**
 * /healthz: whether the service is up, for anyone (a load balancer); what the warehouse holds,
 * versions and counts only for stewards, admins and the local CLI. /readyz: 200 once the demo is in.
 */
export function healthRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.get('/healthz', allow(access.public), async (req) => {
    const state = ctx.demo.state === 'seeding' || ctx.demo.state === 'pending' ? 'seeding' : 'ok'
    const c = req.caller
    const details = can(c, 'oversee')
    if (!details) return { status: state }
    const status = await warehouseStatus(ctx.wh)
    return {
      status: state,
      service: 'kho',
      uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
      province: { code: ctx.model.now.catalog.province.code, name: ctx.model.now.catalog.province.name },
      demo: ctx.demo,
      transforms: {
        running: ctx.transforms.running,
        lastFinishedAt: ctx.transforms.last?.finishedAt ?? null,
        modelsFailed: ctx.transforms.last?.run.results.filter((r) => r.status !== 'success').length ?? null,
        testsFailed: ctx.transforms.last?.tests.results.filter((t) => t.status !== 'pass').length ?? null,
      },
      ...status,
    }
  })
  app.get('/readyz', allow(access.public), async (_req, reply) => {
    const ready = ctx.demo.state === 'ready' || ctx.demo.state === 'off'
    return reply.code(ready ? 200 : 503).send({ ready, demo: { state: ctx.demo.state, done: ctx.demo.done, total: ctx.demo.total } })
  })
}
