import type { CubeQuery } from '../cube/cube-query.ts'
import { periodWords, timeSlotLabel } from '../../infra/contracts/question-words.ts'
import { unitText } from '../../infra/contracts/units.ts'
import type { AskAnswer } from '../../infra/contracts/ask.ts'
import type { AskContext, AskIndicator, AskPeriod, Parsed } from './parse-question.ts'
import { answerView, type RunQuery } from './answer-view.ts'
import { lowerFirst, mid, periodCodes, whenWords } from './answer-words.ts'

type Row = Record<string, unknown>

const KIND: Record<string, 'month' | 'quarter' | 'year'> = { monthly: 'month', quarterly: 'quarter', yearly: 'year', school_year: 'year' }

const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))

/**
 * Turns a reading into the Cube query it means, runs it as the caller, and says the answer in a
 * sentence in the asker's language with vi-VN numbers. A question it cannot read, or that two
 * indicators fit equally, gets no number: "chưa hiểu" with what it did read, or the choice.
 */
export async function answerQuestion(p: Parsed, ctx: AskContext, run: RunQuery): Promise<AskAnswer> {
  const vi = p.lang === 'vi'
  const name = (i: AskIndicator) => (vi ? i.name_vi : i.name_en)
  const understood = p.understood.map((u) => ({ ...u, meaning: meaningOf(u, p, ctx) }))
  if (p.view) return answerView(p, ctx, run, understood)
  if (!p.indicator) {
    const answer =
      p.ambiguous
        ? vi
          ? `Chưa hiểu câu hỏi: bạn hỏi ${p.candidates.map((c) => `"${name(c)}"`).join(' hay ')}?`
          : `Not understood: do you mean ${p.candidates.map((c) => `"${name(c)}"`).join(' or ')}?`
        : vi
          ? `Chưa hiểu câu hỏi: không thấy chỉ tiêu nào khớp${p.unknown.length ? ` với "${p.unknown.join(' ')}"` : ''}. Hãy nêu tên chỉ tiêu, ví dụ "doanh nghiệp thành lập mới tháng 10/2026".`
          : `Not understood: no indicator matches${p.unknown.length ? ` "${p.unknown.join(' ')}"` : ''}. Name an indicator, e.g. "new enterprises October 2026".`
    return { understood: false, answer, query: null, data: [], parts: understood, unknown: p.unknown, suggestions: p.candidates.map((c) => ({ code: c.code, name: name(c) })), value: null, labels: [] }
  }
  const ind = p.indicator
  const kind = KIND[ind.frequency] ?? 'month'
  const base = [{ member: 'kt_xh.indicator_code', operator: 'equals', values: [ind.code] }]
  const placeFilter = p.places.length > 0 ? [{ member: 'kt_xh.unit_code', operator: 'equals', values: p.places.map((x) => x.code) }] : []
  // The latest period with a figure, when none was asked for (or "kỳ gần nhất").
  let period: AskPeriod & { kind: 'span' } = p.period.kind === 'span' ? p.period : { kind: 'span', from: '', to: '', grain: kind, ytd: false }
  let codes: string[]
  if (p.period.kind === 'latest' || p.breakdown === 'month' || p.breakdown === 'quarter') {
    const recent = await run({
      measures: ['kt_xh.value'],
      dimensions: ['kt_xh.period'],
      filters: [...base, ...placeFilter, { member: 'kt_xh.period_kind', operator: 'equals', values: [kind] }],
      order: { 'kt_xh.period': 'desc' },
      limit: 24,
    })
    const latest = String(recent.find((r) => num(r['kt_xh.value']) !== null)?.['kt_xh.period'] ?? '')
    if (!latest) return noFigure(p, understood, null, vi, name(ind))
    if (p.period.kind === 'latest') {
      codes = [latest]
      period = { ...period, grain: kind }
    } else {
      // A breakdown by month or quarter: the asked year's, or the latest figure's year.
      const year = p.period.kind === 'span' ? p.period.from.slice(0, 4) : latest.slice(0, 4)
      codes = periodCodes({ from: `${year}-01`, to: `${year}-12` }, p.breakdown === 'quarter' && kind === 'month' ? 'month' : kind)
    }
  } else codes = periodCodes(period, kind)

  const measures = ['kt_xh.value', ...(p.compare === 'prior' ? ['kt_xh.prior_year', 'kt_xh.growth_pct'] : p.compare === 'plan' ? ['kt_xh.plan', 'kt_xh.plan_pct'] : [])]
  const filters = [...base, ...placeFilter, { member: 'kt_xh.period', operator: 'equals', values: codes }]
  let query: CubeQuery | Record<string, unknown>
  if (p.rank || p.breakdown === 'commune' || p.places.length > 1) {
    query = {
      measures,
      dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
      filters: [...filters, ...(p.places.length > 1 ? [] : [{ member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }])],
      order: { 'kt_xh.value': p.rank && !p.rank.descending ? 'asc' : 'desc' },
      ...(p.rank ? { limit: p.rank.limit } : {}),
    }
  } else if (p.breakdown === 'quarter' && kind === 'month') {
    // A monthly indicator by quarter: its months added up (or taken last, or recomputed) per quarter by its own rule.
    query = { measures, timeDimensions: [{ dimension: 'kt_xh.period_start', granularity: 'quarter' }], filters, order: { 'kt_xh.period_start': 'asc' } }
  } else if (p.breakdown === 'month' || p.breakdown === 'quarter') {
    query = { measures, dimensions: ['kt_xh.period'], filters, order: { 'kt_xh.period': 'asc' } }
  } else {
    query = { measures, filters }
  }
  const data = await run(query)
  const unit = unitText(ind.unit, p.lang)
  const fmt = (v: unknown) => {
    const n = num(v)
    return n === null ? '—' : n.toLocaleString(vi ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 })
  }
  const withUnit = (v: unknown) => (unit === '%' ? `${fmt(v)}%` : `${fmt(v)} ${unit}`.trim())
  const when = whenWords(p.period, codes, p.lang)
  const where = p.places.length === 1 ? p.places[0]!.name : vi ? 'toàn tỉnh' : 'the whole province'
  if (data.length === 0 || data.every((r) => num(r['kt_xh.value']) === null)) return { ...noFigure(p, understood, query, vi, name(ind), when), data }

  let answer: string
  if (query.dimensions && (query.dimensions as string[]).includes('kt_xh.unit_code')) {
    const list = data.filter((r) => num(r['kt_xh.value']) !== null).map((r) => `${String(r['kt_xh.admin_units_name'] ?? r['kt_xh.unit_code'])} (${withUnit(r['kt_xh.value'])})`)
    answer = p.rank
      ? vi
        ? `${p.rank.limit === 1 ? 'Xã, phường' : `${p.rank.limit} xã, phường`} có ${lowerFirst(name(ind))} ${p.rank.descending ? 'cao' : 'thấp'} nhất ${mid(when)}: ${list.join('; ')}.`
        : `${p.rank.limit === 1 ? 'The commune' : `The ${p.rank.limit} communes`} with the ${p.rank.descending ? 'highest' : 'lowest'} ${lowerFirst(name(ind))} in ${when}: ${list.join('; ')}.`
      : `${name(ind)} ${vi ? mid(when) : `in ${when}`}${vi ? ' theo xã, phường' : ' by commune'}: ${list.join('; ')}.`
  } else if (query.dimensions || query.timeDimensions) {
    const slot = (r: Row) => (r['kt_xh.period'] !== undefined ? periodWords(r['kt_xh.period'], p.lang) : timeSlotLabel(r['kt_xh.period_start.quarter'], 'quarter', p.lang))
    const list = data.filter((r) => num(r['kt_xh.value']) !== null).map((r) => `${slot(r)}: ${withUnit(r['kt_xh.value'])}`)
    answer = `${name(ind)} ${vi ? where : `(${where})`}: ${list.join('; ')}.`
  } else {
    const r = data[0]!
    let tail = ''
    if (p.compare === 'prior' && num(r['kt_xh.growth_pct']) !== null) {
      const g = num(r['kt_xh.growth_pct'])!
      tail = vi
        ? `, ${g >= 0 ? 'tăng' : 'giảm'} ${fmt(Math.abs(g))}% so với cùng kỳ năm trước (${withUnit(r['kt_xh.prior_year'])})`
        : `, ${g >= 0 ? 'up' : 'down'} ${fmt(Math.abs(g))}% on the same period last year (${withUnit(r['kt_xh.prior_year'])})`
    } else if (p.compare === 'prior') tail = vi ? ', chưa có số cùng kỳ năm trước để so' : ', no figure for the same period last year'
    if (p.compare === 'plan' && num(r['kt_xh.plan_pct']) !== null) tail = vi ? `, đạt ${fmt(r['kt_xh.plan_pct'])}% kế hoạch (${withUnit(r['kt_xh.plan'])})` : `, ${fmt(r['kt_xh.plan_pct'])}% of plan (${withUnit(r['kt_xh.plan'])})`
    else if (p.compare === 'plan') tail = vi ? ', chưa có kế hoạch để so' : ', no plan to compare with'
    answer = vi ? `${name(ind)} ${where}, ${mid(when)}: ${withUnit(r['kt_xh.value'])}${tail}.` : `${name(ind)}, ${where}, ${when}: ${withUnit(r['kt_xh.value'])}${tail}.`
  }
  // Each row's name, as the chart shows it: a commune, a month, a quarter.
  const rowName = (r: Row) =>
    r['kt_xh.admin_units_name'] !== undefined || r['kt_xh.unit_code'] !== undefined
      ? String(r['kt_xh.admin_units_name'] ?? r['kt_xh.unit_code'])
      : r['kt_xh.period'] !== undefined
        ? periodWords(r['kt_xh.period'], p.lang)
        : timeSlotLabel(r['kt_xh.period_start.quarter'], 'quarter', p.lang)
  const labels = query.dimensions || query.timeDimensions ? data.map(rowName) : []
  return { understood: true, answer, query: query as Record<string, unknown>, data, parts: understood, unknown: p.unknown, suggestions: [], value: 'kt_xh.value', labels }
}

