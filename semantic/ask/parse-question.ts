import { FILLER, expanded, fold, sameWord, words } from './ask-text.ts'
import type { AskPart } from '../../infra/contracts/ask.ts'
import { phraseAt, readView, type AskView, type ViewReading } from './ask-views.ts'

/** An indicator as the reader of questions knows it: names, synonyms, and how it adds up. */
export interface AskIndicator {
  code: string
  name_vi: string
  name_en: string
  aggregation: string
  frequency: string
  unit: string
  level: string
  /** Other ways people say it (folded or not), from semantic/ask/synonyms.yaml. */
  synonyms: string[]
}

export interface AskPlace {
  code: string
  name: string
}

/** What questions are read against: the indicator set, the communes (and their names before 2025), kho's day. */
export interface AskContext {
  indicators: AskIndicator[]
  communes: AskPlace[]
  /** Names from before the 2025 merger, each with today's unit. */
  formerNames: { name: string; code: string }[]
  province: AskPlace
  /** The other views the caller may query (ask-views.ts). */
  views: AskView[]
  /** kho's day, yyyy-mm-dd. */
  today: string
}

/** A span of months asked for (inclusive, yyyy-mm), or the latest period with a figure. */
export type AskPeriod = { kind: 'span'; from: string; to: string; grain: 'month' | 'quarter' | 'year'; ytd: boolean } | { kind: 'latest' }

/** One part of a question and what it was taken to mean (words filled in by the answer). */
export type Understood = Omit<AskPart, 'meaning'>

export interface Parsed {
  lang: 'vi' | 'en'
  indicator: AskIndicator | null
  /** A question about another view (schools, poor households…), read instead of an indicator. */
  view: ViewReading | null
  /** Indicators that match equally well (ambiguous: which one?), or the nearest ones (nothing matched). */
  candidates: AskIndicator[]
  ambiguous: boolean
  places: AskPlace[]
  period: AskPeriod
  compare: 'prior' | 'plan' | null
  rank: { descending: boolean; limit: number } | null
  breakdown: 'commune' | 'month' | 'quarter' | null
  understood: Understood[]
  unknown: string[]
}

/** Words of Vietnamese questions typed without diacritics; one of them makes a question Vietnamese. */
const VIETNAMESE = new Set(
  ('thang nam quy xa phuong tinh so voi cua theo nao nhat bao nhieu doanh nghiep ty le thu von tang giam dan khach tai nan chi tieu moi cao thap ' +
    'ky ke hoach luy dau toan nguoi ho cung hien nay truoc ngoai gan la co chua nhu dat muc ban hang hoa dich vu cong ngan sach dia').split(' '),
)

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 }
const MONTHS_EN = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const pad = (n: number) => String(n).padStart(2, '0')
const monthOf = (y: number, m: number) => `${y}-${pad(m)}`

/** The token sequence `phrase` (folded words) at `i`. */
const at = (ts: readonly string[], i: number, phrase: string) => phrase.split(' ').every((p, k) => ts[i + k] === p)

/**
 * Reads a question: its period, comparison, ranking, breakdown and places first (their words are
 * few and fixed), then the indicator from the words left, by name, synonym or abbreviation, with
 * or without diacritics and with a letter off here and there. Deterministic: the same question, the
 * same reading.
 */
