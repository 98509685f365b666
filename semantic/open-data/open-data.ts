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
import { runQuery, type QueryContext } from '../cube/cube-api.ts'
import { QueryError, validateQuery, type CubeQuery } from '../cube/cube-query.ts'

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
})

export const FORMATS = { csv: 'text/csv', json: 'application/json', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const
type Format = keyof typeof FORMATS

interface Published {
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
}

const dir = (root: string, id: string) => path.join(root, id)

export interface OpenDataDeps {
  wh: Warehouse
  catalog: Catalog
  /** Where the published files live: <openDataDir>/<id>/ ($KHO_HOME/open-data). */
  openDataDir: string
  /** Publications run as the public through the same query path as the API. */
  cube: QueryContext
  audit: AuditLog
}

async function published(ctx: OpenDataDeps, id?: string): Promise<(Published & { downloads: number })[]> {
  const rows = await queryRows<Published & { downloads: number }>(
    ctx.wh.client,
    `SELECT d.id AS id, d.title AS title, d.description AS description, d.keywords AS keywords, d.license AS license, d.publisher AS publisher,
            d.query AS query, d.rows AS rows, d.version AS version, toString(d.published_at) AS published_at, d.withdrawn AS withdrawn,
            ifNull(c.n, 0) AS downloads
     FROM (SELECT * FROM meta.open_datasets FINAL) AS d
     LEFT JOIN (SELECT dataset, count() AS n FROM meta.open_data_downloads GROUP BY dataset) AS c ON c.dataset = d.id
     WHERE NOT d.withdrawn AND (empty({id:String}) OR d.id = {id:String})
     ORDER BY d.title`,
    { id: id ?? '' },
  )
  return rows.map((r) => ({ ...r, downloads: Number(r.downloads), rows: Number(r.rows), version: Number(r.version) }))
}

/** DCAT (JSON-LD) for the catalogue: what data.gov-style harvesters read. */
function dcat(ctx: OpenDataDeps, base: string, list: (Published & { downloads: number })[]) {
  return {
    '@context': { dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/', foaf: 'http://xmlns.com/foaf/0.1/' },
    '@type': 'dcat:Catalog',
    'dct:title': `Dữ liệu mở ${ctx.catalog.province.name}`,
    'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': `UBND ${ctx.catalog.province.name}` },
    'dcat:dataset': list.map((d) => ({
      '@id': `${base}/open-data/${d.id}`,
      '@type': 'dcat:Dataset',
      'dct:identifier': d.id,
      'dct:title': d.title,
      'dct:description': d.description,
      'dcat:keyword': d.keywords,
      'dct:license': d.license,
      'dct:publisher': d.publisher,
      'dct:issued': d.published_at,
      'dct:modified': d.published_at,
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

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function catalogPage(ctx: OpenDataDeps, list: (Published & { downloads: number })[]): string {
  const items = list
    .map(
      (d) => `<article><h2>${esc(d.title)}</h2><p>${esc(d.description)}</p>
<p class="meta">${d.rows.toLocaleString('vi-VN')} dòng · phiên bản ${d.version} · cập nhật ${esc(d.published_at.slice(0, 10).split('-').reverse().join('/'))} · giấy phép ${esc(d.license)} · ${d.downloads.toLocaleString('vi-VN')} lượt tải${d.keywords.length ? ` · ${d.keywords.map(esc).join(', ')}` : ''}</p>
<p>${(Object.keys(FORMATS) as Format[]).map((f) => `<a href="/open-data/${esc(d.id)}.${f}">${f.toUpperCase()}</a>`).join(' · ')}</p></article>`,
    )
    .join('\n')
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Dữ liệu mở — ${esc(ctx.catalog.province.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f9;color:#1b2733}header{background:#a51c1c;color:#fff;padding:16px 24px}main{max-width:960px;margin:auto;padding:16px}article{background:#fff;border:1px solid #d9e0e7;border-radius:8px;padding:12px 16px;margin:12px 0}.meta{color:#5b6b7c;font-size:14px}</style>
</head><body><header><h1>Dữ liệu mở ${esc(ctx.catalog.province.name)}</h1><p>Số liệu tổng hợp, không có dữ liệu cá nhân; ô có giá trị nhỏ được ẩn. Danh mục máy đọc được (DCAT): <a style="color:#fff" href="/api/open-data">/api/open-data</a></p></header>
<main>${items || '<p>Chưa có bộ dữ liệu nào được công bố.</p>'}</main></body></html>`
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

export function openDataRoutes(app: FastifyInstance, ctx: OpenDataDeps) {
  const base = (req: { protocol: string; hostname: string }) => `${req.protocol}://${req.hostname}`

  app.post('/api/open-data', allow(access.roles('steward', 'admin')), async (req) => {
    const sec = req.caller
    const body = parseQuery(publishBody, req.body)
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
    // Files first, each renamed into place whole; then the catalogue row that makes them visible.
    const write = (name: string, data: Buffer | string) => {
      fs.writeFileSync(path.join(folder, `${name}.part`), data)
      fs.renameSync(path.join(folder, `${name}.part`), path.join(folder, name))
    }
    write(`v${version}.csv`, tableCsv(columns, rows))
    write(`v${version}.json`, JSON.stringify({ dataset: body.id, version, columns: columns.map((c) => ({ name: c.key, title: c.header })), rows }, null, 1))
    write(`v${version}.xlsx`, await tableWorkbook([{ name: 'Du lieu', title: body.title, columns, rows }]))
    const publisher = ctx.catalog.agency(sec.agency)?.name ?? `UBND ${ctx.catalog.province.name}`
    await ctx.wh.client.insert({
      table: 'meta.open_datasets',
      format: 'JSONEachRow',
      values: [{ ...body, query: JSON.stringify(body.query), publisher, rows: rows.length, version, published_by: sec.account, withdrawn: false, published_at: Date.now(), updated_at: Date.now() }],
    })
    const members = queryMembers(asked)
    ctx.audit.recordRequest(req, { endpoint: 'open_data.publish', members, datasets: ctx.cube.sharing.datasetsOf(members), query: { id: body.id, version }, rowCount: rows.length })
    return (await published(ctx, body.id))[0]
  })

  app.delete<{ Params: { id: string } }>('/api/open-data/:id', allow(access.roles('steward', 'admin')), async (req) => {
    const sec = req.caller
    const [d] = await published(ctx, req.params.id)
    if (!d) throw notFound('bộ dữ liệu mở / open dataset', req.params.id)
    const { downloads: _downloads, ...row } = d
    await ctx.wh.client.insert({
      table: 'meta.open_datasets',
      format: 'JSONEachRow',
      values: [{ ...row, published_at: Date.parse(`${d.published_at.replace(' ', 'T')}Z`), withdrawn: true, published_by: sec.account, updated_at: Date.now() }],
    })
    ctx.audit.recordRequest(req, { endpoint: 'open_data.withdraw', query: { id: d.id, version: d.version } })
    return { id: d.id, withdrawn: true }
  })

  // Public, no sign-in.
  app.get('/api/open-data', allow(access.public), async (req) => dcat(ctx, base(req), await published(ctx)))
  app.get('/open-data', allow(access.public), async (_req, reply) => reply.type('text/html; charset=utf-8').send(catalogPage(ctx, await published(ctx))))
  app.get<{ Params: { file: string } }>('/open-data/:file', allow(access.public), async (req, reply: FastifyReply) => {
    const m = /^([a-z0-9][a-z0-9-]{2,79})\.(csv|json|xlsx)$/.exec(req.params.file)
    if (!m) throw notFound('tệp / file', req.params.file)
    const [id, format] = [m[1]!, m[2] as Format]
    const [d] = await published(ctx, id)
    if (!d) throw notFound('bộ dữ liệu mở / open dataset', id)
    await ctx.wh.client.insert({ table: 'meta.open_data_downloads', format: 'JSONEachRow', values: [{ dataset: id, format, version: d.version, at: Date.now() }] })
    const members = openDataMembers(d.query)
    ctx.audit.recordRequest(req, { endpoint: 'open_data.download', members, datasets: ctx.cube.sharing.datasetsOf(members), query: { id, format, version: d.version }, rowCount: Number(d.rows) })
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : format === 'json' ? 'application/json; charset=utf-8' : FORMATS.xlsx)
      .header('content-disposition', `attachment; filename="${id}.${format}"`)
      .header('access-control-allow-origin', '*')
      .send(fs.createReadStream(path.join(dir(ctx.openDataDir, id), `v${d.version}.${format}`)))
  })
}
