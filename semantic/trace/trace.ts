import { z } from 'zod'
import type { Catalog, CatalogDataset } from '../../infra/catalog/load-catalog.ts'
import type { ValueName } from '../../infra/catalog/value-names.ts'
import type { DeliveryRecord } from '../../infra/contracts/delivery.ts'
import type { TraceAnswer, TraceAsk, TraceDelivery, TraceModel, TraceRow, TraceVersion } from '../../infra/contracts/trace.ts'
import { mayReadPersonal } from '../../infra/access/caller.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { numberSql } from '../../infra/warehouse/parse-sql.ts'
import { rawTable } from '../../infra/warehouse/raw-rows.ts'
import { quoteIdent, sqlString } from '../../infra/warehouse/sql.ts'
import type { Project } from '../../transforms/project/project.ts'
import { generatedModelName } from '../../transforms/project/dataset-models.ts'
import { runQuery, type QueryContext } from '../api/cube-api.ts'
import type { MemberMeta } from '../cube/compile-model.ts'
import { isCalendarDate, QueryError, validateQuery, type CubeQuery } from '../cube/cube-query.ts'
import { bucketDays, type Unit } from '../cube/date-range.ts'
import { vietnamDayAndTime } from '../../infra/time/periods.ts'
import { membersLimit, type SecurityContext } from '../policy/view-policy.ts'

/**
 * "Số liệu này từ đâu?": a number of a /load answer traced to the deliveries and the file rows it
 * came from. Every step is a Cube query run as the caller (runQuery: the same policy, grants,
 * personal members and purpose, officer scoping as /load), narrowed to the row's own values and
 * split by the views' provenance members (`<view>.load_id`, `<view>.source_row`, carried by the
 * marts: no raw table is scanned for it). kho's own records say the rest: meta.loads (who, when,
 * which file, its hash, its versions), meta.runs (each model's last build), and — for a number one
 * row or a few give — the raw rows of the same key in earlier deliveries (history).
 */

export interface TraceDeps {
  cube: QueryContext & { names: ValueName }
  project: Project
  catalog: Catalog
}

/** The deliveries a trace lists, the sample of rows it shows of each, and the rows a history follows. */
const MOST_DELIVERIES = 50
const SAMPLE_DELIVERIES = 5
const SAMPLE_ROWS = 20
const HISTORY_ROWS = 3

export const traceAsk = z.strictObject({
  query: z.record(z.string(), z.unknown()),
  row: z.record(z.string(), z.union([z.string().max(400), z.number(), z.boolean(), z.null()])).default({}),
  member: z.string().max(200).optional(),
  lang: z.enum(['vi', 'en']).optional(),
})

type Filter = CubeQuery['filters'][number]
type MemberFilter = Extract<Filter, { member: string }>

const metaOf = (m: MemberMeta | undefined) => ((m as { meta?: Record<string, unknown> } | undefined)?.meta ?? {}) as { title_en?: string; personal?: boolean; provenance?: boolean; source_column?: string }
const titleOf = (m: MemberMeta | undefined, name: string) => ({ vi: m?.shortTitle || m?.title || name, en: metaOf(m).title_en ?? m?.shortTitle ?? m?.title ?? name })

/** The query's filters with the row's own values: each dimension equal to its value, each time bucket its days. */
function narrowed(q: CubeQuery, row: Record<string, unknown>): Pick<CubeQuery, 'filters' | 'timeDimensions' | 'segments'> & { timezone?: string } {
  const filters: Filter[] = [...q.filters]
  for (const d of q.dimensions) {
    if (!(d in row)) continue
    const v = row[d]
    if (v !== null && pinned(q.filters, d) === String(v)) continue
    filters.push(v === null ? { member: d, operator: 'notSet' } : { member: d, operator: 'equals', values: [String(v)] })
  }
  const timeDimensions = q.timeDimensions.map((t) => {
    const at = t.granularity ? (row[`${t.dimension}.${t.granularity}`] ?? row[t.dimension]) : undefined
    if (typeof at !== 'string') return { dimension: t.dimension, ...(t.dateRange ? { dateRange: t.dateRange } : {}) }
    if (!isCalendarDate(at.slice(0, 10))) {
      throw new QueryError(`Dòng "${t.dimension}": "${at.slice(0, 40)}" không phải một ngày`, `The row's "${t.dimension}": "${at.slice(0, 40)}" is not a date`)
    }
    return { dimension: t.dimension, dateRange: bucketDays(at, t.granularity as Unit) }
  })
  return { filters, timeDimensions, segments: q.segments, ...(q.timezone ? { timezone: q.timezone } : {}) }
}

