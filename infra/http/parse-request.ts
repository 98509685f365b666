import type { z } from 'zod'
import { HttpError } from './http-error.ts'

/** Validates query or body input; anything off becomes a 400 naming the field, never a 500. */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')
  throw new HttpError(400, 'bad_request', `Yêu cầu không hợp lệ: ${detail}`, `Invalid request: ${detail}`)
}

/** How deeply JSON input may nest (objects and arrays); deeper input is refused before parsing. */
export const MAX_JSON_DEPTH = 32

/** The deepest nesting of a JSON text, counted without parsing it (brackets inside strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) max = Math.max(max, ++depth)
    else if (c === 125 || c === 93) depth--
  }
  return max
}

export type BoundedJson = { ok: true; value: unknown } | { ok: false; vi: string; en: string }

/** JSON.parse with a nesting limit, so hostile input is a clear refusal rather than a stack overflow. */
export function parseJsonBounded(text: string): BoundedJson {
  const depth = jsonDepth(text)
  if (depth > MAX_JSON_DEPTH) {
    return { ok: false, vi: `JSON lồng quá sâu (${depth} cấp; tối đa ${MAX_JSON_DEPTH})`, en: `JSON nested too deep (${depth} levels; at most ${MAX_JSON_DEPTH})` }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (err) {
    return { ok: false, vi: `JSON không hợp lệ: ${(err as Error).message}`, en: `Invalid JSON: ${(err as Error).message}` }
  }
}

/**
 * Fastify's JSON body parser replaced by one with the nesting limit. Keys that could reach an
 * object's prototype are refused, as Fastify's own parser does.
 */
export function boundedJsonBodies(app: import('fastify').FastifyInstance) {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    if (/"__proto__"\s*:/.test(text) || /"constructor"\s*:\s*\{[^{}]*"prototype"\s*:/.test(text)) {
      return done(new HttpError(400, 'bad_request', 'JSON chứa khóa bị cấm (__proto__)', 'JSON carries a forbidden key (__proto__)'), undefined)
    }
    const parsed = parseJsonBounded(text)
    if (!parsed.ok) return done(new HttpError(400, 'bad_request', `Yêu cầu không hợp lệ: ${parsed.vi}`, `Invalid request: ${parsed.en}`), undefined)
    done(null, parsed.value)
  })
}
