import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { ServiceContext } from './context.ts'
import { HttpError } from './http-error.ts'

export const SERVICE_TOKEN_HEADER = 'x-kho-service-token'

/** Does the request carry the token from service.json (a local CLI command)? */
export function hasServiceToken(req: FastifyRequest, ctx: ServiceContext): boolean {
  const given = Buffer.from(String(req.headers[SERVICE_TOKEN_HEADER] ?? ''))
  const expected = Buffer.from(ctx.token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Admits requests that carry the token from service.json (local CLI commands). */
export function requireServiceToken(req: FastifyRequest, ctx: ServiceContext) {
  if (!hasServiceToken(req, ctx)) {
    throw new HttpError(401, 'unauthorized', 'Cần mã quản trị của dịch vụ', 'The service admin token is required')
  }
}
