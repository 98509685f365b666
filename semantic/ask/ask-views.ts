import type { CubeMeta, MemberMeta } from '../cube/compile-model.ts'
import type { CatalogDataset } from '../../infra/catalog/load-catalog.ts'
import { FILLER, words } from './ask-text.ts'

/**
 * The views other than KT-XH as the reader of questions knows them: the names a view is called by,
 * what it counts and adds up, where its commune, year and dates are, the coded values one may name
 * ("hộ cận nghèo", "tiểu học") and the personal members — asked for, they go to the policy, which
 * refuses them as /load does.
 */
export interface AskViewMember {
  member: string
  vi: string
  en: string
}

export interface AskView {
  name: string
  /** The view's title, as the catalogue gives it. */
  title: { vi: string; en: string }
  /** What the view is called: its title split at commas ("Hộ nghèo, hộ cận nghèo"), then its English title. */
  names: { vi: string[]; en: string[] }
  count: AskViewMember | null
  /** Sums and averages, each with the words of what it measures ("số học sinh"). */
  measures: (AskViewMember & { agg: 'sum' | 'avg'; of: string[] })[]
  commune: string | null
  communeName: string | null
  /** A whole-number dimension holding a year ("Năm rà soát"). */
  year: string | null
  /** A date dimension (the first). */
  time: string | null
  /** Coded values by their names: a filter when said. */
  values: (AskViewMember & { value: string; column: string })[]
  /** Dimensions one may break down by ("theo cấp học"): the member shown, by the column's words. */
  groups: (AskViewMember & { of: string[] })[]
  personal: (AskViewMember & { of: string[] })[]
}

type Meta = { title_en?: string; personal?: boolean; provenance?: boolean }
const metaOf = (m: MemberMeta | CubeMeta) => ((m as { meta?: Meta }).meta ?? {}) as Meta
const local = (member: string) => member.slice(member.indexOf('.') + 1)
/** "Tổng số học sinh" → "số học sinh": what a sum or an average measures. */
const measured = (title: string) => title.replace(/\s*\([^)]*\)/g, '').replace(/^(Tổng|Bình quân|Total|Average)\s+/i, '')
/**
 * The names a title gives: without what is in brackets or after "theo" ("Dân số theo xã, nhóm tuổi"
 * is "Dân số"), and split at commas when each part names the same kind of thing ("Hộ nghèo, hộ cận
 * nghèo": each begins with the same word).
 */
function namesOf(title: string): string[] {
  const plain = title.replace(/\s*\([^)]*\)/g, '').replace(/\s+(theo|by)\s.*$/i, '').trim()
  const parts = plain.split(/\s*,\s*/)
  const first = (s: string) => words(s)[0]
  return parts.length > 1 && parts.every((x) => first(x) === first(parts[0]!)) ? parts : [plain]
}

/** A member's words, less the words every question has. */
const telling = (s: string) => words(s).filter((w) => !FILLER.has(w))

/** Views (KT-XH aside: its indicators are read by name) from the compiled model, with the catalogue's coded values. */
export function askViews(views: CubeMeta[], dataset: (id: string) => CatalogDataset | undefined, synonyms: Record<string, string[]> = {}): AskView[] {
  return views
    .filter((v) => v.name !== 'kt_xh')
    .map((v) => {
      const d = dataset(v.name)
      // Where rows came from (load_id, source_row) is for traces, not questions.
      const dims = v.dimensions.filter((m) => !metaOf(m).provenance)
      const byName = (n: string) => dims.find((m) => local(m.name) === n)?.name ?? null
      const column = (m: MemberMeta) => d?.columns.find((c) => c.id === local(m.name))
      const member = (m: MemberMeta, vi = m.shortTitle || m.title): AskViewMember => ({ member: m.name, vi, en: metaOf(m).title_en ?? vi })
      const agg = (m: MemberMeta) => (m as { aggType?: string }).aggType ?? m.type
      const count = v.measures.find((m) => agg(m) === 'count')
      const commune = d?.columns.find((c) => c.element === 'commune_code' || c.identifier === 'commune_code')
      const yearDim = dims.find((m) => m.type === 'number' && /^Năm\b/.test(m.shortTitle || m.title))
      const values = (d?.columns ?? []).flatMap((c) => c.enum_labels.map((e) => ({ member: `${v.name}.${c.id}`, column: c.id, value: e.value, vi: e.label, en: e.label_en ?? e.label })))
      return {
        name: v.name,
        title: { vi: v.title, en: metaOf(v).title_en ?? v.title },
        names: { vi: [...namesOf(v.title), ...(synonyms[v.name] ?? [])], en: namesOf(metaOf(v).title_en ?? v.title) },
        count: count ? member(count) : null,
        measures: v.measures
          .filter((m) => agg(m) === 'sum' || agg(m) === 'avg')
          .map((m) => ({ ...member(m), agg: agg(m) as 'sum' | 'avg', of: telling(measured(m.shortTitle || m.title)) })),
        commune: commune ? `${v.name}.${commune.id}` : (byName('commune_code') ?? byName('ma_xa')),
        communeName: byName('admin_units_name'),
        year: yearDim?.name ?? null,
        time: dims.find((m) => m.type === 'time')?.name ?? null,
        values,
        // Coded columns, shown by their names' dimension (`…_label`) where the view has one.
        groups: [...new Set(values.map((x) => x.column))].map((c) => {
          const dim = dims.find((m) => local(m.name) === c)!
          const shown = dims.find((m) => local(m.name) === `${c}_label`) ?? dim
          return { ...member(shown, dim.shortTitle || dim.title), en: metaOf(dim).title_en ?? dim.title, of: telling(dim.shortTitle || dim.title) }
        }),
        personal: dims.filter((m) => metaOf(m).personal || column(m)?.personal).map((m) => ({ ...member(m), of: telling(m.shortTitle || m.title) })),
      }
    })
}