/** The single value a filter pins a member to, if one does. */
function pinned(filters: Filter[], member: string): string | null {
  for (const f of filters) {
    const m = f as MemberFilter
    if (m.member === member && m.operator === 'equals' && m.values?.length === 1) return m.values[0]!
  }
  return null
}

const utc = (s: string) => (s ? `${s.replace(' ', 'T')}Z` : s)

export async function traceNumber(deps: TraceDeps, ask: TraceAsk, sec: SecurityContext, depth = 0): Promise<TraceAnswer> {
  const { model } = deps.cube
  const q = validateQuery(model, ask.query)
  const member = ask.member ?? q.measures[0]
  if (!member || !q.measures.includes(member)) {
    throw new QueryError('Chọn một số đo của truy vấn để truy nguồn', 'Name one of the query’s measures to trace')
  }
  const view = member.split('.')[0]!
  const viewMeta = model.meta.find((v) => v.name === view)
  const base = narrowed(q, ask.row)
  const ask1 = (extra: Partial<CubeQuery> & Record<string, unknown>) => runQuery(deps.cube, validateQuery(model, { ...base, measures: [member], ...extra }), sec)

  const loadMember = model.members.has(`${view}.load_id`) ? `${view}.load_id` : null
  const rowMember = model.members.has(`${view}.source_row`) ? `${view}.source_row` : null
  const count = viewMeta?.measures.find((m) => (m as { aggType?: string }).aggType === 'count')?.name ?? null
  const counted = count && count !== member ? [count] : []

  // Steps that need nothing of each other start together: the engine overlaps what it can, and
  // Node compiles one query while the engine answers another (one after the other, a tile's trace
  // took 130-230 ms; issue 40 asks 200).
  const models = modelsOf(deps, view)
  const formula = depth === 0 ? formulaOf(deps, view, base, member, sec, ask.lang) : Promise.resolve(null)
  for (const p of [models, formula]) p.catch(() => undefined)
  // What each delivery gives of the number, the largest first.
  const byDelivery = loadMember ? (await ask1({ measures: [member, ...counted], dimensions: [loadMember], order: { [member]: 'desc' }, limit: MOST_DELIVERIES })).data : []
  // One delivery's share is the whole number; otherwise the number itself is asked.
  const whole = byDelivery.length === 1 ? Promise.resolve(byDelivery[0]![member] ?? null) : ask1({}).then((r) => r.data[0]?.[member] ?? null)

  // The rows, found as the caller may read them (the view's policy: an officer's scope, a grant),
  // then shown as their agency delivered them: the file's own columns, read from raw by their load
  // and row (its key). Personal columns only with a grant and a purpose; a grant that names members,
  // its columns only.
  const limit = membersLimit(view, sec, deps.cube.sharing)
  const narrowing = [...new Set([...q.dimensions, ...base.filters.flatMap((f) => ('member' in f ? [f.member] : []))])].filter((m) => model.members.get(m)?.kind === 'dimension' && !metaOf(model.members.get(m)?.meta).personal)
  const rowsQuery = loadMember && rowMember ? { ...base, measures: [member], dimensions: [loadMember, rowMember, ...narrowing], order: [[loadMember, 'asc'], [rowMember, 'asc']] } : null
  const ids = loadMember ? byDelivery.map((d) => String(d[loadMember])) : []
  const sampleOf = async (id: string) => {
    const rows = await runQuery(deps.cube, validateQuery(model, { ...base, measures: [member], dimensions: [loadMember, rowMember], filters: [...base.filters, { member: loadMember, operator: 'equals', values: [id] }], order: [[rowMember, 'asc']], limit: SAMPLE_ROWS }), sec)
    return rows.data.map((r) => ({ row: Number(r[rowMember!]), value: r[member] ?? null }))
  }
  const [value, records, sampled] = await Promise.all([whole, loadRecords(deps, ids), rowsQuery ? Promise.all(ids.slice(0, SAMPLE_DELIVERIES).map(sampleOf)) : []])
  const dataset = rowsQuery ? deps.catalog.dataset(records.loads[0]?.dataset ?? '') : undefined
  const allowed = (dataset?.columns ?? []).filter((c) => !limit || limit.includes(`${view}.${c.id}`))
  const withheld = allowed.filter((c) => c.personal && !mayReadPersonal(sec))
  const columns = allowed.filter((c) => !withheld.includes(c))
  const cells = dataset ? await deliveredCells(deps, dataset, columns, sampled.flatMap((rows, i) => rows.map((r) => ({ load: ids[i]!, row: r.row })))) : new Map()
  const samples = new Map(sampled.map((rows, i) => [ids[i]!, rows.map((r) => ({ ...r, cells: cells.get(`${ids[i]}|${r.row}`) ?? {} }))]))
  const deliveries = describeDeliveries(deps, records, byDelivery, loadMember, member, count, samples, rowsQuery !== null)
  const title = titleOf(model.members.get(member)?.meta, member)
  const history = depth === 0 ? await historyOf(deps, deliveries, model.members.get(member)?.meta, columns) : []
  return {
    member,
    title,
    value,
    sentence: sentenceOf(deliveries, title, loadMember !== null),
    models: await models,
    deliveries,
    columns: columns.map((c) => ({ id: c.id, vi: c.label, en: c.label_en ?? c.label })),
    withheld: withheld.map((c) => ({ vi: c.label, en: c.label_en ?? c.label })),
    rows_query: rowsQuery,
    formula: await formula,
    history,
  }
}

