import type { z } from 'zod'
import { HttpError } from './http-error.ts'

/** Validates query or body input; anything off becomes a 400 naming the field, never a 500. */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')
  throw new HttpError(400, 'bad_request', `Yêu cầu không hợp lệ: ${detail}`, `Invalid request: ${detail}`)
}
