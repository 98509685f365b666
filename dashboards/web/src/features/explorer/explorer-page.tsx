import { useEffect, useMemo, useRef, useState } from 'react'
import { api, cubeApi, cubeError, download, type Row } from '../../api.ts'
import { ErrorBox, Loading, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { navigate } from '../../router.tsx'
import { DIMENSION_GROUPS, EMPTY, OPERATORS, dimensionGroup, drilled, fromCubeQuery, fromUrl, inLanguage, pivotOf, toQuery, type Operator, type Question, type View } from './question.ts'
import { AskBox } from '../ask/ask-box.tsx'
import { QuestionBar } from './components/question-bar.tsx'
import { PivotTable } from './components/pivot-table.tsx'
import { ValuePicker } from './components/value-picker.tsx'
import { communeList, indicatorMap, indicatorName } from '../../catalog-data.ts'
import { GRANULARITIES, GRANULARITY_WORDS, OPERATOR_WORDS, timeSlotLabel, UNIT_LEVEL_WORDS } from '../../../../../infra/contracts/question-words.ts'
import { runQuestion, type Result } from './run-question.ts'
import { OpenDataForm } from './components/open-data-form.tsx'
import { chartKind, ResultChart } from './components/result-chart.tsx'
import { GuidedStart } from './components/guided-start.tsx'
import { SavedQuestions } from './components/saved-questions.tsx'
import { PinnedBoard } from './components/pinned-board.tsx'
import type { SavedQuestion } from '../../../../../infra/contracts/saved-question.ts'
import { DateInput } from '../../components/date-input.tsx'
import { TraceLink, TracePanel } from '../../components/trace-panel.tsx'


export default function Explorer() {
  const { t, fmt, lang } = useLang()
  const meta = useAsync(async () => (await cubeApi().meta()).meta as unknown as { cubes: View[] }, [])
  const saved = useAsync(() => api<SavedQuestion[]>('/api/saved-queries'), [])
  const indicators = useAsync(async () => indicatorMap(), [])
  const [q, setQ] = useState<Question>(fromUrl)
  const [result, setResult] = useState<{ state: 'idle' } | { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: Result }>({ state: 'idle' })
  // The title of the saved question on screen, if it is one: what its export is named after.
  const [title, setTitle] = useState('')
  // The number whose source is shown (a table cell, a pivot cell): its query, its row and its measure.
  const [tracing, setTracing] = useState<{ query: Record<string, unknown>; row: Record<string, unknown>; member: string } | null>(null)
  const [savedList, setSavedList] = useState<SavedQuestion[] | null>(null)

  const views = meta.state === 'ready' ? inLanguage(meta.data.cubes, lang) : []
  const view = views.find((v) => v.name === q.view) ?? null
  const timeMembers = useMemo(() => view?.dimensions.filter((d) => d.type === 'time') ?? [], [view])
  const plainDimensions = useMemo(() => view?.dimensions.filter((d) => d.type !== 'time' && !d.name.endsWith('.row_key')) ?? [], [view])

  const names = indicators.state === 'ready' ? indicators.data : null
  const communes = useAsync(async () => new Map((await communeList()).map((c) => [c.code, c.name])), [])
  /** A value as a person reads it: a time slot in words, an indicator by its name. */
  const label = (member: string, value: unknown): string => {
    if (q.time?.granularity && member === `${q.time.dimension}.${q.time.granularity}`) return timeSlotLabel(value, q.time.granularity, lang)
    if (member.endsWith('.indicator_code')) return indicatorName(names?.get(String(value)), lang, String(value ?? ''))
    if (member.endsWith('.period')) return fmt.period(value)
    // A commune by its name, never its code (a unit code that is no commune, the province's, as it is).
    if (/\.(unit_code|commune_code|ma_xa)$/.test(member) && communes.state === 'ready' && communes.data.has(String(value))) return communes.data.get(String(value))!
    // A dataset's coded value by its name ("ho_can_ngheo" is "Hộ cận nghèo").
    const named = view?.dimensions.find((d) => d.name === member)?.meta?.values?.find((v) => v.value === String(value))
    if (named) return lang === 'en' ? (named.label_en ?? named.label) : named.label
    if (member.endsWith('.unit_level')) return UNIT_LEVEL_WORDS[String(value)]?.[lang === 'vi' ? 0 : 1] ?? String(value ?? '')
    return value === null || value === undefined ? '—' : String(value)
  }
  const titleOf = (member: string): string => {
    const found = [...(view?.measures ?? []), ...(view?.dimensions ?? [])].find((x) => x.name === member)
    if (found) return found.shortTitle
    const grain = member.slice(member.lastIndexOf('.') + 1) as keyof typeof GRANULARITY_WORDS
    return GRANULARITY_WORDS[grain]?.[lang === 'vi' ? 0 : 1] ?? member
  }
  const change = (next: Question) => {
    if (next.view !== q.view || JSON.stringify(next.measures) !== JSON.stringify(q.measures)) setTitle('')
    setQ(next)
    void run(next)
  }
  const pivot = pivotOf(q)
  // A chart of one category (time or a dimension) against the measures; anything wider is read as a table.
  // Charts for what they fit: one big number, one grouping (a line, bars, the commune map) or two (stacked).
  const showChart = (data: Result) => q.display === 'chart' && chartKind(data, q.measures) !== null

  const toggle = (list: 'measures' | 'dimensions', name: string) =>
    setQ((old) => ({ ...old, [list]: old[list].includes(name) ? old[list].filter((x) => x !== name) : [...old[list], name] }))

  const run = async (question = q) => {
    const asked = views.find((v) => v.name === question.view)
    if (!asked || question.measures.length + question.dimensions.length === 0) return
    navigate(`/explorer?q=${encodeURIComponent(JSON.stringify(question))}`, true)
    setResult({ state: 'loading' })
    try {
      setResult({ state: 'ready', data: await runQuestion(question, asked, t('yearBefore')) })
    } catch (err) {
      setResult({ state: 'error', error: cubeError(err) })
    }
  }

  // Named after the question: its saved name, else what it measures by what.
  const questionTitle = () => {
    if (title) return title
    const by = [...q.dimensions.map(titleOf), ...(q.time?.granularity ? [titleOf(`${q.time.dimension}.${q.time.granularity}`)] : [])].filter(Boolean)
    const indicator = q.filters.find((f) => f.member.endsWith('.indicator_code') && f.operator === 'equals' && f.values.length === 1)
    const what = indicator ? label(indicator.member, indicator.values[0]) : q.measures.map(titleOf).join(', ')
    return `${what}${by.length ? ` ${lang === 'vi' ? 'theo' : 'by'} ${by.join(', ').toLowerCase()}` : ''}`
  }
  const exportAs = (format: 'csv' | 'xlsx') =>
    download('/api/export', `kho-trich-xuat.${format}`, { query: toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null }), format, title: questionTitle(), lang, ...(q.display === 'pivot' && pivot ? { pivot } : {}) }).catch((err: Error) =>
      setResult({ state: 'error', error: err }),
    )

  const list = savedList ?? (saved.state === 'ready' ? saved.data : [])
  /** A saved question opened: its question on screen, run, named after its title. */
  const open = (s: SavedQuestion) => {
    const next = { ...EMPTY, ...(s.ui as Partial<Question>) }
    change(next)
    setTitle(s.name)
  }

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
              {DIMENSION_GROUPS.map((g) => {
                const members = plainDimensions.filter((d) => dimensionGroup(d.name) === g)
                return members.length === 0 ? null : (
                  <div key={g} className="member-group" data-group={g}>
                    <span className="member-group-title">{t(`group.${g}`)}</span>
                    {members.map((d) => (
                      <label key={d.name}>
                        <input type="checkbox" checked={q.dimensions.includes(d.name)} onChange={() => toggle('dimensions', d.name)} data-member={d.name} /> {d.shortTitle}
                      </label>
                    ))}
                  </div>
                )
              })}
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
                          {GRANULARITY_WORDS[g][lang === 'vi' ? 0 : 1]}
                        </option>
                      ))}
                    </select>
                  )}
                </div>
                {q.time && (
                  <div className="form-row">
                    <label>
                      {t('from')}
                      <DateInput value={q.time.from} onChange={(v) => setQ({ ...q, time: { ...q.time!, from: v } })} />
                    </label>
                    <label>
                      {t('to')}
                      <DateInput value={q.time.to} onChange={(v) => setQ({ ...q, time: { ...q.time!, to: v } })} />
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
            <fieldset className="filters">
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
                  <select value={f.operator} onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, operator: e.target.value as Operator } : x)) })} aria-label={lang === 'vi' ? 'Phép so sánh' : 'Comparison'}>
                    {OPERATORS.map((o) => (
                      <option key={o} value={o}>
                        {OPERATOR_WORDS[o]![lang === 'vi' ? 0 : 1]}
                      </option>
                    ))}
                  </select>
                  {view.dimensions.some((d) => d.name === f.member && d.type === 'string') && (f.operator === 'equals' || f.operator === 'notEquals') ? (
                    <ValuePicker member={f.member} values={f.values} label={(v) => label(f.member, v)} onChange={(values) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, values } : x)) })} />
                  ) : (
                    <input
                      value={f.values.join(', ')}
                      type={view.measures.some((m) => m.name === f.member) && f.values.length <= 1 ? 'number' : 'text'}
                      placeholder={lang === 'vi' ? 'giá trị, cách nhau bởi dấu phẩy' : 'values, separated by commas'}
                      aria-label={t('value')}
                      onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, values: e.target.value.split(',').map((v) => v.trim()) } : x)) })}
                    />
                  )}
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
                {lang === 'vi' ? 'Sắp xếp theo' : 'Sort by'}
                <select value={q.order?.member ?? ''} onChange={(e) => setQ({ ...q, order: e.target.value ? { member: e.target.value, desc: q.order?.desc ?? true } : undefined })} data-testid="order-member">
                  <option value="">{lang === 'vi' ? 'Mặc định' : 'Default'}</option>
                  {[...q.measures, ...q.dimensions].map((m) => (
                    <option key={m} value={m}>
                      {titleOf(m)}
                    </option>
                  ))}
                </select>
              </label>
              {q.order && (
                <label>
                  {lang === 'vi' ? 'Chiều' : 'Direction'}
                  <select value={q.order.desc ? 'desc' : 'asc'} onChange={(e) => setQ({ ...q, order: { ...q.order!, desc: e.target.value === 'desc' } })}>
                    <option value="desc">{lang === 'vi' ? 'Lớn đến nhỏ' : 'Largest first'}</option>
                    <option value="asc">{lang === 'vi' ? 'Nhỏ đến lớn' : 'Smallest first'}</option>
                  </select>
                </label>
              )}
              <label>
                {lang === 'vi' ? 'Số dòng tối đa' : 'Row limit'}
                <input type="number" min={1} max={100000} value={q.limit} onChange={(e) => setQ({ ...q, limit: Math.min(100_000, Math.max(1, Number(e.target.value) || 1)) })} />
              </label>
              <button type="button" className="primary" onClick={() => void run()} disabled={q.measures.length + q.dimensions.length === 0} data-testid="run-query">
                {t('run')}
              </button>
            </div>
          </>
        )}
        <SavedQuestions list={list} onList={setSavedList} onOpen={open} current={() => ({ query: toQuery(q) as Record<string, unknown>, ui: q as unknown as Record<string, unknown> })} canSave={!!view} />
      </aside>
      <section aria-live="polite">
        <AskBox testId="ask" onOpen={(query) => change(fromCubeQuery(query as Parameters<typeof fromCubeQuery>[0]))} />
        <QuestionBar q={q} view={view} indicators={names ? [...names.values()] : []} onChange={change} canPivot={!!pivot} />
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
            <OpenDataForm query={toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null })} />
            {q.display === 'pivot' && pivot ? (
              <PivotTable
                rows={result.data.rows}
                query={toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null })}
                pivot={pivot}
                label={label}
                title={titleOf}
                onDrill={(member, value) => change(drilled(q, member, value))}
                onTrace={(row) => setTracing({ query: toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null }) as Record<string, unknown>, row, member: q.measures[0]! })}
              />
            ) : (
              <>
                {showChart(result.data) && (
                  <ResultChart
                    result={result.data}
                    measures={q.measures}
                    label={label}
                    onDrill={(member, value) => change(drilled(q, member, value))}
                    onTrace={q.time?.compare ? undefined : (row, member) => setTracing({ query: toQuery(q) as Record<string, unknown>, row, member })}
                  />
                )}
                <details open={!showChart(result.data)}>
                  <summary>{lang === 'vi' ? 'Xem dạng bảng' : 'See as a table'}</summary>
                  <DataTable<Row>
                    testId="result-table"
                    rows={result.data.rows}
                    columns={result.data.columns.map((c) => ({
                      key: c.key,
                      header: c.title,
                      numeric: c.numeric,
                      value: (r: Row) => r[c.key],
                      ...(c.numeric
                        ? q.measures.includes(c.key) && !(q.time?.compare)
                          ? {
                              cell: (r: Row) => (
                                <>
                                  {fmt.number(r[c.key])}
                                  {r[c.key] !== null && <TraceLink onClick={() => setTracing({ query: toQuery(q) as Record<string, unknown>, row: r, member: c.key })} testId="trace-cell" />}
                                </>
                              ),
                            }
                          : {}
                        : { cell: (r: Row) => label(c.key, r[c.key]) }),
                    }))}
                  />
                </details>
              </>
            )}
            {tracing && <TracePanel ask={tracing} onClose={() => setTracing(null)} />}
          </div>
        )}
        {result.state === 'idle' && (
          <>
            <PinnedBoard list={list.filter((s) => s.pinned)} views={views} onOpen={open} />
            <GuidedStart />
            <p className="muted">{lang === 'vi' ? 'Hoặc tự dựng truy vấn: chọn khung nhìn, chỉ số đo và chiều phân tích ở bên trái rồi chạy.' : 'Or build a query yourself: choose a view, measures and dimensions on the left, then run it.'}</p>
          </>
        )}
      </section>
    </div>
  )
}
