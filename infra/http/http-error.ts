/** An error a route answers with: HTTP status, stable code, and the message in both languages. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(en)
  }

  body() {
    return { error: { code: this.code, message: this.vi, message_en: this.en } }
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `Không tìm thấy ${what} "${id}"`, `No ${what} "${id}"`)
