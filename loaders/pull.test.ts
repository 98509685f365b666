import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { pullSchema } from '../infra/catalog/schema.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { pullDataset } from './pull.ts'
import { JobScheduler } from '../infra/scheduler/job-scheduler.ts'
import { pullJobs } from './pull-jobs.ts'
import { deliverer } from './deliver.ts'
import { pathsUnder } from '../infra/config.ts'
import * as clock from '../infra/time/clock.ts'
import { SecretStore } from '../infra/access/secret-store.ts'

// A local source API shaped like a business-registration system, with a flaky first answer.
const enterprises = Array.from({ length: 5 }, (_, i) => ({
  ma_so_doanh_nghiep: ['0100047516', '0100233488', '0100233488-001', '0100233488-002', '0100233488-003'][i],
  ten_doanh_nghiep: `Doanh nghiệp ${i + 1}`,
  ngay_thanh_lap: '2020-01-0' + (i + 1),
  ma_xa: '07210',
  nganh_vsic: '2610',
  trang_thai: 'dang_hoat_dong',
  ngay_cap_nhat: `2026-10-0${i + 1}`,
}))
const requests: URL[] = []
let failuresLeft = 0
const server = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://x')
  requests.push(url)
  if (failuresLeft > 0) {
    failuresLeft--
    res.writeHead(failuresLeft % 2 ? 503 : 429, { 'retry-after': '0' }).end()
    return
  }
  if (req.headers['x-token'] !== 'bi-mat') return void res.writeHead(401).end()
  const since = url.searchParams.get('updated_since')
  const rows = enterprises.filter((e) => !since || e.ngay_cap_nhat > since)
  const json = (body: unknown, headers: Record<string, string> = {}) => res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  if (url.pathname === '/page') {
    const page = Number(url.searchParams.get('trang'))
    const size = Number(url.searchParams.get('so_dong'))
    return json({ data: { items: rows.slice((page - 1) * size, page * size) } })
  }
  if (url.pathname === '/cursor') {
    const at = Number(url.searchParams.get('cursor') ?? 0)
    return json({ items: rows.slice(at, at + 2), next: at + 2 < rows.length ? String(at + 2) : null })
  }
  // A source that never answers, and one that answers a web page instead of JSON (a login page, a proxy's error).
  if (url.pathname === '/hang') return
  if (url.pathname === '/html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body>Đăng nhập</body></html>')
  if (url.pathname === '/link') {
    const at = Number(url.searchParams.get('from') ?? 0)
    return json(rows.slice(at, at + 3), at + 3 < rows.length ? { link: `</link?from=${at + 3}>; rel="next"` } : {})
  }
  res.writeHead(404).end()
})

let base = ''
let wh: TempWarehouse
const home = tempDir('kho-pull-')
const catalog: Catalog = loadCatalog()
const secrets = new SecretStore(tempDir('kho-pull-secrets-'))
secrets.set('dkkd-token', 'bi-mat', 'quantri')
let allowedHosts: string[] = []

function withPull(pull: Record<string, unknown>): CatalogDataset {
  return { ...catalog.dataset('doanh_nghiep')!, pull: pullSchema.parse({ schedule: '0 */6 * * *', auth: { header: 'x-token', secret: 'dkkd-token' }, ...pull }) }
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // A loopback address is refused unless listed itself: the test's source is.
  allowedHosts = [`127.0.0.1:${(server.address() as AddressInfo).port}`]
  wh = await openSyncedWarehouse(catalog)
})
afterAll(async () => {
  server.close()
  await wh.dispose()
})

const pull = (dataset: CatalogDataset, extra: Partial<Parameters<typeof pullDataset>[0]> = {}) =>
  pullDataset({ wh, deliver: deliverer({ wh, catalog: () => catalog, paths: pathsUnder(home), onCommitted: () => {} }), dataset, secrets, allowedHosts: () => allowedHosts, backoffMs: 1, ...extra })

