/**
 * A chart that fits the result's shape: one big number (with its comparison) when nothing is
 * grouped, a line over time, the commune map beside bars for communes, bars for one category,
 * stacked bars for two; nothing for wider tables (the table is always beside it).
 */
import { Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { n, type Row } from '../../../api.ts'
import { useState } from 'react'
import { TraceLink } from '../../../components/trace-panel.tsx'
import { communeList } from '../../../catalog-data.ts'
import { useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import type { Result } from '../run-question.ts'
import { CommuneMap } from '../../overview/components/commune-map.tsx'
import { colourScale } from '../../overview/commune-colours.ts'

/** A commune grouping: by code, or by name (what "Theo xã, phường" adds). */
const COMMUNE = /(^|\.)(unit_code|commune_code|ma_xa|admin_units_name)$/

/** Which chart the result's shape calls for (null: none fits; the table shows it). */
export function chartKind(result: Result, measures: string[]): 'number' | 'line' | 'map' | 'bars' | 'stacked' | null {
  const groups = result.columns.filter((c) => !c.numeric)
  if (result.rows.length === 0 || !result.columns.some((c) => c.numeric && measures.includes(c.key))) return null
  if (groups.length === 0) return 'number'
  if (groups.length === 2) return measures.length === 1 ? 'stacked' : null
  if (groups.length !== 1) return null
  if (result.timeKey) return 'line'
  if (COMMUNE.test(groups[0]!.key)) return 'map'
  return result.rows.length <= 60 ? 'bars' : null
}

/** Up to this many points, each shows its value (more would overlap). */
const LABELLED_POINTS = 24

/**
 * The result's one category (time slots in words, or a dimension's values by name) against its
 * measures; a point or a bar opens the question narrowed to it (`onDrill` with the raw value).
 */
export function ResultChart({ result, measures, label, onDrill, onTrace }: { result: Result; measures: string[]; label: (member: string, value: unknown) => string; onDrill: (member: string, value: string) => void; onTrace?: (row: Row, member: string) => void }) {
  const { fmt, t } = useLang()
  const communes = useAsync(communeList, [])
  // The point under the pointer (or last touched): its values, and where its number came from.
  const [point, setPoint] = useState<number | null>(null)
  const colours = ['#a51c1c', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1']
  const series = result.columns.filter((c) => c.numeric && (measures.includes(c.key) || c.key.endsWith('__prior'))).slice(0, 5)
  if (series.length === 0 || result.rows.length === 0) return null
  const kind = chartKind(result, measures)
  if (kind === 'number') return <BigNumber result={result} measures={measures} onTrace={onTrace} />
  if (kind === 'stacked') return <StackedBars result={result} measure={measures[0]!} label={label} onDrill={onDrill} />
  const category = result.timeKey ?? result.columns.find((c) => !c.numeric)?.key
  if (!category) return null
  const data = result.rows.slice(0, 400).map((r) => ({ ...r, __raw: String(r[category] ?? ''), [category]: label(category, r[category]) }))
  const labelled = data.length <= LABELLED_POINTS
  const drillAt = (state: { activeTooltipIndex?: number | string | null } | null) => {
    const row = state?.activeTooltipIndex !== undefined && state?.activeTooltipIndex !== null ? data[Number(state.activeTooltipIndex)] : undefined
    if (row?.__raw) onDrill(category, row.__raw)
  }
  const valueLabel = (v: unknown) => fmt.number(v, 1)
  const hover = (state: { activeTooltipIndex?: number | string | null } | null) => {
    if (state?.activeTooltipIndex !== undefined && state?.activeTooltipIndex !== null) setPoint(Number(state.activeTooltipIndex))
  }
  const traced = series.find((s) => measures.includes(s.key))
  const pointLine =
    onTrace && traced && point !== null && data[point] && result.rows[point] ? (
      <p className="chart-point" data-testid="chart-point">
        <strong>{String(data[point][category])}</strong>: {fmt.number(data[point][traced.key])}{' '}
        <button type="button" className="linkish" data-testid="trace-point" onClick={() => onTrace(result.rows[point]!, traced.key)}>
          {t('traceOpen')}
        </button>
      </p>
    ) : null
  if (kind === 'line') {
    return (
      <>
      <ResponsiveContainer width="100%" height={300}>
        <LineChart data={data} onClick={drillAt} onMouseMove={hover} margin={{ top: 16, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={category} />
          <YAxis tickFormatter={(v) => fmt.number(v, 1)} width={80} />
          <Tooltip formatter={(v) => fmt.number(v)} />
          <Legend verticalAlign="top" height={28} />
          {series.map((s, i) => (
            <Line key={s.key} dataKey={s.key} name={s.title} stroke={colours[i]} dot={labelled} isAnimationActive={false}>
              {labelled && <LabelList dataKey={s.key} position="top" formatter={valueLabel} fontSize={11} />}
            </Line>
          ))}
        </LineChart>
      </ResponsiveContainer>
      {pointLine}
      </>
    )
  }
  // Communes: where they are, beside the bars.
  if (kind === 'map') {
    // The map knows communes by code: a grouping by name is looked up in the province's list.
    const byName = new Map((communes.state === 'ready' ? communes.data : []).map((c) => [c.name, c.code]))
    const codeOf = (v: unknown) => (category.endsWith('admin_units_name') ? (byName.get(String(v ?? '')) ?? '') : String(v ?? ''))
    const values = new Map(result.rows.map((r) => [codeOf(r[category]), n(r[series[0]!.key])]))
    const scale = colourScale([...values.values()])
    return (
      <div className="grid-2" data-testid="result-map">
        <CommuneMap values={values} scale={scale} unit="" onCommune={(code, name) => onDrill(category, category.endsWith('admin_units_name') ? name : code)} />
        <ResponsiveContainer width="100%" height={360}>
          <BarChart data={[...data].sort((a, b) => (n(b[series[0]!.key]) ?? 0) - (n(a[series[0]!.key]) ?? 0)).slice(0, 15)} layout="vertical" margin={{ right: 56 }}>
            <XAxis type="number" hide />
            <YAxis type="category" dataKey={category} width={150} interval={0} />
            <Bar dataKey={series[0]!.key} name={series[0]!.title} fill={colours[0]} isAnimationActive={false}>
              <LabelList dataKey={series[0]!.key} position="right" formatter={valueLabel} fontSize={11} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    )
  }
  if (kind === 'bars') {
    return (
      <>
      <ResponsiveContainer width="100%" height={300}>
        <BarChart data={data} onClick={drillAt} onMouseMove={hover} margin={{ top: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={category} interval={0} angle={-30} textAnchor="end" height={70} />
          <YAxis tickFormatter={(v) => fmt.number(v, 1)} width={80} />
          <Tooltip formatter={(v) => fmt.number(v)} />
          <Legend verticalAlign="top" height={28} />
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.title} fill={colours[i]} isAnimationActive={false} cursor="pointer">
              {labelled && <LabelList dataKey={s.key} position="top" formatter={valueLabel} fontSize={11} />}
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
      {pointLine}
      </>
    )
  }
  return null
}

/** Nothing grouped: each measure as one big number, with the year before beside it when compared. */
function BigNumber({ result, measures, onTrace }: { result: Result; measures: string[]; onTrace?: (row: Row, member: string) => void }) {
  const { fmt, lang } = useLang()
  const row = result.rows[0]!
  return (
    <div className="big-numbers" data-testid="big-number">
      {result.columns
        .filter((c) => measures.includes(c.key))
        .map((c) => {
          const value = n(row[c.key])
          const prior = n(row[`${c.key}__prior`])
          const change = value !== null && prior ? ((value - prior) / Math.abs(prior)) * 100 : null
          return (
            <div key={c.key} className="big-number">
              <span className="big-number-title">{c.title}</span>
              <span className="big-number-value">
                {fmt.number(value)}
                {onTrace && value !== null && <TraceLink onClick={() => onTrace(row, c.key)} testId="trace-big-number" />}
              </span>
              {prior !== null && (
                <span className="big-number-compare">
                  {lang === 'vi' ? 'Cùng kỳ năm trước' : 'Same period last year'}: {fmt.number(prior)}
                  {change !== null && ` (${change >= 0 ? '+' : ''}${fmt.pct(change)})`}
                </span>
              )}
            </div>
          )
        })}
    </div>
  )
}

/** Two groupings and one measure: the first along the axis, the second stacked (up to eight, the rest summed as "Khác"). */
function StackedBars({ result, measure, label, onDrill }: { result: Result; measure: string; label: (member: string, value: unknown) => string; onDrill: (member: string, value: string) => void }) {
  const { fmt, lang } = useLang()
  const colours = ['#a51c1c', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1', '#c05621', '#319795', '#718096', '#a0aec0']
  const [axis, stack] = result.columns.filter((c) => !c.numeric) as [Result['columns'][number], Result['columns'][number]]
  const totals = new Map<string, number>()
  for (const r of result.rows) totals.set(String(r[stack.key] ?? ''), (totals.get(String(r[stack.key] ?? '')) ?? 0) + (n(r[measure]) ?? 0))
  const kept = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k]) => k)
  const other = lang === 'vi' ? 'Khác' : 'Other'
  const byAxis = new Map<string, Record<string, number | string>>()
  for (const r of result.rows) {
    const at = String(r[axis.key] ?? '')
    const row = byAxis.get(at) ?? { __raw: at, [axis.key]: label(axis.key, r[axis.key]) }
    const key = kept.includes(String(r[stack.key] ?? '')) ? String(r[stack.key] ?? '') : other
    row[key] = (Number(row[key]) || 0) + (n(r[measure]) ?? 0)
    byAxis.set(at, row)
  }
  const data = [...byAxis.values()].slice(0, 60)
  if (data.length === 0) return null
  const keys = [...kept, ...(totals.size > kept.length ? [other] : [])]
  return (
    <div data-testid="stacked-chart">
      <ResponsiveContainer width="100%" height={320}>
        <BarChart data={data} margin={{ top: 16 }} onClick={(s: { activeTooltipIndex?: number | string | null } | null) => {
          const row = s?.activeTooltipIndex !== undefined && s?.activeTooltipIndex !== null ? data[Number(s.activeTooltipIndex)] : undefined
          if (row?.__raw) onDrill(axis.key, String(row.__raw))
        }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={axis.key} interval={0} angle={data.length > 8 ? -30 : 0} textAnchor={data.length > 8 ? 'end' : 'middle'} height={data.length > 8 ? 70 : 30} />
          <YAxis tickFormatter={(v) => fmt.number(v, 1)} width={80} />
          <Tooltip formatter={(v) => fmt.number(v)} />
          <Legend verticalAlign="top" height={28} />
          {keys.map((k, i) => (
            <Bar key={k} dataKey={k} name={k === other ? other : label(stack.key, k)} stackId="stack" fill={colours[i % colours.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
