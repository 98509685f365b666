/**
 * bench:load-test's users, in a process of their own so that the requests' client side (fetch,
 * reading answers) does not share the server's event loop: given the service's address and one
 * token per user, every user asks the mix (load-mix.ts) in a closed loop until the time is up, and
 * the latencies go back to the parent.
 */
import { request, type MixRequest } from './load-mix.ts'

export interface CrowdOrder {
  url: string
  tokens: string[]
  seconds: number
  renew: boolean
}
export interface CrowdReport {
  seconds: number
  latencies: number[]
  errors: number
  /** The first answer of each failing status, to print. */
  failures: Record<number, string>
}

async function call(order: CrowdOrder, token: string, r: MixRequest, report: CrowdReport): Promise<void> {
  const t = performance.now()
  const res = await fetch(order.url + r.path, {
    method: r.body ? 'POST' : 'GET',
    headers: { authorization: token, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    ...(r.body ? { body: JSON.stringify(r.body) } : {}),
  })
  const body = await res.text()
  report.latencies.push(performance.now() - t)
  if (res.status !== 200) {
    report.errors++
    report.failures[res.status] ??= `${r.path}: ${body.slice(0, 300)}`
  }
}

async function crowd(order: CrowdOrder): Promise<CrowdReport> {
  const report: CrowdReport = { seconds: 0, latencies: [], errors: 0, failures: {} }
  const started = performance.now()
  const until = started + order.seconds * 1000
  await Promise.all(
    order.tokens.map(async (token, user) => {
      for (let i = 0; performance.now() < until; i++) await call(order, token, request(user, i, order.renew), report)
    }),
  )
  report.seconds = (performance.now() - started) / 1000
  return report
}

process.on('message', (order: CrowdOrder) => {
  crowd(order).then(
    (report) => process.send!(report, () => process.exit(0)),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
})
