import type { FastifyInstance } from 'fastify'
import { queryRows } from '../../warehouse/client.ts'
import type { ServiceContext } from './context.ts'
import { allow, type RouteAccess } from '../../access/gate.ts'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/**
 * Prometheus metrics at /metrics: HTTP requests and latencies by route (the route pattern, not the
 * URL, so ids do not multiply series), and — read at scrape time — loads, transform runs, job runs,
 * the result cache and the process. Every response carries its request id (x-request-id, taken from
 * the request when a proxy set one), which the JSON logs carry too.
 */
export function observability(app: FastifyInstance, ctx: ServiceContext) {
  const requests = new Map<string, number>()
  const latency = new Map<string, Histogram>()
  const started = new WeakMap<object, bigint>()

  app.addHook('onRequest', async (req, reply) => {
    started.set(req, process.hrtime.bigint())
    reply.header('x-request-id', req.id)
  })
  app.addHook('onResponse', async (req, reply) => {
    const t0 = started.get(req)
    const route = req.routeOptions.url ?? 'unmatched'
    const key = `${req.method}|${route}|${reply.statusCode}`
    requests.set(key, (requests.get(key) ?? 0) + 1)
    if (t0 === undefined) return
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const h = latency.get(route) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]!++
    })
    h.sum += seconds
    h.count++
    latency.set(route, h)
  })

  // A token (steward, admin, the local CLI) or a configured scraper address (KHO_METRICS_ALLOW).
  const metricsAccess: RouteAccess = { kind: 'roles', roles: ['steward', 'admin'], serviceToken: true, addresses: ctx.config.metricsAllow }
  app.get('/metrics', allow(metricsAccess), async (_req, reply) => {
    const out: string[] = []
    const metric = (name: string, type: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines)
    metric(
      'kho_http_requests_total',
      'counter',
      'HTTP requests by method, route and status.',
      [...requests].map(([k, n]) => {
        const [method, route, status] = k.split('|')
        return `kho_http_requests_total{method="${method}",route="${label(route!)}",status="${status}"} ${n}`
      }),
    )
    metric(
      'kho_http_request_duration_seconds',
      'histogram',
      'HTTP request latency by route.',
      [...latency].flatMap(([route, h]) => [
        ...BUCKETS.map((b, i) => `kho_http_request_duration_seconds_bucket{route="${label(route)}",le="${b}"} ${h.counts[i]}`),
        `kho_http_request_duration_seconds_bucket{route="${label(route)}",le="+Inf"} ${h.count}`,
        `kho_http_request_duration_seconds_sum{route="${label(route)}"} ${h.sum}`,
        `kho_http_request_duration_seconds_count{route="${label(route)}"} ${h.count}`,
      ]),
    )
    const [loads, runs, jobs] = await Promise.all([
      queryRows<{ status: string; n: number }>(ctx.wh.client, 'SELECT status, count() AS n FROM meta.loads FINAL GROUP BY status ORDER BY status'),
      queryRows<{ status: string; n: number }>(ctx.wh.client, 'SELECT status, count() AS n FROM meta.runs GROUP BY status ORDER BY status'),
      queryRows<{ job: string; status: string; n: number }>(ctx.wh.client, 'SELECT job, status, count() AS n FROM meta.job_runs FINAL GROUP BY job, status ORDER BY job, status'),
    ])
    metric('kho_loads_total', 'counter', 'Deliveries by outcome.', loads.map((r) => `kho_loads_total{status="${label(r.status)}"} ${r.n}`))
    metric('kho_model_builds_total', 'counter', 'Model builds of transform runs by outcome.', runs.map((r) => `kho_model_builds_total{status="${label(r.status)}"} ${r.n}`))
    metric('kho_job_runs_total', 'counter', 'Scheduled job runs by job and outcome.', jobs.map((r) => `kho_job_runs_total{job="${label(r.job)}",status="${label(r.status)}"} ${r.n}`))
    metric('kho_result_cache_hits_total', 'counter', 'Query results served from the cache.', [`kho_result_cache_hits_total ${ctx.cache.hits}`])
    metric('kho_result_cache_misses_total', 'counter', 'Queries that ran on the warehouse.', [`kho_result_cache_misses_total ${ctx.cache.misses}`])
    metric('kho_data_version', 'gauge', 'Transform runs that changed the marts since start.', [`kho_data_version ${ctx.dataVersion}`])
    metric('kho_process_resident_memory_bytes', 'gauge', 'Resident memory.', [`kho_process_resident_memory_bytes ${process.memoryUsage().rss}`])
    metric('kho_uptime_seconds', 'gauge', 'Seconds since the service started.', [`kho_uptime_seconds ${(Date.now() - ctx.startedAt.getTime()) / 1000}`])
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(out.join('\n') + '\n')
  })
}