export function parseQuestion(question: string, ctx: AskContext, lang?: 'vi' | 'en'): Parsed {
  const ts = words(question)
  const used = ts.map(() => false)
  const understood: Understood[] = []
  const take = (i: number, n: number, part: Understood['part'], value: string) => {
    for (let k = i; k < i + n; k++) used[k] = true
    understood.push({ part, text: ts.slice(i, i + n).join(' '), value })
  }
  const free = (i: number, n: number) => i + n <= ts.length && used.slice(i, i + n).every((u) => !u)
  const [ty, tm] = ctx.today.split('-').map(Number) as [number, number]
  // English when nothing in it is Vietnamese: no diacritics, none of the words Vietnamese questions are made of.
  const en = !/[à-ỹđ]/i.test(question) && !ts.some((w) => VIETNAMESE.has(w))

  // --- Period ---
  let period: AskPeriod = { kind: 'latest' }
  const yearAt = (i: number): number | null => {
    const w = ts[i]
    if (w && /^(19|20)\d\d$/.test(w)) return Number(w)
    if (w === 'nam' && ts[i + 1] && /^(19|20)\d\d$/.test(ts[i + 1]!)) return Number(ts[i + 1])
    return null
  }
  const span = (from: string, to: string, grain: 'month' | 'quarter' | 'year', ytd = false): Extract<AskPeriod, { kind: 'span' }> => ({ kind: 'span', from, to, grain, ytd })
  const guessYear = (m: number) => (m > tm ? ty - 1 : ty)
  for (let i = 0; i < ts.length; i++) {
    if (used[i]) continue
    const w = ts[i]!
    let m: RegExpExecArray | null
    // tháng 10/2026, t10/2026, tháng 10 năm 2026, tháng 10, 2026-10
    if ((m = /^t?(\d{1,2})\/((?:19|20)\d\d)$/.exec(w)) && (w.startsWith('t') || ts[i - 1] === 'thang')) {
      const start = ts[i - 1] === 'thang' && !used[i - 1] ? i - 1 : i
      period = span(monthOf(Number(m[2]), Number(m[1])), monthOf(Number(m[2]), Number(m[1])), 'month')
      take(start, i - start + 1, 'period', period.from)
      break
    }
    if ((m = /^((?:19|20)\d\d)-(\d\d)$/.exec(w))) {
      period = span(`${m[1]}-${m[2]}`, `${m[1]}-${m[2]}`, 'month')
      take(i, 1, 'period', period.from)
      break
    }
    if ((w === 'thang' && /^\d{1,2}$/.test(ts[i + 1] ?? '')) || /^t\d{1,2}$/.test(w)) {
      // "6 tháng đầu năm", "9 tháng": a year to date; "tháng 10": a month.
      const n = Number(w === 'thang' ? ts[i + 1] : w.slice(1))
      if (n >= 1 && n <= 12) {
        const len = w === 'thang' ? 2 : 1
        const y = yearAt(i + len) ?? guessYear(n)
        period = span(monthOf(y, n), monthOf(y, n), 'month')
        take(i, len + (yearAt(i + len) !== null ? (ts[i + len] === 'nam' ? 2 : 1) : 0), 'period', period.from)
        break
      }
    }
    if (/^\d{1,2}$/.test(w) && ts[i + 1] === 'thang' && !/^\d/.test(ts[i + 2] ?? '')) {
      const n = Number(w)
      let len = 2
      if (at(ts, i + 2, 'dau nam')) len += 2
      const y = yearAt(i + len) ?? ty
      if (yearAt(i + len) !== null) len += ts[i + len] === 'nam' ? 2 : 1
      period = span(monthOf(y, 1), monthOf(y, n), 'month', true)
      take(i, len, 'period', `${period.from}..${period.to}`)
      break
    }
    // quý III/2026, quý 3 năm 2026, quý 3, q3 2026
    if (w === 'quy' || /^q[1-4]$/.test(w)) {
      const raw = w === 'quy' ? (ts[i + 1] ?? '') : w.slice(1)
      const qm = /^(iv|iii|ii|i|[1-4])(?:\/((?:19|20)\d\d))?$/.exec(raw)
      if (qm) {
        const q = ROMAN[qm[1]!] ?? Number(qm[1])
        let len = w === 'quy' ? 2 : 1
        let y = qm[2] ? Number(qm[2]) : yearAt(i + len)
        if (!qm[2] && y !== null) len += ts[i + len] === 'nam' ? 2 : 1
        y ??= q * 3 - 2 > tm ? ty - 1 : ty
        period = span(monthOf(y, q * 3 - 2), monthOf(y, q * 3), 'quarter')
        take(i, len, 'period', `${y}-Q${q}`)
        break
      }
    }
    // năm 2025, 2025
    if (yearAt(i) !== null) {
      const y = yearAt(i)!
      period = span(monthOf(y, 1), monthOf(y, 12), 'year')
      take(i, w === 'nam' ? 2 : 1, 'period', String(y))
      break
    }
    // October 2026, oct 2026
    const mi = MONTHS_EN.findIndex((x) => x === w || (w.length >= 3 && x.startsWith(w) && w !== 'mar' && w !== 'may') || (w === 'mar' && x === 'march') || (w === 'may' && x === 'may'))
    if (mi >= 0 && (yearAt(i + 1) !== null || en)) {
      const y = yearAt(i + 1) ?? guessYear(mi + 1)
      period = span(monthOf(y, mi + 1), monthOf(y, mi + 1), 'month')
      take(i, yearAt(i + 1) !== null ? 2 : 1, 'period', period.from)
      break
    }
  }
  const phrases: [string, () => AskPeriod][] = [
    ['tu dau nam den nay', () => span(monthOf(ty, 1), monthOf(ty, tm), 'month', true)],
    ['tu dau nam', () => span(monthOf(ty, 1), monthOf(ty, tm), 'month', true)],
    ['luy ke', () => span(monthOf(ty, 1), monthOf(ty, tm), 'month', true)],
    ['year to date', () => span(monthOf(ty, 1), monthOf(ty, tm), 'month', true)],
    ['thang truoc', () => span(monthOf(tm === 1 ? ty - 1 : ty, tm === 1 ? 12 : tm - 1), monthOf(tm === 1 ? ty - 1 : ty, tm === 1 ? 12 : tm - 1), 'month')],
    ['last month', () => span(monthOf(tm === 1 ? ty - 1 : ty, tm === 1 ? 12 : tm - 1), monthOf(tm === 1 ? ty - 1 : ty, tm === 1 ? 12 : tm - 1), 'month')],
    ['thang nay', () => span(monthOf(ty, tm), monthOf(ty, tm), 'month')],
    ['nam nay', () => span(monthOf(ty, 1), monthOf(ty, 12), 'year')],
    ['this year', () => span(monthOf(ty, 1), monthOf(ty, 12), 'year')],
    ['nam truoc', () => span(monthOf(ty - 1, 1), monthOf(ty - 1, 12), 'year')],
    ['nam ngoai', () => span(monthOf(ty - 1, 1), monthOf(ty - 1, 12), 'year')],
    ['last year', () => span(monthOf(ty - 1, 1), monthOf(ty - 1, 12), 'year')],
    ['ky gan nhat', () => ({ kind: 'latest' })],
    ['gan nhat', () => ({ kind: 'latest' })],
    // Not "mới nhất" alone: "thành lập mới nhất" is a ranking of new enterprises.
    ['ky moi nhat', () => ({ kind: 'latest' })],
    ['so lieu moi nhat', () => ({ kind: 'latest' })],
    ['hien nay', () => ({ kind: 'latest' })],
    ['latest', () => ({ kind: 'latest' })],
  ]
  if (!understood.some((u) => u.part === 'period')) {
    outer: for (const [phrase, make] of phrases) {
      for (let i = 0; i < ts.length; i++) {
        const n = phrase.split(' ').length
        // "năm trước" after a comparison ("so với năm trước") is the comparison's, not the period.
        if (free(i, n) && at(ts, i, phrase) && !(phrase.startsWith('nam') && ts[i - 1] === 'voi')) {
          period = make()
          take(i, n, 'period', period.kind === 'latest' ? 'latest' : `${period.from}..${period.to}`)
          break outer
        }
      }
    }
  }

  // --- Comparison, ranking, breakdown: fixed phrases ---
  const find = (phrase: string) => ts.findIndex((_, i) => free(i, phrase.split(' ').length) && at(ts, i, phrase))
  /** The first of `phrases` said in the question, taken as `part`; its value, or null. */
  const firstOf = <V extends string>(phrases: readonly (readonly [string, V])[], part: Understood['part']): V | null => {
    for (const [phrase, value] of phrases) {
      const i = find(phrase)
      if (i < 0) continue
      take(i, phrase.split(' ').length, part, value)
      return value
    }
    return null
  }
  const compare: Parsed['compare'] = firstOf(
    [
      ['so voi cung ky nam truoc', 'prior'], ['so voi cung ky', 'prior'], ['cung ky nam truoc', 'prior'], ['cung ky', 'prior'], ['so voi nam truoc', 'prior'],
      ['tang bao nhieu phan tram', 'prior'], ['tang bao nhieu', 'prior'], ['tang hay giam', 'prior'],
      ['compared to last year', 'prior'], ['vs last year', 'prior'], ['same period last year', 'prior'], ['growth', 'prior'],
      // Not "kế hoạch" alone: it is also in indicators' names ("Kế hoạch vốn đầu tư công được giao").
      ['so voi ke hoach', 'plan'], ['dat bao nhieu phan tram ke hoach', 'plan'], ['vs plan', 'plan'], ['of plan', 'plan'], ['against plan', 'plan'],
    ] as const,
    'compare',
  )
  /** "5 xã …": how many communes a ranking names (its words taken), or one. */
  const countedCommunes = () => {
    const n = ts.findIndex((w, k) => /^\d{1,2}$/.test(w) && !used[k] && ['xa', 'phuong', 'dia', 'communes', 'commune'].includes(ts[k + 1] ?? ''))
    if (n < 0) return 1
    take(n, 2, 'rank', `limit ${ts[n]}`)
    return Number(ts[n])
  }
  let rank: Parsed['rank'] = null
  for (const [phrase, descending] of [
    ['cao nhat', true], ['nhieu nhat', true], ['lon nhat', true], ['dan dau', true], ['highest', true], ['most', true], ['top', true],
    ['thap nhat', false], ['it nhat', false], ['nho nhat', false], ['lowest', false], ['least', false], ['fewest', false],
  ] as const) {
    const i = find(phrase)
    if (i < 0) continue
    take(i, phrase.split(' ').length, 'rank', descending ? 'desc' : 'asc')
    // "top 5", "5 xã cao nhất": how many; "xã nào": one.
    const top = descending && phrase === 'top' && /^\d{1,2}$/.test(ts[i + 1] ?? '') ? i + 1 : -1
    let limit: number
    if (top >= 0) {
      limit = Number(ts[top])
      take(top, 1, 'rank', `limit ${limit}`)
    } else limit = countedCommunes()
    rank = { descending, limit }
    // "top 3 communes with the most …": the other word of a ranking said twice.
    const again = find('top')
    if (again >= 0) take(again, 1, 'rank', descending ? 'desc' : 'asc')
    break
  }
  const breakdown: Parsed['breakdown'] = firstOf(
    [
      ['theo xa phuong', 'commune'], ['theo tung xa', 'commune'], ['theo xa', 'commune'], ['theo phuong', 'commune'], ['tung xa', 'commune'], ['cac xa', 'commune'], ['by commune', 'commune'], ['each commune', 'commune'],
      ['theo tung thang', 'month'], ['theo thang', 'month'], ['tung thang', 'month'], ['by month', 'month'], ['each month', 'month'], ['monthly', 'month'],
      ['theo quy', 'quarter'], ['tung quy', 'quarter'], ['by quarter', 'quarter'],
    ] as const,
    'breakdown',
  )
  // "nhiều … nhất", "cao … nhất" said apart ("xã nào nhiều doanh nghiệp mới nhất").
  if (!rank) {
    const last = ts.findIndex((w, i) => w === 'nhat' && !used[i])
    const first = ts.findIndex((w, i) => !used[i] && i < last && ['nhieu', 'cao', 'lon', 'thap', 'it', 'nho'].includes(w))
    if (last >= 0 && first >= 0) {
      const descending = ['nhieu', 'cao', 'lon'].includes(ts[first]!)
      take(first, 1, 'rank', descending ? 'desc' : 'asc')
      take(last, 1, 'rank', descending ? 'desc' : 'asc')
      rank = { descending, limit: countedCommunes() }
    }
  }
  // "xã nào", "which commune": a ranking's subject.
  for (const phrase of ['xa nao', 'phuong nao', 'xa phuong nao', 'dia phuong nao', 'which commune', 'which communes']) {
    const i = find(phrase)
    if (i >= 0) {
      take(i, phrase.split(' ').length, 'rank', 'commune')
      rank ??= { descending: true, limit: 1 }
    }
  }

  // --- Places: communes by their name (today's or before the 2025 merger), or the province ---
  const places: AskPlace[] = []
  const prefixes = ['xa', 'phuong', 'thi tran', 'commune', 'ward']
  const named = [
    ...ctx.communes.map((c) => ({ core: words(c.name.replace(/^(Xã|Phường|Thị trấn)\s+/i, '')), place: c, former: false })),
    ...ctx.formerNames.map((f) => ({ core: words(f.name.replace(/^(Xã|Phường|Thị trấn)\s+/i, '')), place: ctx.communes.find((c) => c.code === f.code)!, former: true })),
  ]
    .filter((n) => n.place && n.core.length > 0)
    .sort((a, b) => b.core.length - a.core.length)
  for (const n of named) {
    for (let i = 0; i < ts.length; i++) {
      if (!free(i, n.core.length) || !n.core.every((w, k) => ts[i + k] === w)) continue
      const before = prefixes.find((p) => { const len = p.split(' ').length; return i - len >= 0 && free(i - len, len) && at(ts, i - len, p) })
      // One word alone ("Yên") is a commune only after "xã"/"phường".
      if (n.core.length < 2 && !before) continue
      const start = before ? i - before.split(' ').length : i
      // "Tan Yen commune": the kind after the name, as English says it.
      const after = !before && ['commune', 'ward'].includes(ts[i + n.core.length] ?? '') && free(i + n.core.length, 1) ? 1 : 0
      if (!places.some((p) => p.code === n.place.code)) places.push(n.place)
      take(start, i + n.core.length + after - start, 'place', n.place.code)
    }
  }
  for (const phrase of ['toan tinh', 'ca tinh', 'tinh', 'province', 'whole province', ...[words(ctx.province.name).join(' ')]]) {
    const i = find(phrase)
    if (i >= 0) take(i, phrase.split(' ').length, 'place', ctx.province.code)
  }

  // --- The indicator, from the words left ---
  const left = ts.map((w, i) => (used[i] || FILLER.has(w) ? '' : w)).filter(Boolean)
  const asked = expanded(left)
  const docs = ctx.indicators.map((ind) => ({ ind, ws: [...new Set(expanded(words(`${ind.name_vi} ${ind.name_en} ${ind.code.replace(/_/g, ' ')}`)).filter((w) => !FILLER.has(w)))] }))
  const df = new Map<string, number>()
  for (const d of docs) for (const w of d.ws) df.set(w, (df.get(w) ?? 0) + 1)
  const weight = (w: string) => Math.log((docs.length + 1) / (df.get(w) ?? 1))
  // Synonyms are read on every word left, fillers included ("dân số", "bán lẻ").
  const folded = ` ${ts.filter((_, i) => !used[i]).join(' ')} `
  const scored = docs
    .map(({ ind, ws }) => {
      // A synonym said whole is worth more than any scatter of words.
      const synonym = ind.synonyms.some((s) => folded.includes(` ${words(s).join(' ')} `)) || folded.includes(` ${fold(ind.code).replace(/_/g, ' ')} `)
      const hit = asked.filter((a) => ws.some((w) => sameWord(a, w)))
      // A synonym said whole counts a little more than its words do: enough to pick it among equals, not
      // to beat a name said more fully ("người chết do TNGT" is the deaths, not the accidents).
      const score = hit.reduce((s, a) => s + weight(ws.find((w) => sameWord(a, w))!), 0) + (synonym ? 3 : 0)
      const covered = ws.filter((w) => asked.some((a) => sameWord(a, w))).length / ws.length
      // How much of the Vietnamese name was said: all of it makes a tie no tie.
      const nameWords = expanded(words(ind.name_vi)).filter((w) => !FILLER.has(w))
      const named = nameWords.every((w) => asked.some((a) => sameWord(a, w)))
      return { ind, score, covered, hit, whole: synonym || named, named }
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || b.covered - a.covered)
  const best = scored[0]
  // Enough of the question said: a synonym, or most of the name, or two telling words.
  const enough = best && (best.whole || best.covered >= 0.5 || best.hit.length >= 2)
  // Equal on the words said, and the best's name not said whole: which one is meant cannot be told.
  const tied = best ? (best.whole ? scored.filter((s) => s.whole && Math.abs(s.score - best.score) < 1e-9 && Math.abs(s.covered - best.covered) < 1e-9) : scored.filter((s) => Math.abs(s.score - best.score) < 1e-9)) : []
  let indicator = enough && tied.length === 1 ? best!.ind : null

  // --- Or another view: named whole, when no indicator is, or when a count is asked of what an indicator gives as a rate ---
  const marks: [number, number, Understood['part'], string][] = []
  const view = readView(ts, free, (i, n, part, value) => marks.push([i, n, part, value]), ctx.views)
  const said = (p: string) => phraseAt(ts, () => true, p.split(' ')) >= 0
  const countAsked = view !== null && ['so', 'bao nhieu', 'nhieu', 'it', 'how many', 'number of'].some((c) => at(ts, view.said - c.split(' ').length, c))
  const rateAsked = ['ty le', 'rate', 'phan tram', 'percent'].some(said)
  // The view named with what only it has (a sum, a coded value, a grouping: "thiệt hại do tai nạn giao thông",
  // "theo loại đường"), and personal fields asked of it ("danh sách chủ hộ nghèo", where the policy judges them).
  // A sum loses to an indicator whose own name is said ("số người chết do TNGT" is the indicator).
  // A coded value that is also the view's name ("hộ nghèo") is no more the view's than the indicator's.
  const ownValues = view?.values.filter((v) => !view.view.names.vi.some((n) => fold(n) === fold(v.vi))) ?? []
  // A sum or an average only the view has: not when an indicator's own name is said beside the view's
  // ("số người chết do TNGT"), nor when the view was found by the measure alone and an indicator by its
  // synonym ("người chết vì tai nạn").
  const ownMeasure = view !== null && view.measure.agg !== 'count' && (view.named ? !best?.named : !best?.whole)
  const onlyTheView = view !== null && (ownValues.length > 0 || view.group !== null || ownMeasure)
  // Two indicators fit equally ("doanh nghiệp"): the question asks which, unless it asks the view's count ("số doanh nghiệp").
  const ambiguousIndicator = !indicator && !!enough && tied.length > 1
  const keepAmbiguity = ambiguousIndicator && !onlyTheView && !(countAsked && view?.named)
  if (view && !keepAmbiguity && (!indicator || !best!.whole || onlyTheView || view.personal.length > 0 || (indicator.unit === '%' && countAsked && !rateAsked))) {
    for (const [i, n, part, value] of marks) take(i, n, part, value)
    indicator = null
    const rest = ts.filter((w, i) => !used[i] && !FILLER.has(w))
    return { lang: lang ?? (en ? 'en' : 'vi'), indicator: null, view, candidates: [], ambiguous: false, places, period, compare, rank, breakdown, understood, unknown: rest }
  }
  if (indicator) {
    const hitWords = new Set(best!.hit)
    understood.push({ part: 'indicator', text: left.filter((w) => hitWords.has(w) || expanded([w]).some((x) => hitWords.has(x))).join(' '), value: indicator.code })
  }
  const unknown = indicator ? left.filter((w) => !expanded([w]).some((x) => best!.hit.includes(x)) && !indicator.synonyms.some((s) => words(s).includes(w))) : left
  return {
    lang: lang ?? (en ? 'en' : 'vi'),
    indicator,
    view: null,
    candidates: indicator ? [] : (enough ? tied : scored).slice(0, 3).map((s) => s.ind),
    ambiguous: !indicator && !!enough && tied.length > 1,
    places,
    period,
    compare,
    rank,
    breakdown,
    understood,
    unknown,
  }
}
