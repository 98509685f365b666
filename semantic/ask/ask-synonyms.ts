import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import * as clock from '../../infra/time/clock.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { fold } from './ask-text.ts'

const SYNONYMS_FILE = fileURLToPath(new URL('./synonyms.yaml', import.meta.url))

/** The synonyms kho ships (synonyms.yaml): indicator code or view name → other ways to say it. */
export function loadSynonyms(file = SYNONYMS_FILE): Record<string, string[]> {
  return (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, string[]>
}

/** How many ways to say one thing a steward may add, and how long each may be. */
export const MAX_ADDED = 30
const WORDS = { min: 2, max: 60 }

interface Stored {
  subject: string
  words: string[]
  updated_by: string
  updated_at: string
}

/**
 * The synonyms questions are read with: the file's, and those stewards add on the administration
 * page (meta.ask_synonyms), kept in memory and written through here so the two agree.
 */
export class AskSynonymStore {
  private stored = new Map<string, Stored>()
  private loaded: Promise<void> | null = null

  constructor(
    private readonly wh: Warehouse,
    readonly given: Record<string, string[]> = loadSynonyms(),
  ) {}

  private async refresh(): Promise<void> {
    const rows = await queryRows<Stored>(this.wh.client, `SELECT subject, words, updated_by, toString(updated_at) AS updated_at FROM meta.ask_synonyms FINAL`)
    this.stored = new Map(rows.map((r) => [r.subject, r]))
    this.merged = null
  }

  /** Read from the warehouse once, on first use. */
  ready(): Promise<void> {
    this.loaded ??= this.refresh()
    return this.loaded
  }

  private merged: Record<string, string[]> | null = null

  /** Every synonym, the file's and the page's together: what the reader of questions uses (the same object until a steward changes them). */
  all(): Record<string, string[]> {
    if (this.merged) return this.merged
    const out: Record<string, string[]> = Object.fromEntries(Object.entries(this.given).map(([k, v]) => [k, [...v]]))
    for (const [subject, s] of this.stored) out[subject] = [...(out[subject] ?? []), ...s.words]
    this.merged = out
    return out
  }

  added(subject: string): Stored | undefined {
    return this.stored.get(subject)
  }

  /**
   * Replaces the words a steward added for `subject` (an empty list removes them). Each is 2–60
   * characters, not a number, said once (without diacritics or case), and not one kho already ships.
   */
  async set(subject: string, words: string[], by: string): Promise<string[]> {
    const clean = words.map((w) => w.replace(/\s+/g, ' ').trim()).filter(Boolean)
    const bad = clean.find((w) => w.length < WORDS.min || w.length > WORDS.max || /^[\d\s.,/-]+$/.test(w))
    if (bad !== undefined) {
      throw new HttpError(400, 'bad_request', `"${bad}": mỗi cách gọi dài ${WORDS.min}–${WORDS.max} ký tự và có chữ`, `"${bad}": each way to say it has ${WORDS.min}–${WORDS.max} characters and letters`)
    }
    if (clean.length > MAX_ADDED) throw new HttpError(400, 'bad_request', `Tối đa ${MAX_ADDED} cách gọi cho một chỉ tiêu`, `At most ${MAX_ADDED} ways to say one thing`)
    const shipped = new Set((this.given[subject] ?? []).map(fold))
    const seen = new Set<string>()
    const kept = clean.filter((w) => {
      const f = fold(w)
      if (seen.has(f) || shipped.has(f)) return false
      seen.add(f)
      return true
    })
    await this.wh.client.insert({ table: 'meta.ask_synonyms', values: [{ subject, words: kept, updated_by: by, updated_at: clock.nowMs() }], format: 'JSONEachRow' })
    await this.refresh()
    return kept
  }
}