/** A delivery's record, with its file's hash. */
export type LoadRow = DeliveryRecord & { sha256: string }

/** The delivered rows' own cells, as the agency wrote them, read from raw by load and row (its sort key). */
async function deliveredCells(deps: TraceDeps, dataset: CatalogDataset, columns: CatalogDataset['columns'], rows: { load: string; row: number }[]): Promise<Map<string, Record<string, string>>> {
  if (rows.length === 0 || columns.length === 0) return new Map()
  const found = await queryRows<Record<string, string> & { _load_id: string; _row: number }>(
    deps.cube.wh.client,
    `SELECT _load_id, _row, ${columns.map((c) => quoteIdent(c.id)).join(', ')} FROM ${rawTable(dataset)}
     WHERE (_load_id, _row) IN (${rows.map((r) => `(${sqlString(r.load)}, ${Number(r.row)})`).join(', ')})`,
  )
  return new Map(found.map((r) => [`${r._load_id}|${r._row}`, Object.fromEntries(columns.map((c) => [c.id, String(r[c.id] ?? '')]))]))
}

interface LoadRecords {
  loads: LoadRow[]
  /** Each (dataset, agency)'s committed deliveries, oldest first. */
  committed: { dataset: string; agency: string; ids: string[] }[]
}

/** meta.loads' word on deliveries: who, when, which file, its hash (briefings' sources sheet reads it too). */
export async function deliveryRecords(wh: Warehouse, ids: string[]): Promise<LoadRow[]> {
  if (ids.length === 0) return []
  // Values quoted into the statement (ids kho made, each quoted): chDB runs statements with bound
  // parameters one at a time, this one beside the Cube queries.
  return queryRows<LoadRow>(
    wh.client,
    `SELECT load_id, dataset, agency, channel, delivered_by, source, sha256, toString(delivered_at) AS delivered_at FROM meta.loads FINAL WHERE load_id IN (${ids.map(sqlString).join(', ')})`,
  )
}

