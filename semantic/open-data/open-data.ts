import { fromWarehouseTime } from '../../infra/warehouse/sql.ts'
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { tableCsv, tableWorkbook } from '../../infra/files/table-workbook.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Warehouse } from '../../infra/warehouse/client.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { PUBLIC } from '../../infra/access/caller.ts'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { AccessDenied, queryMembers } from '../policy/view-policy.ts'
import { runQuery, type QueryContext } from '../api/cube-api.ts'
import { QueryError, validateQuery, type CubeQuery } from '../cube/cube-query.ts'
import * as clock from '../../infra/time/clock.ts'

/**
 * Open data: stewards publish aggregated datasets — a Cube query over open views, run as the public
 * (so personal views are refused and small cells suppressed by the same policy as the API) — as CSV,
 * JSON and XLSX snapshots with DCAT metadata, on a public catalogue page and API, counting downloads.
 */
const publishBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,79}$/, 'mã: chữ thường, số, gạch ngang (3–80) / lowercase, digits, dashes'),
  title: z.string().trim().min(3).max(200),
  description: z.string().trim().min(10).max(4000),
  keywords: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
  license: z.string().max(100).default('CC-BY-4.0'),
  query: z.record(z.string(), z.unknown()),
  /** Published again on this rhythm (Bắc Giang Điều 13.2: at least every three months). */
  refresh: z.enum(['monthly', 'quarterly', 'yearly', 'never']).default('quarterly'),
})
export type PublishBody = z.infer<typeof publishBody>
export { publishBody }

/** Months between two publications of a dataset on each rhythm. */
const REFRESH_MONTHS = { monthly: 1, quarterly: 3, yearly: 12 } as const

export const FORMATS = { csv: 'text/csv', json: 'application/json', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const
type Format = keyof typeof FORMATS

export interface Published {
  id: string
  title: string
  description: string
  keywords: string[]
  license: string
  publisher: string
  query: string
  rows: number
  version: number
  published_at: string
  withdrawn: boolean
  refresh: PublishBody['refresh']
  owner: string
  first_published_at: string
}

const dir = (root: string, id: string) => path.join(root, id)

export interface OpenDataDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  /** Where the published files live: <openDataDir>/<id>/ ($KHO_HOME/open-data). */
  openDataDir: string
  /** Publications run as the public through the same query path as the API. */
  cube: QueryContext
  audit: AuditLog
}

export type Listed = Published & { downloads: number }

export async function published(ctx: Pick<OpenDataDeps, 'wh'>, id?: string): Promise<Listed[]> {
  const rows = await queryRows<Listed>(
    ctx.wh.client,
    `SELECT d.id AS id, d.title AS title, d.description AS description, d.keywords AS keywords, d.license AS license, d.publisher AS publisher,
            d.query AS query, d.rows AS rows, d.version AS version, toString(d.published_at) AS published_at, d.withdrawn AS withdrawn,
            d.refresh AS refresh, d.owner AS owner, toString(ifNull(v.first, d.published_at)) AS first_published_at, ifNull(c.n, 0) AS downloads
     FROM (SELECT * FROM meta.open_datasets FINAL) AS d
     LEFT JOIN (SELECT dataset, count() AS n FROM meta.open_data_downloads GROUP BY dataset) AS c ON c.dataset = d.id
     LEFT JOIN (SELECT id, min(published_at) AS first FROM meta.open_data_versions GROUP BY id) AS v ON v.id = d.id
     WHERE NOT d.withdrawn AND (empty({id:String}) OR d.id = {id:String})
     ORDER BY d.title
     SETTINGS join_use_nulls = 1`,
    { id: id ?? '' },
  )
  return rows.map((r) => ({ ...r, downloads: Number(r.downloads), rows: Number(r.rows), version: Number(r.version) }))
}

/** Folds Vietnamese for search: no diacritics, đ as d, lower case ("Dân số" and "dan so" meet). */
export const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase()

/** The publications whose title, description, keywords or publisher hold every word of `q`. */
export function search(list: Listed[], q: string): Listed[] {
  const words = fold(q).split(/\s+/).filter(Boolean)
  if (words.length === 0) return list
  return list.filter((d) => {
    const text = fold([d.title, d.description, d.publisher, ...d.keywords].join(' '))
    return words.every((w) => text.includes(w))
  })
}

