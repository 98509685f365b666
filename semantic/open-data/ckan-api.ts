import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { access, allow } from '../../infra/access/gate.ts'
import { baseUrl, FORMATS, published, search, type Listed, type OpenDataDeps } from './open-data.ts'

/**
 * The CKAN action API's read side (package_list, package_show, package_search), as national and
 * regional portals that harvest CKAN catalogues call it (CKAN 2.9+ shapes: {help, success, result}).
 * Only what the public catalogue shows: the same publications, counts of people already perturbed.
 */
const iso = (t: string) => `${t.replace(' ', 'T')}`.replace(/Z?$/, '')

function packageOf(base: string, d: Listed) {
  return {
    id: d.id,
    name: d.id,
    title: d.title,
    notes: d.description,
    type: 'dataset',
    state: 'active',
    private: false,
    license_id: d.license,
    license_title: d.license,
    version: String(d.version),
    author: d.publisher,
    maintainer: d.publisher,
    metadata_created: iso(d.first_published_at),
    metadata_modified: iso(d.published_at),
    organization: { name: (d.owner || 'ubnd-tinh').toLowerCase().replace(/_/g, '-'), title: d.publisher, type: 'organization', is_organization: true },
    num_tags: d.keywords.length,
    tags: d.keywords.map((k) => ({ name: k, display_name: k })),
    num_resources: Object.keys(FORMATS).length,
    resources: (Object.keys(FORMATS) as (keyof typeof FORMATS)[]).map((f, i) => ({
      id: `${d.id}-${f}`,
      package_id: d.id,
      name: `${d.title} (${f.toUpperCase()})`,
      format: f.toUpperCase(),
      mimetype: FORMATS[f],
      url: `${base}/open-data/${d.id}.${f}`,
      last_modified: iso(d.published_at),
      position: i,
    })),
    extras: [
      { key: 'accrual_periodicity', value: d.refresh },
      { key: 'rows', value: String(d.rows) },
      { key: 'downloads', value: String(d.downloads) },
    ],
  }
}

const help = (base: string, action: string) => `${base}/api/3/action/help_show?name=${action}`

/** CKAN's error envelope, with the HTTP status CKAN gives it. */
function ckanError(reply: FastifyReply, base: string, action: string, status: 404 | 409, type: string, message: string) {
  return reply.code(status).send({ help: help(base, action), success: false, error: { __type: type, message } })
}

const showQuery = z.strictObject({ id: z.string().max(100).optional(), name_or_id: z.string().max(100).optional() })
const searchQuery = z.object({
  q: z.string().max(200).default(''),
  rows: z.coerce.number().int().min(0).max(1000).default(10),
  start: z.coerce.number().int().min(0).max(100_000).default(0),
})

export function ckanRoutes(app: FastifyInstance, ctx: Pick<OpenDataDeps, 'wh'>) {
  app.get('/api/3/action/package_list', allow(access.public), async (req) => ({
    help: help(baseUrl(req), 'package_list'),
    success: true,
    result: (await published(ctx)).map((d) => d.id).sort(),
  }))

  app.get('/api/3/action/package_show', allow(access.public), async (req, reply) => {
    const base = baseUrl(req)
    const q = showQuery.safeParse(req.query)
    const id = q.success ? (q.data.id ?? q.data.name_or_id ?? '') : ''
    if (!id) return ckanError(reply, base, 'package_show', 409, 'Validation Error', 'Missing value: id')
    const [d] = await published(ctx, id)
    if (!d) return ckanError(reply, base, 'package_show', 404, 'Not Found Error', 'Not found')
    return { help: help(base, 'package_show'), success: true, result: packageOf(base, d) }
  })

  app.get('/api/3/action/package_search', allow(access.public), async (req, reply) => {
    const base = baseUrl(req)
    const q = searchQuery.safeParse(req.query)
    if (!q.success) return ckanError(reply, base, 'package_search', 409, 'Validation Error', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
    // CKAN's "*:*" is everything; otherwise the words are searched as the catalogue page does.
    const found = search(await published(ctx), q.data.q === '*:*' ? '' : q.data.q)
    return {
      help: help(base, 'package_search'),
      success: true,
      result: { count: found.length, sort: 'title_string asc', facets: {}, search_facets: {}, results: found.slice(q.data.start, q.data.start + q.data.rows).map((d) => packageOf(base, d)) },
    }
  })
}
