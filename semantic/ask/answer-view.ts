import type { AskAnswer, AskPart } from '../../infra/contracts/ask.ts'
import { timeSlotLabel } from '../../infra/contracts/question-words.ts'
import type { AskContext, Parsed } from './parse-question.ts'
import { lowerFirst, mid, periodCodes, whenWords } from './answer-words.ts'

type Row = Record<string, unknown>
/** Runs one Cube query as the caller, exactly as /load does (policy, cache, audit by the route). */
export type RunQuery = (q: Record<string, unknown>) => Promise<Row[]>
type Filter = { member: string; operator: string; values: string[] }

/** How many rows a sentence names; the rest are in the data and the chart. */
const SAID = 10
/** How many people a list of personal fields shows (to those the policy lets see them). */
const LISTED = 100

const lastDay = (ym: string) => {
  const [y, m] = ym.split('-').map(Number) as [number, number]
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`
}

/**
 * A question about a view other than KT-XH (parse-question.ts read it as `p.view`): its count, sum
 * or average, filtered by the coded values, communes and period said, grouped as asked, run as the
 * caller through the same path as /load. Personal fields asked for are put in the query as asked,
 * so the policy refuses them exactly as it refuses them to /load.
 */
export async function answerView(p: Parsed, ctx: AskContext, run: RunQuery, parts: AskPart[]): Promise<AskAnswer> {
  const r = p.view!
  const v = r.view
  const vi = p.lang === 'vi'
  const m = r.measure.member
  const filters: Filter[] = []
  for (const column of [...new Set(r.values.map((x) => x.member))]) filters.push({ member: column, operator: 'equals', values: r.values.filter((x) => x.member === column).map((x) => x.value) })
  const notUnderstood = (vi2: string, en: string): AskAnswer => ({ understood: false, answer: vi ? `Chưa hiểu câu hỏi: ${vi2}` : `Not understood: ${en}`, query: null, data: [], parts, unknown: p.unknown, suggestions: [], value: null, labels: [] })
  const title = vi ? v.title.vi : v.title.en
  if (p.places.length > 0) {
    if (!v.commune) return notUnderstood(`${title} không ghi theo xã, phường.`, `${title} is not kept by commune.`)
    filters.push({ member: v.commune, operator: 'equals', values: p.places.map((x) => x.code) })
  }
  // The period: a year column's years, a date column's days; the latest year when none was said.
  let when = ''
  let timeDimensions: Record<string, unknown>[] = []
  if (p.period.kind === 'span') {
    const { from, to } = p.period
    if (v.year) {
      const years = Array.from({ length: Number(to.slice(0, 4)) - Number(from.slice(0, 4)) + 1 }, (_, i) => String(Number(from.slice(0, 4)) + i))
      filters.push({ member: v.year, operator: 'equals', values: years })
      when = vi ? `năm ${years.join(', ')}` : years.join(', ')
    } else if (v.time) {
      timeDimensions = [{ dimension: v.time, dateRange: [`${from}-01`, lastDay(to)] }]
      when = whenWords(p.period, periodCodes(p.period, 'month'), p.lang)
    } else return notUnderstood(`${title} không ghi theo thời gian; hãy hỏi không kèm kỳ.`, `${title} has no dates; ask without a period.`)
  } else if (v.year && r.personal.length === 0) {
    const [latest] = await run({ measures: [m], dimensions: [v.year], filters, order: { [v.year]: 'desc' }, limit: 1 })
    const year = latest?.[v.year]
    if (year !== undefined && year !== null) {
      filters.push({ member: v.year, operator: 'equals', values: [String(year)] })
      when = vi ? `năm ${year}` : String(year)
      parts.push({ part: 'period', text: '', value: String(year), meaning: vi ? `Năm gần nhất có số liệu (${year})` : `The latest year with figures (${year})` })
    }
  }

  // What is counted, in words: a coded value said ("hộ nghèo") names it better than the view does.
  const named = r.values.filter((x) => v.names.vi.some((n) => n.toLowerCase() === x.vi.toLowerCase()))
  const noun = named.length > 0 ? named.map((x) => (vi ? x.vi : x.en)).join(vi ? ' và ' : ' and ') : title
  const others = r.values.filter((x) => !named.includes(x)).map((x) => lowerFirst(vi ? x.vi : x.en))
  // "Tổng thiệt hại (triệu đồng)": the bracket is the unit, said after the number.
  const [, measureTitle, unit] = /^(.*?)(?:\s*\(([^)]*)\))?$/.exec(vi ? r.measure.vi : r.measure.en) as unknown as [string, string, string | undefined]
  // "Số trường học (công lập)", "Tổng số học sinh (trường học, tiểu học)", "Số doanh nghiệp".
  const [head, within] =
    r.measure.agg !== 'count'
      ? [measureTitle, [lowerFirst(noun), ...others]]
      : /^(Số bản ghi|Records)/.test(measureTitle)
        ? [vi ? `Số ${lowerFirst(noun)}` : `Number of ${lowerFirst(noun)}`, others]
        : [measureTitle, others]
  const subject = within.length > 0 ? `${head} (${within.join(', ')})` : head

  if (r.personal.length > 0) {
    // As asked: the policy keeps personal fields to grants with a purpose, and refuses the rest here.
    const query = { dimensions: [...r.personal.map((x) => x.member), ...(v.communeName ? [v.communeName] : [])], filters, ...(timeDimensions.length ? { timeDimensions } : {}), limit: LISTED }
    const data = await run(query)
    const answer = vi ? `${title}${p.places.length ? ` ở ${p.places.map((x) => x.name).join(', ')}` : ''}: ${data.length.toLocaleString('vi-VN')} dòng${data.length === LISTED ? ` đầu tiên` : ''}.` : `${title}${p.places.length ? `, ${p.places.map((x) => x.name).join(', ')}` : ''}: ${data.length.toLocaleString('en-GB')} ${data.length === LISTED ? 'first ' : ''}rows.`
    return { understood: true, answer, query, data, parts, unknown: p.unknown, suggestions: [], value: null, labels: [] }
  }

  const grain = p.breakdown === 'month' || p.breakdown === 'quarter' ? p.breakdown : null
  const byCommune = (p.rank !== null || p.breakdown === 'commune' || p.places.length > 1) && v.commune !== null
  let query: Record<string, unknown>
  let label: (row: Row) => string = () => ''
  const communeName = (row: Row) => String((v.communeName ? row[v.communeName] : null) ?? ctx.communes.find((c) => c.code === row[v.commune!])?.name ?? row[v.commune!] ?? '')
  if (byCommune) {
    query = { measures: [m], dimensions: [v.commune!, ...(v.communeName ? [v.communeName] : [])], filters, ...(timeDimensions.length ? { timeDimensions } : {}), order: { [m]: p.rank && !p.rank.descending ? 'asc' : 'desc' }, ...(p.rank ? { limit: p.rank.limit } : {}) }
    label = communeName
  } else if (grain && v.time) {
    const dimension = `${v.time}.${grain}`
    query = { measures: [m], timeDimensions: [{ dimension: v.time, granularity: grain, ...(timeDimensions[0] ? { dateRange: timeDimensions[0].dateRange } : {}) }], filters, order: { [v.time]: 'asc' } }
    label = (row) => timeSlotLabel(row[dimension], grain, p.lang)
  } else if (r.group) {
    const g = r.group.member
    query = { measures: [m], dimensions: [g], filters, ...(timeDimensions.length ? { timeDimensions } : {}), order: { [m]: 'desc' } }
    label = (row) => String(row[g] ?? '—')
  } else {
    query = { measures: [m], filters, ...(timeDimensions.length ? { timeDimensions } : {}) }
  }
  const data = await run(query)
  const fmt = (x: unknown) => (x === null || x === undefined ? '—' : `${Number(x).toLocaleString(vi ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ''}`)
  const where = p.places.length === 1 ? (vi ? ` ở ${p.places[0]!.name}` : `, ${p.places[0]!.name}`) : p.places.length === 0 ? (vi ? ' toàn tỉnh' : ', the whole province') : ''
  const at = when ? (vi ? `, ${mid(when)}` : `, ${when}`) : ''
  const labels = query.dimensions || query.timeDimensions && grain ? data.map(label) : []
  let answer: string
  if (data.every((row) => row[m] === null || row[m] === undefined)) {
    answer = vi ? `Chưa có số liệu: ${lowerFirst(subject)}${where}${at}.` : `No figures yet: ${lowerFirst(subject)}${where}${at}.`
  } else if (labels.length > 0 || (query.dimensions as string[] | undefined)?.length) {
    const list = data.slice(0, SAID).map((row, i) => `${labels[i]} (${fmt(row[m])})`)
    const more = data.length > SAID ? (vi ? `; và ${data.length - SAID} ${byCommune ? 'xã, phường' : 'nhóm'} khác` : `; and ${data.length - SAID} more`) : ''
    const many = r.measure.agg === 'avg' ? (p.rank?.descending ? (vi ? 'cao' : 'highest') : vi ? 'thấp' : 'lowest') : p.rank?.descending ? (vi ? 'nhiều' : 'most') : vi ? 'ít' : 'fewest'
    const by = byCommune ? (vi ? ' theo xã, phường' : ' by commune') : grain ? (vi ? (grain === 'month' ? ' theo tháng' : ' theo quý') : ` by ${grain}`) : r.group ? (vi ? ` theo ${lowerFirst(r.group.vi)}` : ` by ${lowerFirst(r.group.en)}`) : ''
    answer = p.rank
      ? vi
        ? `${p.rank.limit === 1 ? 'Xã, phường' : `${p.rank.limit} xã, phường`} có ${lowerFirst(subject)} ${many} nhất${at}: ${list.join('; ')}.`
        : `${p.rank.limit === 1 ? 'The commune' : `The ${p.rank.limit} communes`} with the ${many} ${lowerFirst(subject)}${at}: ${list.join('; ')}.`
      : `${subject}${by}${at}: ${list.length ? list.join('; ') : '—'}${more}.`
  } else {
    answer = `${subject}${where}${at}: ${fmt(data[0]?.[m])}.`
  }
  return { understood: true, answer, query, data, parts, unknown: p.unknown, suggestions: [], value: m, labels }
}