/** The deliveries' records and the agency's other deliveries of the dataset. */
async function loadRecords(deps: TraceDeps, ids: string[]): Promise<LoadRecords> {
  if (ids.length === 0) return { loads: [], committed: [] }
  const { wh } = deps.cube
  const loads = await deliveryRecords(wh, ids)
  const pairs = [...new Set(loads.map((l) => `${l.dataset}|${l.agency}`))]
  const committed = pairs.length
    ? await queryRows<{ dataset: string; agency: string; ids: string[] }>(
        wh.client,
        `SELECT dataset, agency, arrayMap(t -> t.2, arraySort(groupArray((delivered_at, load_id)))) AS ids FROM meta.loads FINAL
         WHERE status = 'committed' AND (dataset, agency) IN (${pairs.map((p) => `(${p.split('|').map(sqlString).join(', ')})`).join(', ')}) GROUP BY dataset, agency`,
      )
    : []
  return { loads, committed }
}

/** Each delivery as the trace tells it: meta.loads' record, its place among the agency's, what it gives of the number, its rows. */
function describeDeliveries(
  deps: TraceDeps,
  { loads, committed }: LoadRecords,
  byDelivery: Record<string, unknown>[],
  loadMember: string | null,
  member: string,
  count: string | null,
  samples: Map<string, TraceRow[]>,
  keepsRows: boolean,
): TraceDelivery[] {
  if (!loadMember) return []
  const byId = new Map(loads.map((l) => [l.load_id, l]))
  return byDelivery.flatMap((d) => {
    const id = String(d[loadMember])
    const l = byId.get(id)
    if (!l) return []
    const order = committed.find((c) => c.dataset === l.dataset && c.agency === l.agency)?.ids ?? [id]
    const version = order.indexOf(id) + 1
    const entry = deps.catalog.dataset(l.dataset)
    return [
      {
        load_id: id,
        dataset: l.dataset,
        dataset_name: entry?.name ?? l.dataset,
        dataset_name_en: entry?.name_en ?? entry?.name ?? l.dataset,
        agency: l.agency,
        agency_name: deps.catalog.agency(l.agency)?.name ?? l.agency,
        source: l.source,
        channel: l.channel,
        delivered_at: utc(l.delivered_at),
        delivered_by: l.delivered_by || null,
        sha256: l.sha256,
        version,
        versions: order.length,
        latest: version === order.length,
        value: d[member] ?? null,
        row_count: count ? Number(d[count] ?? 0) : null,
        rows: keepsRows ? (samples.get(id) ?? []) : null,
      },
    ]
  })
}

/** The marts the view reads and every model and dataset upstream of them, each with its last build. */
async function modelsOf(deps: TraceDeps, view: string): Promise<TraceModel[]> {
  const { project } = deps
  const tables = deps.cube.model.lineage.find((l) => l.view === view)?.tables ?? []
  const start = tables.map((t) => t.replaceAll('`', '').split('.').pop()!).filter((n) => project.models.has(n))
  // A view generated from a catalogue entry reads its dataset's generated std model.
  if (start.length === 0 && project.models.has(generatedModelName(view))) start.push(generatedModelName(view))
  const seen: string[] = []
  const sources = new Set<string>()
  const walk = (name: string) => {
    if (seen.includes(name)) return
    seen.push(name)
    const m = project.models.get(name)!
    for (const s of m.sources) sources.add(s)
    for (const r of m.refs) if (project.models.has(r)) walk(r)
  }
  for (const n of start) walk(n)
  const runs = seen.length
    ? await queryRows<{ model: string; status: string; rows: number; at: string }>(
        deps.cube.wh.client,
        `SELECT model, argMax(status, started_at) AS status, argMax(rows, started_at) AS rows, toString(max(started_at)) AS at FROM meta.runs WHERE model IN (${seen.map(sqlString).join(', ')}) GROUP BY model`,
      )
    : []
  return [
    ...seen.map((name) => {
      const m = project.models.get(name)!
      const run = runs.find((r) => r.model === name)
      return { name, description: m.description, layer: m.database === 'marts' ? ('mart' as const) : ('std' as const), lastBuild: run ? { status: run.status, at: utc(run.at), rows: Number(run.rows) } : null }
    }),
    ...[...sources].map((s) => ({ name: `raw.${s}`, description: deps.catalog.dataset(s)?.name ?? s, layer: 'raw' as const, lastBuild: null })),
  ]
}

