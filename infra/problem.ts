/**
 * What went wrong, said the way kho says everything to a person: a stable code for programs, and
 * the reason in Vietnamese and English. A value's problem (an identifier that does not parse) is a
 * Problem; a refusal that stops the work (a delivery, a request, an outbound call) is a Refusal;
 * an HTTP answer's is an HttpError (a Refusal with a status).
 */
export interface Problem {
  code: string
  vi: string
  en: string
}

export class Refusal extends Error implements Problem {
  constructor(
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(en)
  }
}