function noFigure(p: Parsed, parts: AskAnswer['parts'], query: Record<string, unknown> | null, vi: boolean, name: string, when = ''): AskAnswer {
  return {
    understood: true,
    answer: vi ? `Chưa có số liệu ${lowerFirst(name)}${when ? ` ${mid(when)}` : ''}${p.places.length ? ` ở ${p.places.map((x) => x.name).join(', ')}` : ''}.` : `No figure yet for ${lowerFirst(name)}${when ? ` in ${when}` : ''}${p.places.length ? ` in ${p.places.map((x) => x.name).join(', ')}` : ''}.`,
    query,
    data: [],
    parts,
    unknown: p.unknown,
    suggestions: [],
    value: 'kt_xh.value',
    labels: [],
  }
}

/** What a part of the question was taken to mean, in the asker's language. */
function meaningOf(u: { part: string; value: string }, p: Parsed, ctx: AskContext): string {
  const vi = p.lang === 'vi'
  switch (u.part) {
    case 'indicator': {
      const i = ctx.indicators.find((x) => x.code === u.value)
      return i ? (vi ? i.name_vi : i.name_en) : u.value
    }
    case 'place':
      return u.value === ctx.province.code ? (vi ? 'Toàn tỉnh' : 'Whole province') : (ctx.communes.find((c) => c.code === u.value)?.name ?? u.value)
    case 'period':
      if (u.value === 'latest') return vi ? 'Kỳ gần nhất có số liệu' : 'The latest period with a figure'
      return u.value.includes('..') ? `${periodWords(u.value.split('..')[0], p.lang)} – ${periodWords(u.value.split('..')[1], p.lang)}` : periodWords(u.value, p.lang)
    case 'compare':
      return u.value === 'prior' ? (vi ? 'So với cùng kỳ năm trước' : 'Compared with the same period last year') : vi ? 'So với kế hoạch' : 'Compared with the plan'
    case 'rank':
      if (u.value.startsWith('limit ')) return vi ? `${u.value.slice(6)} xã, phường` : `${u.value.slice(6)} communes`
      return u.value === 'desc' ? (vi ? 'Cao nhất trước' : 'Highest first') : u.value === 'asc' ? (vi ? 'Thấp nhất trước' : 'Lowest first') : vi ? 'Theo xã, phường' : 'By commune'
    case 'dataset': {
      const v = ctx.views.find((x) => x.name === u.value)
      return v ? (vi ? v.title.vi : v.title.en) : u.value
    }
    case 'measure': {
      const m = ctx.views.flatMap((x) => x.measures).find((x) => x.member === u.value)
      return m ? (vi ? m.vi : m.en) : u.value
    }
    case 'value': {
      const [member, value] = u.value.split('=') as [string, string]
      const x = ctx.views.flatMap((v) => v.values).find((v) => v.member === member && v.value === value)
      return x ? (vi ? x.vi : x.en) : value
    }
    case 'breakdown': {
      const g = ctx.views.flatMap((x) => x.groups).find((x) => x.member === u.value)
      if (g) return vi ? `Theo ${lowerFirst(g.vi)}` : `By ${lowerFirst(g.en)}`
      return { commune: vi ? 'Theo xã, phường' : 'By commune', month: vi ? 'Theo tháng' : 'By month', quarter: vi ? 'Theo quý' : 'By quarter' }[u.value] ?? u.value
    }
    default:
      return u.value
  }
}
