import { setTimeout as sleep } from 'node:timers/promises'
import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import type { PullConfig } from '../infra/catalog/schema.ts'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { dateSql } from '../infra/warehouse/parse-sql.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import type { LoadReport } from './load-file.ts'
import type { Deliver } from './deliver.ts'
import { LoadRefusal } from './load-refusal.ts'
import { acceptedRowsSql } from '../infra/warehouse/raw-rows.ts'
import * as clock from '../infra/time/clock.ts'
import { boundedGet, OutboundRefused } from '../infra/http/outbound.ts'
import type { SecretStore } from '../infra/access/secret-store.ts'

export interface PullOptions {
  wh: Warehouse
  /** The one delivery path: pulled records load like any delivery. */
  deliver: Deliver
  dataset: CatalogDataset
  /** Where the connectors' credentials are (named by `pull.auth.secret`). */
  secrets: Pick<SecretStore, 'get'>
  /** The hosts a connector may call, as they are at each fetch (the operator's and the stewards'). */
  allowedHosts: () => readonly string[]
  /** Every fetch, for the audit: what was fetched from where. */
  onFetch?: (dataset: string, url: string, status: number, bytes: number) => void
  /** Base of the exponential backoff between retries, in ms. */
  backoffMs?: number
}

export interface PullResult {
  pages: number
  records: number
  /** The incremental value sent, if any. */
  since: string | null
  /** Null when the source had nothing new. */
  report: LoadReport | null
}

const at = (doc: unknown, dotted: string | null): unknown =>
  (dotted ? dotted.split('.') : []).reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc)

/** The newest value of the incremental field among rows this dataset got from committed pulls. */
async function watermark(wh: Warehouse, dataset: CatalogDataset, field: string): Promise<string | null> {
  const [row] = await queryRows<{ w: string | null }>(
    wh.client,
    `SELECT toString(max(${dateSql(quoteIdent(field))})) AS w FROM ${acceptedRowsSql(dataset.id)}
     WHERE _load_id IN (SELECT load_id FROM meta.loads FINAL WHERE dataset = {dataset:String} AND channel = 'pull')`,
    { dataset: dataset.id },
  )
  return row?.w && row.w !== '\\N' ? row.w : null
}

/** The most one page of a source's answer may hold. */
export const PULL_PAGE_MAX_BYTES = 64 * 1024 * 1024

/**
 * GET with retries: network errors, timeouts, 5xx and 429 are retried with exponential backoff.
 * Only to allowed hosts, redirects within the same host, a page at most PULL_PAGE_MAX_BYTES
 * (infra/http/outbound.ts); a refused destination is not retried.
 */
async function fetchJson(url: string, headers: Record<string, string>, opts: PullOptions, pull: PullConfig): Promise<{ body: unknown; link: string | null }> {
  let lastError = ''
  const backoffMs = opts.backoffMs ?? 500
  for (let attempt = 0; attempt <= pull.retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5))
    try {
      const res = await boundedGet(url, { allowed: opts.allowedHosts(), headers, timeoutMs: pull.timeout_s * 1000, maxBytes: PULL_PAGE_MAX_BYTES })
      opts.onFetch?.(opts.dataset.id, url, res.status, res.body.length)
      if (res.status === 429 || res.status >= 500) {
        lastError = `HTTP ${res.status}`
        const retryAfter = Number(res.headers.get('retry-after'))
        if (retryAfter > 0) await sleep(Math.min(retryAfter, 300) * 1000)
        continue
      }
      if (res.status < 200 || res.status >= 300) {
        throw new LoadRefusal('pull.http', `Nguồn ${url} trả lỗi HTTP ${res.status}`, `The source ${url} answered HTTP ${res.status}`)
      }
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1] ?? null
      try {
        return { body: JSON.parse(res.body.toString('utf8')), link }
      } catch {
        throw new LoadRefusal('pull.shape', `Nguồn ${url} không trả JSON`, `${url} did not answer JSON`)
      }
    } catch (err) {
      if (err instanceof LoadRefusal) throw err
      if (err instanceof OutboundRefused) throw new LoadRefusal('pull.destination', err.vi, err.en)
      lastError = (err as Error).message
    }
  }
  throw new LoadRefusal(
    'pull.unreachable',
    `Không lấy được dữ liệu từ ${url} sau ${pull.retries + 1} lần thử (${lastError})`,
    `Could not fetch ${url} after ${pull.retries + 1} attempts (${lastError})`,
  )
}

