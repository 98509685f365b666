/** A chart that fits the result: a line over time, bars for one category, nothing for wide tables. */
import { Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { useLang } from '../../../i18n.ts'
import type { Result } from '../run-question.ts'

/** Up to this many points, each shows its value (more would overlap). */
const LABELLED_POINTS = 24

/**
 * The result's one category (time slots in words, or a dimension's values by name) against its
 * measures; a point or a bar opens the question narrowed to it (`onDrill` with the raw value).
 */
export function ResultChart({ result, measures, label, onDrill }: { result: Result; measures: string[]; label: (member: string, value: unknown) => string; onDrill: (member: string, value: string) => void }) {
  const { fmt } = useLang()
  const colours = ['#a51c1c', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1']
  const series = result.columns.filter((c) => c.numeric && (measures.includes(c.key) || c.key.endsWith('__prior'))).slice(0, 5)
  if (series.length === 0 || result.rows.length === 0) return null
  const category = result.timeKey ?? result.columns.find((c) => !c.numeric)?.key
  if (!category) return null
  const data = result.rows.slice(0, 400).map((r) => ({ ...r, __raw: String(r[category] ?? ''), [category]: label(category, r[category]) }))
  const labelled = data.length <= LABELLED_POINTS
  const drillAt = (state: { activeTooltipIndex?: number | string | null } | null) => {
    const row = state?.activeTooltipIndex !== undefined && state?.activeTooltipIndex !== null ? data[Number(state.activeTooltipIndex)] : undefined
    if (row?.__raw) onDrill(category, row.__raw)
  }
  const valueLabel = (v: unknown) => fmt.number(v, 1)
  if (result.timeKey && result.columns.filter((c) => !c.numeric).length === 1) {
    return (
      <ResponsiveContainer width="100%" height={300}>
        <LineChart data={data} onClick={drillAt} margin={{ top: 16, right: 24 }}>
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
    )
  }
  if (result.rows.length <= 60 && result.columns.filter((c) => !c.numeric).length === 1) {
    return (
      <ResponsiveContainer width="100%" height={300}>
        <BarChart data={data} onClick={drillAt} margin={{ top: 16 }}>
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
    )
  }
  return null
}