/** Where `phrase` (words) is said in `ts` among the words not yet taken, or -1. */
export function phraseAt(ts: readonly string[], free: (i: number, n: number) => boolean, phrase: readonly string[]): number {
  if (phrase.length === 0) return -1
  for (let i = 0; i + phrase.length <= ts.length; i++) if (free(i, phrase.length) && phrase.every((w, k) => ts[i + k] === w)) return i
  return -1
}

/** A question read against a view: which count or measure, which values, grouped how, or a list of personal members. */
export interface ViewReading {
  view: AskView
  /** Where the view's name (or, when not said, a measure's) begins in the question. */
  said: number
  /** Whether the view's own name was said, not only one of its measures. */
  named: boolean
  measure: AskViewMember & { agg: 'count' | 'sum' | 'avg' }
  values: AskView['values']
  group: AskView['groups'][number] | null
  /** Personal members asked for ("danh sách", "số định danh", "họ tên"): the policy decides. */
  personal: AskView['personal']
}

const LIST_WORDS = [['danh', 'sach'], ['liet', 'ke'], ['list'], ['who'], ['nhung', 'ai'], ['la', 'ai']]
/** Words that ask for personal fields, whatever the view calls them. */
const PERSONAL_WORDS = ['cccd', 'can cuoc', 'dinh danh', 'ho ten', 'ho va ten', 'ten gi', 'ten la', 'ngay sinh', 'dia chi', 'dien thoai', 'email', 'personal id', 'full name', 'names', 'birth', 'address'].map((p) => p.split(' '))
const AVERAGE = [['binh', 'quan'], ['trung', 'binh'], ['average']]

/**
 * The view a question names (the longest of its names said whole), or null; `take` marks the words
 * it read. Measures by the words of what they measure; coded values by their names; "theo <cột>".
 */
export function readView(ts: readonly string[], free: (i: number, n: number) => boolean, take: (i: number, n: number, part: 'dataset' | 'measure' | 'value' | 'breakdown', value: string) => void, views: AskView[]): ViewReading | null {
  let best: { view: AskView; at: number; len: number } | null = null
  for (const view of views) {
    for (const name of [...view.names.vi, ...view.names.en]) {
      const phrase = words(name)
      const at = phraseAt(ts, free, phrase)
      if (phrase.length > 0 && at >= 0 && (!best || phrase.length > best.len)) best = { view, at, len: phrase.length }
    }
  }
  // Else a view one of whose measures is named ("số học sinh", "giáo viên"): two words at least, not a word that is everywhere.
  if (!best) {
    for (const view of views) {
      for (const m of view.measures) {
        const at = m.of.length >= 2 ? phraseAt(ts, free, m.of) : -1
        if (at >= 0 && (!best || m.of.length > best.len)) best = { view, at, len: 0 }
      }
    }
  }
  if (!best) return null
  const { view } = best
  // Coded values first (longest names first: "hộ cận nghèo" before "hộ nghèo"): one may be the view's own name.
  const values: AskView['values'] = []
  for (const v of [...view.values].sort((a, b) => words(b.vi).length - words(a.vi).length)) {
    for (const name of [v.vi, v.en]) {
      const at = phraseAt(ts, free, words(name))
      if (at < 0 || values.some((x) => x.column === v.column && x.value === v.value)) continue
      values.push(v)
      take(at, words(name).length, 'value', `${v.member}=${v.value}`)
    }
  }
  if (best.len > 0 && free(best.at, best.len)) take(best.at, best.len, 'dataset', view.name)
  let group: ViewReading['group'] = null
  for (const g of view.groups) {
    const i = phraseAt(ts, free, ['theo', ...g.of])
    const j = i >= 0 ? i : phraseAt(ts, free, ['by', ...telling(g.en)])
    if (j < 0) continue
    group = g
    take(j, 1 + (i >= 0 ? g.of.length : telling(g.en).length), 'breakdown', g.member)
    break
  }
  const averageAt = AVERAGE.map((p) => [phraseAt(ts, free, p), p.length] as const).find(([i]) => i >= 0)
  const average = averageAt !== undefined
  const measure = view.measures.find((m) => m.agg === (average ? 'avg' : 'sum') && phraseAt(ts, free, m.of) >= 0)
  if (measure) {
    take(phraseAt(ts, free, measure.of), measure.of.length, 'measure', measure.member)
    if (averageAt) take(averageAt[0], averageAt[1], 'measure', measure.member)
  }
  // A list of people, or a personal field named: every personal member of the view, for the policy to judge.
  const personal = LIST_WORDS.concat(PERSONAL_WORDS).some((p) => phraseAt(ts, free, p) >= 0) || view.personal.some((p) => p.of.length > 0 && phraseAt(ts, free, p.of) >= 0) ? view.personal : []
  const chosen = measure ? { ...measure, agg: measure.agg } : view.count ? { ...view.count, agg: 'count' as const } : null
  if (!chosen) return null
  return { view, said: best.at, named: best.len > 0, measure: chosen, values, group, personal }
}