/**
 * Pulls a dataset from its source API: pages through it, asks only for what changed since the last
 * pull when configured, and loads what it got like any delivery (channel "pull").
 */
export async function pullDataset(opts: PullOptions): Promise<PullResult> {
  const { dataset } = opts
  const pull = dataset.pull
  if (!pull) throw new Error(`dataset ${dataset.id} has no pull connector`)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (pull.auth) {
    const secret = opts.secrets.get(pull.auth.secret)
    if (secret === null) throw new LoadRefusal('pull.secret', `Chưa có khóa "${pull.auth.secret}" trong kho khóa (quản trị đặt tại PUT /api/admin/secrets/${pull.auth.secret})`, `No secret "${pull.auth.secret}" in kho's secret store (an administrator sets it at PUT /api/admin/secrets/${pull.auth.secret})`)
    headers[pull.auth.header] = pull.auth.prefix + secret
  }
  const since = pull.incremental ? await watermark(opts.wh, dataset, pull.incremental.field) : null
  const first = new URL(pull.url)
  if (pull.incremental && since) first.searchParams.set(pull.incremental.param, since)

  const records: unknown[] = []
  let url: string | null = first.toString()
  let pages = 0
  let position = pull.pagination.kind === 'page' ? pull.pagination.start : 0
  while (url && pages < pull.max_pages) {
    const pageUrl: URL = new URL(url)
    const p = pull.pagination
    if (p.kind === 'page') {
      pageUrl.searchParams.set(p.param, String(position))
      pageUrl.searchParams.set(p.size_param, String(p.size))
    } else if (p.kind === 'offset') {
      pageUrl.searchParams.set(p.param, String(position))
      pageUrl.searchParams.set(p.limit_param, String(p.limit))
    }
    const { body, link } = await fetchJson(pageUrl.toString(), headers, opts, pull)
    pages++
    const batch = at(body, pull.records_path)
    if (!Array.isArray(batch)) {
      throw new LoadRefusal('pull.shape', `Nguồn ${pageUrl} không trả mảng bản ghi tại "${pull.records_path ?? '(gốc)'}"`, `${pageUrl} returned no array of records at "${pull.records_path ?? '(root)'}"`)
    }
    records.push(...batch)
    switch (p.kind) {
      case 'none':
        url = null
        break
      case 'page':
        position += 1
        url = batch.length < p.size ? null : url
        break
      case 'offset':
        position += batch.length
        url = batch.length < p.limit ? null : url
        break
      case 'cursor': {
        const cursor = at(body, p.cursor_path)
        if (cursor === null || cursor === undefined || cursor === '' || batch.length === 0) url = null
        else {
          const next: URL = new URL(url)
          next.searchParams.set(p.param, String(cursor))
          url = next.toString()
        }
        break
      }
      case 'link': {
        const next = p.next_path ? at(body, p.next_path) : link
        url = typeof next === 'string' && next && batch.length > 0 ? new URL(next, pageUrl).toString() : null
        break
      }
    }
  }
  if (records.length === 0) return { pages, records: 0, since, report: null }

  const report = await opts.deliver.records({
    records,
    sourceName: `${first.origin}${first.pathname} ${clock.now().toISOString()}.json`,
    dataset: dataset.id,
    agency: pull.agency ?? dataset.owner,
    channel: 'pull',
    // The source's host and path, never its query (a token may ride in it).
    deliveredBy: `pull:${first.host}${first.pathname}`,
  })
  return { pages, records: records.length, since, report }
}