/** The versions of a publication, oldest first, with their dates. */
export async function versionsOf(ctx: Pick<OpenDataDeps, 'wh'>, id: string): Promise<{ version: number; rows: number; published_at: string }[]> {
  const rows = await queryRows<{ version: number; rows: string; published_at: string }>(
    ctx.wh.client,
    'SELECT version, toString(rows) AS rows, toString(published_at) AS published_at FROM meta.open_data_versions WHERE id = {id:String} ORDER BY version',
    { id },
  )
  return rows.map((r) => ({ version: Number(r.version), rows: Number(r.rows), published_at: r.published_at }))
}

/**
 * Publishes (or publishes again) an open dataset: its query run as the public — closed views and
 * personal data refused, small cells suppressed by the API's own policy — written as CSV, JSON and
 * XLSX files of a new version (earlier versions stay downloadable), then the catalogue rows.
 * `record` puts it in the sharing log (a request's entry, or the scheduled refresh's).
 */
export async function publishOpenData(
  ctx: OpenDataDeps,
  body: PublishBody,
  by: { account: string; publisher: string; owner: string },
  record: (entry: { endpoint: string; members: string[]; datasets: string[]; query: unknown; rowCount: number }) => void,
): Promise<Listed> {
  let result
  let asked: CubeQuery
  try {
    // Run as the public: the policy refuses closed views and suppresses small cells.
    asked = validateQuery(ctx.cube.model, body.query)
    result = await runQuery(ctx.cube, asked, PUBLIC)
  } catch (err) {
    if (err instanceof QueryError || err instanceof AccessDenied) throw new HttpError(400, 'not_open', `Không công bố được: ${err.vi}`, `Cannot publish: ${err.en}`)
    throw err
  }
  const { measures, dimensions, timeDimensions } = result.annotation
  const titled = { ...dimensions, ...timeDimensions, ...measures }
  const keys = [...Object.keys(dimensions), ...Object.keys(timeDimensions).filter((k) => k.split('.').length === 3), ...Object.keys(measures)]
  const columns = keys.map((key) => ({ key, header: titled[key]?.shortTitle ?? key }))
  const rows = result.data.map((r) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null])))
  const [prior] = await queryRows<{ v: number }>(ctx.wh.client, 'SELECT max(version) AS v FROM meta.open_datasets FINAL WHERE id = {id:String}', { id: body.id })
  const version = Number(prior?.v ?? 0) + 1
  const folder = dir(ctx.openDataDir, body.id)
  fs.mkdirSync(folder, { recursive: true })
  // Files first, each renamed into place whole; then the catalogue rows that make them visible.
  const write = (name: string, data: Buffer | string) => {
    fs.writeFileSync(path.join(folder, `${name}.part`), data)
    fs.renameSync(path.join(folder, `${name}.part`), path.join(folder, name))
  }
  write(`v${version}.csv`, tableCsv(columns, rows))
  write(`v${version}.json`, JSON.stringify({ dataset: body.id, version, columns: columns.map((c) => ({ name: c.key, title: c.header })), rows }, null, 1))
  write(`v${version}.xlsx`, await tableWorkbook([{ name: 'Du lieu', title: body.title, columns, rows }]))
  const at = clock.nowMs()
  await ctx.wh.client.insert({ table: 'meta.open_data_versions', format: 'JSONEachRow', values: [{ id: body.id, version, rows: rows.length, published_by: by.account, published_at: at }] })
  await ctx.wh.client.insert({
    table: 'meta.open_datasets',
    format: 'JSONEachRow',
    values: [{ ...body, query: JSON.stringify(body.query), publisher: by.publisher, owner: by.owner, rows: rows.length, version, published_by: by.account, withdrawn: false, published_at: at, updated_at: Date.now() }],
  })
  const members = queryMembers(asked)
  record({ endpoint: 'open_data.publish', members, datasets: ctx.cube.sharing.datasetsOf(members), query: { id: body.id, version }, rowCount: rows.length })
  return (await published(ctx, body.id))[0]!
}

/** Publications due again on their rhythm at `now`, each published again (a new version); their ids. */
export async function refreshDue(ctx: OpenDataDeps, now: Date): Promise<string[]> {
  const refreshed: string[] = []
  for (const d of await published(ctx)) {
    if (d.refresh === 'never') continue
    const last = fromWarehouseTime(d.published_at)
    const due = new Date(last)
    due.setUTCMonth(due.getUTCMonth() + REFRESH_MONTHS[d.refresh])
    if (due > now) continue
    await publishAgain(ctx, d, 'job:open-data-refresh')
    refreshed.push(d.id)
  }
  return refreshed
}