describe('pull connectors against a local HTTP server', () => {
  it('pages through the source, retrying a flaky server, then pulls only what changed', async () => {
    const dataset = withPull({ url: `${base}/page`, records_path: 'data.items', pagination: { kind: 'page', param: 'trang', size_param: 'so_dong', size: 2 }, incremental: { field: 'ngay_cap_nhat', param: 'updated_since' } })
    failuresLeft = 2
    requests.length = 0
    const first = await pull(dataset)
    expect(first).toMatchObject({ pages: 3, records: 5, since: null, report: { status: 'committed', rowsLoaded: 5 } })
    expect(requests).toHaveLength(5) // two failures, then pages 1, 2, 3
    const [row] = await queryRows<{ _source: string }>(wh.client, 'SELECT _source FROM raw.doanh_nghiep WHERE _load_id = {id:String} LIMIT 1', { id: first.report!.loadId })
    expect(row!._source).toMatch(new RegExp(`^${base}/page `))
    // Recorded as pulled from the source's host and path (never its query, where a token may ride).
    const [by] = await queryRows<{ by: string }>(wh.client, 'SELECT delivered_by AS by FROM meta.loads FINAL WHERE load_id = {id:String}', { id: first.report!.loadId })
    expect(by!.by).toBe(`pull:${new URL(base).host}/page`)

    enterprises[1]!.ngay_cap_nhat = '2026-11-20'
    requests.length = 0
    const second = await pull(dataset)
    expect(requests[0]!.searchParams.get('updated_since')).toBe('2026-10-05')
    expect(second).toMatchObject({ records: 1, report: { status: 'committed', rowsLoaded: 1 } })
    const third = await pull(dataset)
    expect(third).toMatchObject({ records: 0, report: null, since: '2026-11-20' })
  })

  it('follows cursors and Link headers', async () => {
    const cursor = await pull(withPull({ url: `${base}/cursor`, records_path: 'items', pagination: { kind: 'cursor', param: 'cursor', cursor_path: 'next' } }))
    expect(cursor).toMatchObject({ pages: 3, records: 5 })
    const link = await pull(withPull({ url: `${base}/link`, pagination: { kind: 'link' } }))
    expect(link).toMatchObject({ pages: 2, records: 5 })
  })

  it('says what is wrong: a missing secret, an unreachable source, a refusing source', async () => {
    const dataset = withPull({ url: `${base}/cursor`, records_path: 'items', pagination: { kind: 'cursor', cursor_path: 'next' } })
    await expect(pull({ ...dataset, pull: { ...dataset.pull!, auth: { header: 'x-token', secret: 'khong-co', prefix: '' } } })).rejects.toMatchObject({ code: 'pull.secret' })
    failuresLeft = 10
    await expect(pull({ ...dataset, pull: { ...dataset.pull!, retries: 2 } })).rejects.toMatchObject({ code: 'pull.unreachable' })
    failuresLeft = 0
    await expect(pull(withPull({ url: `${base}/missing` }))).rejects.toMatchObject({ code: 'pull.http' })
  })

  it('pulls a new connector at once, and catches up runs missed while the service was down, once', async () => {
    const dataset = withPull({ url: `${base}/link`, pagination: { kind: 'link' } })
    const scheduled: Catalog = { ...catalog, datasets: [dataset], dataset: (id) => (id === dataset.id ? dataset : undefined) }
    const results: string[] = []
    const startAt = async (offsetMs: number) => {
      const scheduler = new JobScheduler({ wh, now: () => new Date(clock.nowMs() + offsetMs) })
      for (const job of pullJobs({ wh, catalog: scheduled, deliver: deliverer({ wh, catalog: () => scheduled, paths: pathsUnder(home), onCommitted: () => {} }), secrets, allowedHosts: () => allowedHosts, backoffMs: 1, onResult: (d) => results.push(d) })) scheduler.add(job)
      await scheduler.check() // waits for the runs it starts
      await scheduler.stop()
    }
    // A connector seen for the first time pulls at once.
    await startAt(0)
    expect(results).toEqual(['doanh_nghiep'])
    // A clock a day ahead has missed four 6-hourly runs: one pull makes up for them.
    await startAt(86_400_000)
    expect(results).toEqual(['doanh_nghiep', 'doanh_nghiep'])
    // Started again at the same time: nothing was missed.
    await startAt(86_400_000)
    expect(results).toEqual(['doanh_nghiep', 'doanh_nghiep'])
  })
})

