import type { FastifyInstance } from 'fastify'
import { warehouseStatus } from '../warehouse/status.ts'
import type { ServiceContext } from './context.ts'

/** /healthz: the service answers and what the warehouse holds; /readyz: 200 once the demo is in. */
export function healthRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.get('/healthz', async () => {
    const status = await warehouseStatus(ctx.wh)
    return {
      status: ctx.demo.state === 'seeding' || ctx.demo.state === 'pending' ? 'seeding' : 'ok',
      service: 'kho',
      uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
      province: { code: ctx.catalog.province.code, name: ctx.catalog.province.name },
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
  app.get('/readyz', async (_req, reply) => {
    const ready = ctx.demo.state === 'ready' || ctx.demo.state === 'off'
    return reply.code(ready ? 200 : 503).send({ ready, demo: ctx.demo })
  })
}