/** A new version of a publication, on the same query (what kho holds now). */
async function publishAgain(ctx: OpenDataDeps, d: Listed, by: string): Promise<void> {
  const body = { id: d.id, title: d.title, description: d.description, keywords: d.keywords, license: d.license, refresh: d.refresh, query: JSON.parse(d.query) as Record<string, unknown> }
  await publishOpenData(ctx, body, { account: 'kho', publisher: d.publisher, owner: d.owner }, (e) => ctx.audit.recordService(by, e))
}

/** Publishes a publication again now when it stands (not withdrawn); whether it did. */
export async function republish(ctx: OpenDataDeps, id: string, by: string): Promise<boolean> {
  const [d] = await published(ctx, id)
  if (d) await publishAgain(ctx, d, by)
  return d !== undefined
}

/**
 * kho's own standing publication: the province's sharing statistics (Bắc Giang Điều 12.6; Lào Cai
 * Điều 24.5d) — requests by owner, dataset, requesting agency, method and quarter, granted, refused,
 * pending, days to decide — published at the first start and every quarter after. A steward may
 * withdraw it like any other; it is not published again then.
 */
export const SHARING_STATISTICS: PublishBody = {
  id: 'thong-ke-chia-se-du-lieu',
  title: 'Thống kê yêu cầu chia sẻ dữ liệu giữa các cơ quan',
  description: 'Số yêu cầu chia sẻ dữ liệu theo quý, bộ dữ liệu, cơ quan chủ quản, cơ quan đề nghị và cách thức chia sẻ; số được cấp quyền, bị từ chối, chờ duyệt và số ngày xử lý bình quân.',
  keywords: ['chia sẻ dữ liệu', 'dữ liệu dùng chung', 'thống kê'],
  license: 'CC-BY-4.0',
  refresh: 'quarterly',
  query: {
    measures: ['sharing_stats.requests', 'sharing_stats.granted', 'sharing_stats.refused', 'sharing_stats.pending', 'sharing_stats.days_to_decide'],
    dimensions: ['sharing_stats.owner', 'sharing_stats.dataset', 'sharing_stats.requester', 'sharing_stats.method'],
    timeDimensions: [{ dimension: 'sharing_stats.requested_at', granularity: 'quarter' }],
    order: [['sharing_stats.requested_at', 'asc'], ['sharing_stats.owner', 'asc'], ['sharing_stats.dataset', 'asc']],
  },
}

/**
 * The ranking of agencies on carrying out the data rules (Lào Cai Điều 25), each criterion with its
 * source and the agency's own score, for every published quarter; published again each time a
 * quarter's ranking is (semantic/quality/agency-ranking.ts).
 */
export const AGENCY_RANKING: PublishBody = {
  id: 'xep-hang-thuc-hien-quy-che-du-lieu',
  title: 'Đánh giá, xếp hạng các cơ quan thực hiện quy chế dữ liệu',
  description:
    'Điểm của từng cơ quan theo quý trên bảy tiêu chí (chất lượng dữ liệu, cập nhật đúng hạn, mô tả dữ liệu trong danh mục, trả lời yêu cầu chia sẻ, kết nối hệ thống, khai thác dữ liệu dùng chung, xử lý báo lỗi), nguồn của mỗi tiêu chí, điểm tự đánh giá và giải trình của cơ quan, điểm tổng hợp và thứ hạng.',
  keywords: ['xếp hạng', 'chất lượng dữ liệu', 'chia sẻ dữ liệu'],
  license: 'CC-BY-4.0',
  refresh: 'quarterly',
  query: {
    dimensions: ['agency_ranking.quarter_label', 'agency_ranking.rank', 'agency_ranking.agency_name', 'agency_ranking.criterion_title', 'agency_ranking.source', 'agency_ranking.self_note'],
    measures: ['agency_ranking.score', 'agency_ranking.done', 'agency_ranking.of', 'agency_ranking.self_score', 'agency_ranking.composite', 'agency_ranking.self_composite'],
    order: [['agency_ranking.quarter_label', 'asc'], ['agency_ranking.rank', 'asc'], ['agency_ranking.agency_name', 'asc'], ['agency_ranking.criterion_title', 'asc']],
  },
}

const STANDING = [SHARING_STATISTICS, AGENCY_RANKING]

