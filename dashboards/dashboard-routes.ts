import fs from 'node:fs'
import { access, allow } from '../infra/access/gate.ts'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { HttpError } from '../infra/http/http-error.ts'
import { briefingRoutes, type BriefingRoutesDeps } from './briefings/briefing-runner.ts'
import type { IocAnswer } from '../infra/contracts/catalog.ts'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const WEB_DIST = path.join(HERE, 'web', 'dist')

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
export function dashboardRoutes(app: FastifyInstance, ctx: BriefingRoutesDeps) {
  app.get('/api/dashboards/ioc', allow(access.signedIn), async (): Promise<IocAnswer> => ({ ...ctx.ioc, province: ctx.catalog().province }))
  briefingRoutes(app, ctx)

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
  for (const page of ['/login', '/kiosk', '/commune', '/explorer', '/portal', '/sharing', '/quality', '/catalog', '/briefings', '/reports', '/alerts', '/admin']) {
    app.get(page, allow(access.public), (_req, reply) => sendIndex(reply))
  }
}
