import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { access, allow } from '../../access/gate.ts'
import type { JobScheduler } from '../../scheduler/job-scheduler.ts'
import { HttpError } from '../../http/http-error.ts'
import { parseQuery } from '../../http/parse-request.ts'

const historyQuery = z.strictObject({ job: z.string().max(80).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) })

/** Scheduled jobs: their run history for stewards, a run on demand for administrators. */
export function jobRoutes(app: FastifyInstance, jobs: JobScheduler) {
  app.get('/api/jobs', allow(access.roles('steward', 'admin')), async (req) => {
    const q = parseQuery(historyQuery, req.query)
    return { jobs: jobs.ids(), titles: jobs.titles(), runs: await jobs.history(q.job, q.limit) }
  })

  app.post('/api/jobs/:id/run', allow(access.roles('admin')), async (req) => {
    const { id } = req.params as { id: string }
    if (!jobs.ids().includes(id)) throw new HttpError(404, 'not_found', `Không có tác vụ "${id}"`, `No job "${id}"`)
    return jobs.run(id)
  })
}
