import { cubeApi, type Row } from '../../api.ts'
import { toQuery, type Question, type View } from './question.ts'

export interface Result {
  rows: Row[]
  columns: { key: string; title: string; numeric: boolean }[]
  timeKey: string | null
}

export async function runQuestion(q: Question, view: View, priorLabel: string): Promise<Result> {
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
