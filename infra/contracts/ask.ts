/**
 * A question asked in words and its answer (POST /api/ask): the Cube query it ran, its rows as
 * /cubejs-api/v1/load gives them, a sentence in the asker's language, what each part of the
 * question was taken to mean and what was not understood. Types only, shared with the pages.
 */
export interface AskPart {
  /** A view other than KT-XH is read as its `dataset`, the `measure` asked of it and the coded `value`s named. */
  part: 'indicator' | 'place' | 'period' | 'compare' | 'rank' | 'breakdown' | 'dataset' | 'measure' | 'value'
  /** The words of the question (folded) this part was read from. */
  text: string
  /** The code or period it was read as. */
  value: string
  /** That, in the asker's words. */
  meaning: string
}

export interface AskAnswer {
  /** False: no number was given ("chưa hiểu"), with what was read and suggestions instead. */
  understood: boolean
  answer: string
  query: Record<string, unknown> | null
  data: Record<string, unknown>[]
  parts: AskPart[]
  unknown: string[]
  suggestions: { code: string; name: string }[]
  /** The member of `data` holding the number asked for (kt_xh.value, truong_hoc.count…). */
  value: string | null
  /** Each row's name in the asker's words (a commune, a period, a value), when the answer has several. */
  labels: string[]
}

/**
 * The ways a question may name an indicator or a view (GET /api/ask/synonyms): those kho ships
 * (`given`, synonyms.yaml) and those stewards added on the administration page (`added`, PUT
 * /api/ask/synonyms/:subject {words}).
 */
export interface AskSynonyms {
  subject: string
  kind: 'indicator' | 'view'
  /** The indicator's or the view's name in the asker's language. */
  name: string
  given: string[]
  added: string[]
  updated_by: string
  updated_at: string | null
}
