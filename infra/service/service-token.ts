import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { ServiceContext } from './context.ts'
import { HttpError } from './http-error.ts'

export const SERVICE_TOKEN_HEADER = 'x-kho-service-token'

/** Admits requests that carry the token from service.json (local CLI commands). */
export function requireServiceToken(req: FastifyRequest, ctx: ServiceContext) {
  const given = Buffer.from(String(req.headers[SERVICE_TOKEN_HEADER] ?? ''))
  const expected = Buffer.from(ctx.token)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'unauthorized', 'Cần mã quản trị của dịch vụ', 'The service admin token is required')
  }
}
