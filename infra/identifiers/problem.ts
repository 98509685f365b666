/** Why an identifier is not valid, in the two languages kho speaks. `code` is stable for programs. */
export interface IdentifierProblem {
  code: string
  vi: string
  en: string
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: IdentifierProblem }

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
export const fail = <T>(code: string, vi: string, en: string): Parsed<T> => ({ ok: false, problem: { code, vi, en } })

/** Strips the spaces, dots and dashes people type inside numbers, plus surrounding whitespace. */
export function stripSeparators(raw: string): string {
  return raw.trim().replace(/[\s.\u00a0]/g, '')
}
