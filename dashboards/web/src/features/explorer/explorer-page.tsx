import type { Filter, Query, TimeDimensionGranularity } from '@cubejs-client/core'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api, cubeApi, cubeError, download, type Row } from '../../api.ts'
import { ErrorBox, Loading, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { navigate } from '../../router.tsx'

interface Member {
  name: string
  title: string
  shortTitle: string
  type: string
}
interface View {
  name: string
  title: string
  measures: Member[]
  dimensions: Member[]
}

const OPERATORS = ['equals', 'notEquals', 'contains', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet'] as const
type Operator = (typeof OPERATORS)[number]

/** Everything a question is made of; it lives in the URL (?q=…) so a link shares it. */
interface Question {
  view: string
  measures: string[]
  dimensions: string[]
  time: { dimension: string; granularity: string; from: string; to: string; compare: boolean } | null
  filters: { member: string; operator: Operator; values: string[] }[]
  limit: number
}

const EMPTY: Question = { view: '', measures: [], dimensions: [], time: null, filters: [], limit: 10_000 }
const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year']

function fromUrl(): Question {
  const raw = new URLSearchParams(location.search).get('q')
  if (!raw) return EMPTY
  try {
    return { ...EMPTY, ...(JSON.parse(raw) as Partial<Question>) }
  } catch {
    return EMPTY
  }
}

const shiftYear = (d: string, by: number) => (d ? `${Number(d.slice(0, 4)) + by}${d.slice(4)}` : d)

/** The Cube query for a question (compare = the same range a year earlier, side by side). */
export function toQuery(q: Question): Query {
  const timeDimensions = q.time?.dimension
    ? [
        {
          dimension: q.time.dimension,
          ...(q.time.granularity ? { granularity: q.time.granularity as TimeDimensionGranularity } : {}),
          ...(q.time.from && q.time.to
            ? q.time.compare
              ? { compareDateRange: [[q.time.from, q.time.to], [shiftYear(q.time.from, -1), shiftYear(q.time.to, -1)]] as [string, string][] }
              : { dateRange: [q.time.from, q.time.to] as [string, string] }
            : {}),
        },
      ]
    : []
  return {
    measures: q.measures,
    dimensions: q.dimensions,
    timeDimensions,
    filters: q.filters
      .filter((f) => f.member && (f.operator === 'set' || f.operator === 'notSet' || f.values.some((v) => v !== '')))
      .map((f): Filter => (f.operator === 'set' || f.operator === 'notSet' ? { member: f.member, operator: f.operator } : { member: f.member, operator: f.operator, values: f.values })),
    limit: q.limit,
  }
}

interface Result {
  rows: Row[]
  columns: { key: string; title: string; numeric: boolean }[]
  timeKey: string | null
}

async function runQuestion(q: Question, view: View, priorLabel: string): Promise<Result> {
  const query = toQuery(q)
  const rs = await cubeApi().load(query)
  const titles = new Map([...view.measures, ...view.dimensions].map((m) => [m.name, m]))
  const timeKey = q.time?.dimension && q.time.granularity ? `${q.time.dimension}.${q.time.granularity}` : null
  const compare = Boolean(q.time?.compare && q.time.from && q.time.to)
  let rows: Row[]
  if (compare) {
    // Two result sets (this range, the year before): one row per time slot, measures side by side.
    const sets = rs.decompose()
    const byIndex = sets.map((s) => s.rawData() as Row[])
    rows = byIndex[0]!.map((r, i) => {
      const out: Row = { ...r }
      for (const m of q.measures) out[`${m}__prior`] = byIndex[1]?.[i]?.[m] ?? null
      return out
    })
  } else rows = rs.rawData() as Row[]
  const columns = [
    ...(timeKey ? [{ key: timeKey, title: titles.get(q.time!.dimension)?.shortTitle ?? timeKey, numeric: false }] : []),
    ...q.dimensions.map((d) => ({ key: d, title: titles.get(d)?.shortTitle ?? d, numeric: titles.get(d)?.type === 'number' })),
    ...q.measures.flatMap((m) => [
      { key: m, title: titles.get(m)?.shortTitle ?? m, numeric: true },
      ...(compare ? [{ key: `${m}__prior`, title: `${titles.get(m)?.shortTitle ?? m} (${priorLabel})`, numeric: true }] : []),
    ]),
  ]
  return { rows, columns, timeKey }
}

/** A chart that fits the result: a line over time, bars for one category, nothing for wide tables. */
function ResultChart({ result, measures }: { result: Result; measures: string[] }) {
  const { fmt } = useLang()
  const colours = ['#a51c1c', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1']
  const series = result.columns.filter((c) => c.numeric && (measures.includes(c.key) || c.key.endsWith('__prior'))).slice(0, 5)
  if (series.length === 0 || result.rows.length === 0) return null
  const category = result.timeKey ?? result.columns.find((c) => !c.numeric)?.key
  if (!category) return null
  const data = result.rows.slice(0, 400).map((r) => ({ ...r, [category]: result.timeKey ? String(r[category] ?? '').slice(0, 10) : r[category] }))
  if (result.timeKey && result.columns.filter((c) => !c.numeric).length === 1) {
    return (
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={category} />
          <YAxis tickFormatter={(v) => fmt.number(v, 0)} width={80} />
          <Tooltip formatter={(v) => fmt.number(v)} />
          <Legend verticalAlign="top" height={28} />
          {series.map((s, i) => (
            <Line key={s.key} dataKey={s.key} name={s.title} stroke={colours[i]} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    )
  }
  if (result.rows.length <= 60 && result.columns.filter((c) => !c.numeric).length === 1) {
    return (
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={category} interval={0} angle={-30} textAnchor="end" height={70} />
          <YAxis tickFormatter={(v) => fmt.number(v, 0)} width={80} />
          <Tooltip formatter={(v) => fmt.number(v)} />
          <Legend verticalAlign="top" height={28} />
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.title} fill={colours[i]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    )
  }
  return null
}

interface Saved {
  name: string
  query: Query
  ui: Partial<Question>
}

export default function Explorer() {
  const { t, fmt, lang } = useLang()
  const meta = useAsync(async () => (await cubeApi().meta()).meta as unknown as { cubes: View[] }, [])
  const saved = useAsync(() => api<Saved[]>('/api/saved-queries'), [])
  const [q, setQ] = useState<Question>(fromUrl)
  const [result, setResult] = useState<{ state: 'idle' } | { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: Result }>({ state: 'idle' })
  const [name, setName] = useState('')
  const [savedList, setSavedList] = useState<Saved[] | null>(null)

  const views = meta.state === 'ready' ? meta.data.cubes : []
  const view = views.find((v) => v.name === q.view) ?? null
  const timeMembers = useMemo(() => view?.dimensions.filter((d) => d.type === 'time') ?? [], [view])
  const plainDimensions = useMemo(() => view?.dimensions.filter((d) => d.type !== 'time' && !d.name.endsWith('.row_key')) ?? [], [view])

  const toggle = (list: 'measures' | 'dimensions', name: string) =>
    setQ((old) => ({ ...old, [list]: old[list].includes(name) ? old[list].filter((x) => x !== name) : [...old[list], name] }))

  const run = async (question = q) => {
    if (!view) return
    navigate(`/explorer?q=${encodeURIComponent(JSON.stringify(question))}`, true)
    setResult({ state: 'loading' })
    try {
      setResult({ state: 'ready', data: await runQuestion(question, view, t('yearBefore')) })
    } catch (err) {
      setResult({ state: 'error', error: cubeError(err) })
    }
  }

  const exportAs = (format: 'csv' | 'xlsx') =>
    download('/api/export', `kho-trich-xuat.${format}`, { query: toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null }), format }).catch((err: Error) =>
      setResult({ state: 'error', error: err }),
    )

  const list = savedList ?? (saved.state === 'ready' ? saved.data : [])
  const save = async () => {
    if (!name.trim()) return
    setSavedList(await api<Saved[]>('/api/saved-queries', { body: { name: name.trim(), query: toQuery(q), ui: q } }))
    setName('')
  }
  const remove = async (n: string) => setSavedList(await api<Saved[]>(`/api/saved-queries/${encodeURIComponent(n)}`, { method: 'DELETE' }))

  // A shared link (?q=…) runs its question as soon as the views are known.
  const ranFromUrl = useRef(false)
  useEffect(() => {
    if (ranFromUrl.current || !view || q.measures.length + q.dimensions.length === 0) return
    ranFromUrl.current = true
    void run()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view])

  if (meta.state !== 'ready') return <Show value={meta}>{() => null}</Show>
  return (
    <div className="explorer">
      <aside aria-label={t('explorer')}>
        <label>
          {t('view')}{' '}
          <select value={q.view} onChange={(e) => setQ({ ...EMPTY, view: e.target.value })} data-testid="view-picker">
            <option value="">—</option>
            {views.map((v) => (
              <option key={v.name} value={v.name}>
                {v.title}
              </option>
            ))}
          </select>
        </label>
        {view && (
          <>
            <fieldset>
              <legend>{t('measures')}</legend>
              {view.measures.map((m) => (
                <label key={m.name}>
                  <input type="checkbox" checked={q.measures.includes(m.name)} onChange={() => toggle('measures', m.name)} data-member={m.name} /> {m.shortTitle}
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>{t('dimensions')}</legend>
              {plainDimensions.map((d) => (
                <label key={d.name}>
                  <input type="checkbox" checked={q.dimensions.includes(d.name)} onChange={() => toggle('dimensions', d.name)} data-member={d.name} /> {d.shortTitle}
                </label>
              ))}
            </fieldset>
            {timeMembers.length > 0 && (
              <fieldset>
                <legend>{t('timeDimension')}</legend>
                <div className="form-row">
                  <select
                    value={q.time?.dimension ?? ''}
                    onChange={(e) => setQ({ ...q, time: e.target.value ? { dimension: e.target.value, granularity: q.time?.granularity ?? 'month', from: q.time?.from ?? '', to: q.time?.to ?? '', compare: q.time?.compare ?? false } : null })}
                    aria-label={t('timeDimension')}
                  >
                    <option value="">—</option>
                    {timeMembers.map((d) => (
                      <option key={d.name} value={d.name}>
                        {d.shortTitle}
                      </option>
                    ))}
                  </select>
                  {q.time && (
                    <select value={q.time.granularity} onChange={(e) => setQ({ ...q, time: { ...q.time!, granularity: e.target.value } })} aria-label={t('granularity')}>
                      <option value="">—</option>
                      {GRANULARITIES.map((g) => (
                        <option key={g} value={g}>
                          {g}
                        </option>
                      ))}
                    </select>
                  )}
                </div>
                {q.time && (
                  <div className="form-row">
                    <label>
                      {t('from')}
                      <input type="date" value={q.time.from} onChange={(e) => setQ({ ...q, time: { ...q.time!, from: e.target.value } })} />
                    </label>
                    <label>
                      {t('to')}
                      <input type="date" value={q.time.to} onChange={(e) => setQ({ ...q, time: { ...q.time!, to: e.target.value } })} />
                    </label>
                    <label>
                      <span>
                        <input type="checkbox" checked={q.time.compare} onChange={(e) => setQ({ ...q, time: { ...q.time!, compare: e.target.checked } })} /> {t('compare')}
                      </span>
                    </label>
                  </div>
                )}
              </fieldset>
            )}
            <fieldset>
              <legend>{t('filters')}</legend>
              {q.filters.map((f, i) => (
                <div className="form-row" key={i}>
                  <select value={f.member} onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, member: e.target.value } : x)) })} aria-label={t('filters')}>
                    <option value="">—</option>
                    {[...plainDimensions, ...view.measures].map((d) => (
                      <option key={d.name} value={d.name}>
                        {d.shortTitle}
                      </option>
                    ))}
                  </select>
                  <select value={f.operator} onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, operator: e.target.value as Operator } : x)) })} aria-label="operator">
                    {OPERATORS.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                  <input
                    value={f.values.join(', ')}
                    placeholder="a, b"
                    aria-label={t('value')}
                    onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, values: e.target.value.split(',').map((v) => v.trim()) } : x)) })}
                  />
                  <button type="button" onClick={() => setQ({ ...q, filters: q.filters.filter((_, j) => j !== i) })} aria-label={t('delete')}>
                    ×
                  </button>
                </div>
              ))}
              <button type="button" onClick={() => setQ({ ...q, filters: [...q.filters, { member: '', operator: 'equals', values: [] }] })}>
                {t('addFilter')}
              </button>
            </fieldset>
            <div className="form-row">
              <label>
                Limit
                <input type="number" min={1} max={100000} value={q.limit} onChange={(e) => setQ({ ...q, limit: Math.min(100_000, Math.max(1, Number(e.target.value) || 1)) })} />
              </label>
              <button type="button" className="primary" onClick={() => void run()} disabled={q.measures.length + q.dimensions.length === 0} data-testid="run-query">
                {t('run')}
              </button>
            </div>
          </>
        )}
        <fieldset>
          <legend>{t('savedQueries')}</legend>
          {list.map((s) => (
            <div key={s.name} className="form-row">
              <button
                type="button"
                className="linkish"
                onClick={() => {
                  const next = { ...EMPTY, ...s.ui }
                  setQ(next)
                  const v = views.find((x) => x.name === next.view)
                  if (v) void runQuestion(next, v, t('yearBefore')).then((data) => setResult({ state: 'ready', data }), (err) => setResult({ state: 'error', error: cubeError(err) }))
                }}
              >
                {s.name}
              </button>
              <button type="button" onClick={() => void remove(s.name)} aria-label={`${t('delete')} ${s.name}`}>
                ×
              </button>
            </div>
          ))}
          <div className="form-row">
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('queryName')} aria-label={t('queryName')} />
            <button type="button" onClick={() => void save()} disabled={!view || !name.trim()} data-testid="save-query">
              {t('save')}
            </button>
          </div>
        </fieldset>
      </aside>
      <section aria-live="polite">
        {result.state === 'loading' && <Loading />}
        {result.state === 'error' && <ErrorBox error={result.error} />}
        {result.state === 'ready' && (
          <div className="panel" data-testid="result" data-rows={result.data.rows.length}>
            <div className="form-row">
              <strong>
                {fmt.number(result.data.rows.length, 0)} {t('rows')}
              </strong>
              <button type="button" onClick={() => void exportAs('csv')}>
                {t('exportCsv')}
              </button>
              <button type="button" onClick={() => void exportAs('xlsx')} data-testid="export-xlsx">
                {t('exportXlsx')}
              </button>
              <button type="button" onClick={() => void navigator.clipboard?.writeText(location.href)}>
                {t('copyLink')}
              </button>
            </div>
            <ResultChart result={result.data} measures={q.measures} />
            <DataTable<Row>
              testId="result-table"
              rows={result.data.rows}
              columns={result.data.columns.map((c) => ({
                key: c.key,
                header: c.title,
                numeric: c.numeric,
                value: (r: Row) => r[c.key],
                ...(c.key === result.data.timeKey ? { cell: (r: Row) => fmt.date(String(r[c.key] ?? '').slice(0, 10)) } : {}),
              }))}
            />
          </div>
        )}
        {result.state === 'idle' && <p className="muted">{lang === 'vi' ? 'Chọn khung nhìn, chỉ số đo và chiều phân tích rồi chạy truy vấn.' : 'Choose a view, measures and dimensions, then run the query.'}</p>}
      </section>
    </div>
  )
}
