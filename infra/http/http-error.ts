import { Refusal } from '../problem.ts'

/**
 * The one error type a request can end in: HTTP status, stable code, and the message in Vietnamese
 * and English. The app's error handler turns it into the response — { error: { code, message,
 * message_en } }, or Cube's { error, message_en, code } under /cubejs-api — so no route or feature
 * writes an error body itself. Named kinds (QueryError, AccessDenied, AuthError) only fix the
 * status and code.
 */
export class HttpError extends Refusal {
  constructor(
    readonly status: number,
    code: string,
    vi: string,
    en: string,
  ) {
    super(code, vi, en)
  }

  body() {
    return { error: { code: this.code, message: this.vi, message_en: this.en } }
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `Không tìm thấy ${what} "${id}"`, `No ${what} "${id}"`)