describe('what a pull setting may reach (second probe)', () => {
  // An officer's listener on this machine, as in the probe: it records whatever arrives.
  const arrived: Record<string, string | string[] | undefined>[] = []
  const listener = http.createServer((req, res) => {
    arrived.push(req.headers)
    if (req.url === '/redirect') return void res.writeHead(302, { location: `http://localhost:${(listener.address() as AddressInfo).port}/feed` }).end()
    if (req.url === '/big') {
      // 2 GiB streamed without a length, a chunk at a time, for as long as the client reads.
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.from('"x",'.repeat(256 * 1024))
      let sent = 0
      const more = () => {
        while (sent < 2 * 1024 ** 3 && !res.destroyed) {
          sent += chunk.length
          if (!res.write(chunk)) return void res.once('drain', more)
        }
        res.end('"x"]')
      }
      res.write('[')
      return more()
    }
    if (req.url === '/big-announced') {
      // 2 GiB announced: nothing need be read to refuse it.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 ** 3) })
      return void res.write('[')
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]')
  })
  let at = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    at = `127.0.0.1:${(listener.address() as AddressInfo).port}`
  })
  afterAll(() => void listener.close())

  it("cannot name an environment variable: the administrator's password never leaves", () => {
    const proposal = { url: `http://${at}/feed`, schedule: '0 * * * *', auth: { header: 'X-Api-Key', env: 'KHO_ADMIN_PASSWORD' } }
    const parsed = pullSchema.safeParse(proposal)
    expect(parsed.success).toBe(false)
    expect(JSON.stringify(parsed.error!.issues)).toContain('env')
  })

  it('calls no host that is not listed, and no loopback or private address unless that address is listed', async () => {
    const dataset = withPull({ url: `http://${at}/feed` })
    await expect(pull(dataset)).rejects.toMatchObject({ code: 'pull.destination', en: expect.stringContaining('not on the list of allowed hosts') })
    // Listed by name, "localhost" resolves to loopback: refused unless the address itself is listed.
    const named = withPull({ url: `http://localhost:${at.split(':')[1]}/feed` })
    await expect(pull(named, { allowedHosts: () => ['localhost'] })).rejects.toMatchObject({ code: 'pull.destination', en: expect.stringContaining('internal address') })
    for (const internal of ['http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://192.168.1.1/x']) {
      await expect(pull(withPull({ url: internal }), { allowedHosts: () => ['example.org'] })).rejects.toMatchObject({ code: 'pull.destination' })
    }
    expect(arrived).toEqual([])
  })

  it('gives up on a source that hangs after its time-out, refuses a web page for JSON, and the next pull still runs', async () => {
    const started = Date.now()
    await expect(pull(withPull({ url: `${base}/hang`, timeout_s: 0.5, retries: 1 }))).rejects.toMatchObject({ code: 'pull.unreachable', vi: expect.stringContaining('sau 2 lần thử') })
    // Two attempts of half a second each, not a process waiting for ever.
    expect(Date.now() - started).toBeLessThan(10_000)
    await expect(pull(withPull({ url: `${base}/html`, retries: 0 }))).rejects.toMatchObject({ code: 'pull.shape', vi: expect.stringContaining('không trả JSON'), en: expect.stringContaining('did not answer JSON') })
    // Neither left anything half-loaded; the next pull of a good source loads as ever.
    const [loads] = await queryRows<{ n: string }>(wh.client, "SELECT count() AS n FROM meta.loads FINAL WHERE source LIKE '%/hang%' OR source LIKE '%/html%'")
    expect(Number(loads!.n)).toBe(0)
    const next = await pull(withPull({ url: `${base}/page`, records_path: 'data.items', pagination: { kind: 'page', param: 'trang', size_param: 'so_dong', size: 10 } }))
    expect(next.report).toMatchObject({ status: expect.stringMatching(/committed|duplicate/) })
  })

  it('follows no redirect to another host, and reads no more than a page may hold of a 2 GiB answer, streamed or announced', async () => {
    const listed = [at]
    await expect(pull(withPull({ url: `http://${at}/redirect` }), { allowedHosts: () => listed })).rejects.toMatchObject({ code: 'pull.destination', en: expect.stringContaining('redirects to another host') })
    expect(arrived).toHaveLength(1)
    const rss = process.memoryUsage().rss
    await expect(pull(withPull({ url: `http://${at}/big` }), { allowedHosts: () => listed })).rejects.toMatchObject({ code: 'pull.destination', en: expect.stringContaining('larger than') })
    await expect(pull(withPull({ url: `http://${at}/big-announced` }), { allowedHosts: () => listed })).rejects.toMatchObject({ code: 'pull.destination', en: expect.stringContaining('larger than') })
    expect(process.memoryUsage().rss - rss).toBeLessThan(512 * 1024 * 1024)
    // The next pull of a good source still runs.
    await expect(pull(withPull({ url: `http://${at}/feed` }), { allowedHosts: () => listed })).resolves.toMatchObject({ pages: 1 })
  })
})