/**
 * A ratio the warehouse computes (numerator / denominator × multiplier + offset, recomputed at every
 * level): its formula, and each operand's own trace over the same narrowing.
 */
async function formulaOf(deps: TraceDeps, view: string, base: ReturnType<typeof narrowed>, member: string, sec: SecurityContext, lang: TraceAsk['lang']): Promise<TraceAnswer['formula']> {
  const codeMember = `${view}.indicator_code`
  const code = pinned(base.filters, codeMember)
  const indicator = code ? deps.catalog.indicator(code) : undefined
  if (!indicator || indicator.aggregation !== 'ratio' || !indicator.numerator || !indicator.denominator) return null
  const scale = indicator.multiplier !== 1 ? ` × ${indicator.multiplier.toLocaleString('vi-VN')}` : ''
  const shift = indicator.offset ? ` ${indicator.offset < 0 ? '−' : '+'} ${Math.abs(indicator.offset).toLocaleString('vi-VN')}` : ''
  // An operand is an indicator or one of the set's components (reported only to compute ratios).
  const name = (c: string, lang: 'vi' | 'en') => {
    const component = deps.catalog.components.find((x) => x.code === c)
    return deps.cube.names(codeMember, c, lang) ?? (component && (lang === 'en' ? component.name_en : component.name_vi)) ?? c
  }
  const inputs = await Promise.all(
    [indicator.numerator, indicator.denominator].map(async (operand) => {
      // The same narrowing with the indicator replaced by its operand.
      const filters = base.filters.map((f) => ((f as MemberFilter).member === codeMember ? { member: codeMember, operator: 'equals' as const, values: [operand] } : f))
      const trace = await traceNumber(deps, { query: { ...base, filters, measures: [member] }, row: {}, ...(lang ? { lang } : {}) }, sec, 1)
      return { code: operand, name: name(operand, lang ?? 'vi'), trace }
    }),
  )
  return {
    vi: `${name(code!, 'vi')} = ${name(indicator.numerator, 'vi')} / ${name(indicator.denominator, 'vi')}${scale}${shift}`,
    en: `${name(code!, 'en')} = ${name(indicator.numerator, 'en')} / ${name(indicator.denominator, 'en')}${scale.replace(/\./g, ',')}${shift}`,
    inputs,
  }
}

/**
 * When one row or a few give the number: each delivered version of those rows (the same natural
 * key in the agency's committed deliveries of the dataset), oldest first, with what changed. Raw
 * rows are read by key within the dataset's own loads; personal columns only for those who may read them.
 */
