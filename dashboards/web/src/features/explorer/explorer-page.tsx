import type { Query } from '@cubejs-client/core'
import { useEffect, useMemo, useRef, useState } from 'react'
import { api, cubeApi, cubeError, download, type Row } from '../../api.ts'
import { ErrorBox, Loading, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { navigate } from '../../router.tsx'
import { EMPTY, OPERATORS, fromUrl, inLanguage, toQuery, type Operator, type Question, type View } from './question.ts'
import { GRANULARITIES, GRANULARITY_WORDS, OPERATOR_WORDS, timeSlotLabel } from '../../../../../infra/contracts/question-words.ts'
import { runQuestion, type Result } from './run-question.ts'
import { OpenDataForm } from './components/open-data-form.tsx'
import { ResultChart } from './components/result-chart.tsx'
import { GuidedStart } from './components/guided-start.tsx'
import { DateInput } from '../../components/date-input.tsx'

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

  const views = meta.state === 'ready' ? inLanguage(meta.data.cubes, lang) : []
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

  // Named after the question: its saved name, else what it measures by what.
  const questionTitle = () => {
    if (name.trim()) return name.trim()
    const titleOf = (m: string) => [...(view?.measures ?? []), ...(view?.dimensions ?? [])].find((x) => x.name === m)?.shortTitle ?? m
    const by = [...q.dimensions.map(titleOf), ...(q.time?.granularity ? [GRANULARITY_WORDS[q.time.granularity as keyof typeof GRANULARITY_WORDS]?.[lang === 'vi' ? 0 : 1] ?? ''] : [])].filter(Boolean)
    return `${q.measures.map(titleOf).join(', ')}${by.length ? ` ${lang === 'vi' ? 'theo' : 'by'} ${by.join(', ').toLowerCase()}` : ''}`
  }
  const exportAs = (format: 'csv' | 'xlsx') =>
    download('/api/export', `kho-trich-xuat.${format}`, { query: toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null }), format, title: questionTitle(), lang }).catch((err: Error) =>
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
                  <select value={f.operator} onChange={(e) => setQ({ ...q, filters: q.filters.map((x, j) => (j === i ? { ...x, operator: e.target.value as Operator } : x)) })} aria-label={lang === 'vi' ? 'Phép so sánh' : 'Comparison'}>
                    {OPERATORS.map((o) => (
                      <option key={o} value={o}>
                        {OPERATOR_WORDS[o]![lang === 'vi' ? 0 : 1]}
                      </option>
                    ))}
                  </select>
                  <input
                    value={f.values.join(', ')}
                    placeholder={lang === 'vi' ? 'giá trị, cách nhau bởi dấu phẩy' : 'values, separated by commas'}
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
                {lang === 'vi' ? 'Số dòng tối đa' : 'Row limit'}
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
            <OpenDataForm query={toQuery({ ...q, time: q.time ? { ...q.time, compare: false } : null })} />
            <ResultChart result={result.data} measures={q.measures} />
            <DataTable<Row>
              testId="result-table"
              rows={result.data.rows}
              columns={result.data.columns.map((c) => ({
                key: c.key,
                header: c.title,
                numeric: c.numeric,
                value: (r: Row) => r[c.key],
                ...(c.key === result.data.timeKey ? { cell: (r: Row) => timeSlotLabel(r[c.key], q.time?.granularity, lang) } : {}),
              }))}
            />
          </div>
        )}
        {result.state === 'idle' && (
          <>
            <GuidedStart />
            <p className="muted">{lang === 'vi' ? 'Hoặc tự dựng truy vấn: chọn khung nhìn, chỉ số đo và chiều phân tích ở bên trái rồi chạy.' : 'Or build a query yourself: choose a view, measures and dimensions on the left, then run it.'}</p>
          </>
        )}
      </section>
    </div>
  )
}
