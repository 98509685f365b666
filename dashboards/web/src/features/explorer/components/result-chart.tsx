import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { useLang } from '../../../i18n.ts'
import type { Result } from '../run-question.ts'
import { timeSlotLabel } from '../../../../../../infra/contracts/question-words.ts'

export function ResultChart({ result, measures }: { result: Result; measures: string[] }) {
  const { fmt, lang } = useLang()
  const colours = ['#a51c1c', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1']
  const series = result.columns.filter((c) => c.numeric && (measures.includes(c.key) || c.key.endsWith('__prior'))).slice(0, 5)
  if (series.length === 0 || result.rows.length === 0) return null
  const category = result.timeKey ?? result.columns.find((c) => !c.numeric)?.key
  if (!category) return null
  const grain = result.timeKey?.slice(result.timeKey.lastIndexOf('.') + 1)
  const data = result.rows.slice(0, 400).map((r) => ({ ...r, [category]: result.timeKey ? timeSlotLabel(r[category], grain, lang) : r[category] }))
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