/** Publishes each standing publication that never was; the ids of those it published. */
export async function ensureStandingPublications(ctx: OpenDataDeps): Promise<string[]> {
  const publisher = `UBND ${ctx.catalog().province.name}`
  const done: string[] = []
  for (const body of STANDING) {
    if ((await published(ctx, body.id)).length > 0) continue
    await publishOpenData(ctx, body, { account: 'kho', publisher, owner: '' }, (e) => ctx.audit.recordService('kho', e))
    done.push(body.id)
  }
  return done
}

/** DCAT (JSON-LD) for the catalogue: what data.gov-style harvesters read. */
function dcat(ctx: OpenDataDeps, base: string, list: Listed[]) {
  return {
    '@context': { dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/', foaf: 'http://xmlns.com/foaf/0.1/' },
    '@type': 'dcat:Catalog',
    'dct:title': `Dữ liệu mở ${ctx.catalog().province.name}`,
    'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': `UBND ${ctx.catalog().province.name}` },
    'dcat:dataset': list.map((d) => ({
      '@id': `${base}/open-data/${d.id}`,
      '@type': 'dcat:Dataset',
      'dct:identifier': d.id,
      'dct:title': d.title,
      'dct:description': d.description,
      'dcat:keyword': d.keywords,
      'dct:license': d.license,
      'dct:publisher': d.publisher,
      'dct:issued': d.first_published_at,
      'dct:modified': d.published_at,
      'dct:accrualPeriodicity': d.refresh,
      'dcat:version': d.version,
      'kho:downloads': d.downloads,
      'dcat:distribution': (Object.keys(FORMATS) as Format[]).map((f) => ({
        '@type': 'dcat:Distribution',
        'dct:format': f.toUpperCase(),
        'dcat:mediaType': FORMATS[f],
        'dcat:downloadURL': `${base}/open-data/${d.id}.${f}`,
      })),
    })),
  }
}

