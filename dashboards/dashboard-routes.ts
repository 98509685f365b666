import fs from 'node:fs'
import { access, allow } from '../infra/access/gate.ts'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { ServiceContext } from '../infra/app/service/context.ts'
import { HttpError } from '../infra/http/http-error.ts'
import { briefingRoutes } from './briefings/briefing-runner.ts'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const WEB_DIST = path.join(HERE, 'web', 'dist')

const band = z.strictObject({ good: z.number(), warn: z.number() })
const iocSchema = z.strictObject({
  headline: z.array(z.string()).min(1),
  commune_ranking: z.array(z.string()).min(1),
  status: z.strictObject({ plan_pct: band, growth_pct: band }),
  kiosk_refresh_seconds: z.number().int().min(10).max(3600),
})
export type IocConfig = z.infer<typeof iocSchema>

/** dashboards/ioc.yaml, checked against the indicator catalogue (an unknown code stops the start). */
export function loadIocConfig(catalog: Catalog, file = path.join(HERE, 'ioc.yaml')): IocConfig {
  const parsed = iocSchema.safeParse(parse(fs.readFileSync(file, 'utf8')))
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  for (const code of [...parsed.data.headline, ...parsed.data.commune_ranking]) {
    if (!catalog.indicator(code)) throw new Error(`${file}: không có chỉ tiêu "${code}" / no indicator "${code}"`)
  }
  for (const code of parsed.data.commune_ranking) {
    if (catalog.indicator(code)!.level !== 'commune') throw new Error(`${file}: "${code}" không báo cáo theo xã / is not reported by commune`)
  }
  return parsed.data
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/**
 * The React dashboards (built by `npm run build` into dashboards/web/dist) at "/", with every
 * unknown page path answered by index.html so the app's own routes work on reload. Hashed assets
 * are cached for good; index.html never, so a new build shows at once.
 */
export function dashboardRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const { ioc, briefings } = ctx.dashboards
  app.get('/api/dashboards/ioc', allow(access.signedIn), async () => ({ ...ioc, province: ctx.catalog.province }))
  briefingRoutes(app, ctx, briefings, ioc)

  const index = path.join(WEB_DIST, 'index.html')
  const sendIndex = (reply: import('fastify').FastifyReply) => {
    if (!fs.existsSync(index)) {
      throw new HttpError(503, 'not_built', 'Giao diện chưa được dựng: chạy "npm run build"', 'The dashboards are not built: run "npm run build"')
    }
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(fs.createReadStream(index))
  }
  app.get('/', allow(access.public), (_req, reply) => sendIndex(reply))
  app.get('/assets/*', allow(access.public), (req, reply) => {
    const rel = (req.params as { '*': string })['*']
    const file = path.join(WEB_DIST, 'assets', path.normalize(rel).replace(/^(\.\.(\/|\\|$))+/, ''))
    if (!file.startsWith(path.join(WEB_DIST, 'assets')) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new HttpError(404, 'not_found', `Không có tệp ${rel}`, `No file ${rel}`)
    }
    return reply
      .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(fs.createReadStream(file))
  })
  // The app's pages; anything under /api or /cubejs-api stays a JSON 404.
  for (const page of ['/login', '/kiosk', '/explorer', '/portal', '/quality', '/catalog', '/briefings', '/admin']) {
    app.get(page, allow(access.public), (_req, reply) => sendIndex(reply))
  }
}