async function historyOf(deps: TraceDeps, deliveries: TraceDelivery[], measure: MemberMeta | undefined, shown: CatalogDataset['columns']): Promise<TraceVersion[]> {
  const rows = deliveries.flatMap((d) => (d.rows ?? []).map((r) => ({ d, row: r.row })))
  const counted = deliveries.reduce((n, d) => n + (d.row_count ?? d.rows?.length ?? 0), 0)
  if (rows.length === 0 || rows.length > HISTORY_ROWS || counted > HISTORY_ROWS) return []
  const { wh } = deps.cube
  const out: TraceVersion[] = []
  for (const { d, row } of rows) {
    const dataset = deps.catalog.dataset(d.dataset)
    if (!dataset || dataset.natural_key.length === 0) continue
    const table = rawTable(dataset)
    // The columns the rows show (a grant's, not personal ones without a grant and a purpose), and of
    // them the one the measure is read from.
    const sourceColumn = metaOf(measure).source_column
    const column = sourceColumn ? shown.find((c) => c.id === sourceColumn) : undefined
    const keys = dataset.natural_key.map((k) => `trimBoth(${quoteIdent(k)})`).join(', ')
    const theirs = `SELECT load_id, delivered_at FROM meta.loads FINAL WHERE dataset = ${sqlString(dataset.id)} AND agency = ${sqlString(d.agency)} AND status = 'committed'`
    // One statement: the row's key, then every accepted row with that key in the agency's committed
    // deliveries (raw is ordered by load, so only those loads' parts are read).
    const versions = await queryRows<Record<string, string> & { _load_id: string; _row: number; _source: string; delivered_at: string; _value: number | null }>(
      wh.client,
      `SELECT r._load_id AS _load_id, r._row AS _row, r._source AS _source, toString(l.delivered_at) AS delivered_at,
         ${column ? numberSql(`r.${quoteIdent(column.id)}`) : 'NULL'} AS _value
         ${shown.length ? `, ${shown.map((c) => `r.${quoteIdent(c.id)} AS ${quoteIdent(c.id)}`).join(', ')}` : ''}
       FROM ${table} AS r
       INNER JOIN (${theirs}) AS l ON l.load_id = r._load_id
       WHERE r._load_id IN (SELECT load_id FROM (${theirs})) AND empty(r._problems)
         AND (${keys}) IN (SELECT ${keys} FROM ${table} WHERE _load_id = ${sqlString(d.load_id)} AND _row = ${Number(row)})
       ORDER BY l.delivered_at, r._row`,
    )
    versions.forEach((v, i) => {
      const before = versions[i - 1]
      const value = v._value === null || v._value === undefined ? null : Number(v._value)
      const prior = before && before._value !== null && before._value !== undefined ? Number(before._value) : null
      out.push({
        load_id: v._load_id,
        source: v._source,
        agency: d.agency,
        delivered_at: utc(v.delivered_at),
        row: Number(v._row),
        value,
        change: value !== null && prior !== null ? value - prior : null,
        changed: shown.filter((c) => !before || before[c.id] !== v[c.id]).map((c) => c.id),
        current: i === versions.length - 1,
      })
    })
  }
  return out
}

/** One sentence for people: who delivered it, when, which file and row — or how many deliveries gave it. */
function sentenceOf(deliveries: TraceDelivery[], title: { vi: string; en: string }, delivered: boolean): TraceAnswer['sentence'] {
  if (deliveries.length === 0 && delivered) {
    return {
      vi: `${title.vi}: không có dòng dữ liệu nào được nộp cho số liệu này trong phạm vi bạn được xem`,
      en: `${title.en}: no delivered row gives this number within what you may read`,
    }
  }
  if (deliveries.length === 0) {
    return {
      vi: `${title.vi}: kho tự tính từ dữ liệu của kho (không trực tiếp từ một lần nộp)`,
      en: `${title.en}: computed by kho from its own records (not from one delivery)`,
    }
  }
  const [d] = deliveries
  if (deliveries.length === 1) {
    const row = d!.rows?.length === 1 ? d!.rows[0]!.row : null
    return {
      vi: `${d!.agency_name} nộp lúc ${vietnamDayAndTime(new Date(d!.delivered_at))}, tệp ${d!.source}${row ? `, dòng ${row}` : ''} (lần nộp thứ ${d!.version}/${d!.versions} của bộ dữ liệu ${d!.dataset_name})`,
      en: `Delivered by ${d!.agency_name} at ${vietnamDayAndTime(new Date(d!.delivered_at))}, file ${d!.source}${row ? `, row ${row}` : ''} (delivery ${d!.version} of ${d!.versions} of ${d!.dataset_name})`,
    }
  }
  const agencies = [...new Set(deliveries.map((x) => x.agency_name))]
  const latest = deliveries.reduce((a, b) => (a.delivered_at > b.delivered_at ? a : b))
  return {
    vi: `Từ ${deliveries.length.toLocaleString('vi-VN')} lần nộp của ${agencies.join(', ')}; mới nhất lúc ${vietnamDayAndTime(new Date(latest.delivered_at))}, tệp ${latest.source}`,
    en: `From ${deliveries.length.toLocaleString('en')} deliveries by ${agencies.join(', ')}; the latest at ${vietnamDayAndTime(new Date(latest.delivered_at))}, file ${latest.source}`,
  }
}