const REFRESH_WORDS: Record<PublishBody['refresh'], string> = { monthly: 'cập nhật hằng tháng', quarterly: 'cập nhật hằng quý', yearly: 'cập nhật hằng năm', never: 'không cập nhật định kỳ' }

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function catalogPage(ctx: OpenDataDeps, list: Listed[], q = ''): string {
  const items = list
    .map(
      (d) => `<article><h2>${esc(d.title)}</h2><p>${esc(d.description)}</p>
<p class="meta">${esc(d.publisher)} · ${d.rows.toLocaleString('vi-VN')} dòng · phiên bản ${d.version} · cập nhật ${esc(d.published_at.slice(0, 10).split('-').reverse().join('/'))} · ${esc(REFRESH_WORDS[d.refresh])} · giấy phép ${esc(d.license)} · ${d.downloads.toLocaleString('vi-VN')} lượt tải${d.keywords.length ? ` · ${d.keywords.map(esc).join(', ')}` : ''}</p>
<p>${(Object.keys(FORMATS) as Format[]).map((f) => `<a href="/open-data/${esc(d.id)}.${f}">${f.toUpperCase()}</a>`).join(' · ')}</p></article>`,
    )
    .join('\n')
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Dữ liệu mở — ${esc(ctx.catalog().province.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f9;color:#1b2733}header{background:#a51c1c;color:#fff;padding:16px 24px}main{max-width:960px;margin:auto;padding:16px}article{background:#fff;border:1px solid #d9e0e7;border-radius:8px;padding:12px 16px;margin:12px 0}.meta{color:#5b6b7c;font-size:14px}</style>
</head><body><header><h1>Dữ liệu mở ${esc(ctx.catalog().province.name)}</h1><p>Số liệu tổng hợp, không có dữ liệu cá nhân; ô có giá trị nhỏ được ẩn. Danh mục máy đọc được (DCAT): <a style="color:#fff" href="/api/open-data">/api/open-data</a></p></header>
<main><form role="search" method="get" action="/open-data"><input type="search" name="q" value="${esc(q)}" aria-label="Tìm dữ liệu mở" placeholder="Tìm: dân số, xuat khau…"> <button>Tìm</button></form>
${items || (q ? '<p>Không có bộ dữ liệu nào khớp.</p>' : '<p>Chưa có bộ dữ liệu nào được công bố.</p>')}</main></body></html>`
}

/** The members a published dataset's stored query names (for the sharing log). */
function openDataMembers(stored: string): string[] {
  try {
    const q = JSON.parse(stored) as Partial<Record<'measures' | 'dimensions', string[]>>
    return [...(q.measures ?? []), ...(q.dimensions ?? [])]
  } catch {
    return []
  }
}

/** The address the public reached kho at, for links in what it is sent. */
export const baseUrl = (req: { protocol: string; hostname: string }) => `${req.protocol}://${req.hostname}`

export function openDataRoutes(app: FastifyInstance, ctx: OpenDataDeps) {
  const base = baseUrl

  app.post('/api/open-data', allow(access.roles('steward', 'admin')), async (req) => {
    const body = parseQuery(publishBody, req.body)
    const publisher = ctx.catalog().agency(req.caller.agency)?.name ?? `UBND ${ctx.catalog().province.name}`
    return publishOpenData(ctx, body, { account: req.caller.account, publisher, owner: '' }, (e) => ctx.audit.recordRequest(req, e))
  })

  app.delete<{ Params: { id: string } }>('/api/open-data/:id', allow(access.roles('steward', 'admin')), async (req) => {
    const sec = req.caller
    const [d] = await published(ctx, req.params.id)
    if (!d) throw notFound('bộ dữ liệu mở / open dataset', req.params.id)
    const { downloads: _downloads, first_published_at: _first, ...row } = d
    await ctx.wh.client.insert({
      table: 'meta.open_datasets',
      format: 'JSONEachRow',
      values: [{ ...row, published_at: fromWarehouseTime(d.published_at).getTime(), withdrawn: true, published_by: sec.account, updated_at: Date.now() }],
    })
    ctx.audit.recordRequest(req, { endpoint: 'open_data.withdraw', query: { id: d.id, version: d.version } })
    return { id: d.id, withdrawn: true }
  })

  // Public, no sign-in. ?q= searches (Vietnamese with or without diacritics).
  const searchQuery = z.strictObject({ q: z.string().max(200).default('') })
  app.get('/api/open-data', allow(access.public), async (req) => dcat(ctx, base(req), search(await published(ctx), parseQuery(searchQuery, req.query).q)))
  app.get('/open-data', allow(access.public), async (req, reply) => {
    const { q } = parseQuery(searchQuery, req.query)
    return reply.type('text/html; charset=utf-8').send(catalogPage(ctx, search(await published(ctx), q), q))
  })
  app.get<{ Params: { id: string } }>('/api/open-data/:id/versions', allow(access.public), async (req) => {
    const [d] = await published(ctx, req.params.id)
    if (!d) throw notFound('bộ dữ liệu mở / open dataset', req.params.id)
    return { id: d.id, current: d.version, versions: (await versionsOf(ctx, d.id)).map((v) => ({ ...v, files: (Object.keys(FORMATS) as Format[]).map((f) => `${base(req)}/open-data/${d.id}.v${v.version}.${f}`) })) }
  })
  // <id>.<format> is the current version; <id>.v<n>.<format> an earlier one, kept for citation.
  app.get<{ Params: { file: string } }>('/open-data/:file', allow(access.public), async (req, reply: FastifyReply) => {
    const m = /^([a-z0-9][a-z0-9-]{2,79}?)(?:\.v(\d{1,6}))?\.(csv|json|xlsx)$/.exec(req.params.file)
    if (!m) throw notFound('tệp / file', req.params.file)
    const [id, format] = [m[1]!, m[3] as Format]
    const [d] = await published(ctx, id)
    if (!d) throw notFound('bộ dữ liệu mở / open dataset', id)
    const version = m[2] ? Number(m[2]) : d.version
    const file = path.join(dir(ctx.openDataDir, id), `v${version}.${format}`)
    if (version < 1 || version > d.version || !fs.existsSync(file)) throw notFound('phiên bản / version', `${id} v${version}`)
    await ctx.wh.client.insert({ table: 'meta.open_data_downloads', format: 'JSONEachRow', values: [{ dataset: id, format, version, at: clock.nowMs() }] })
    const members = openDataMembers(d.query)
    ctx.audit.recordRequest(req, { endpoint: 'open_data.download', members, datasets: ctx.cube.sharing.datasetsOf(members), query: { id, format, version }, rowCount: Number(d.rows) })
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : format === 'json' ? 'application/json; charset=utf-8' : FORMATS.xlsx)
      .header('content-disposition', `attachment; filename="${id}${m[2] ? `.v${version}` : ''}.${format}"`)
      .header('access-control-allow-origin', '*')
      .send(fs.createReadStream(file))
  })

}
