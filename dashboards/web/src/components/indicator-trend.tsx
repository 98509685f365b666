import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { loadRows, n } from '../api.ts'
import { indicatorName } from '../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from './async.tsx'
import { useLang } from '../i18n.ts'

/** This year against last year, by month or quarter, for one indicator (the IOC overview, the explorer's guided start). */
export function Trend({ code, ind, year }: { code: string; ind: IndicatorAnswer | undefined; year: number }) {
  const { t, fmt, lang } = useLang()
  const data = useAsync(async () => {
    const rows = await loadRows({
      measures: ['kt_xh.value'],
      dimensions: ['kt_xh.period', 'kt_xh.year'],
      filters: [
        { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
        { member: 'kt_xh.year', operator: 'equals', values: [String(year - 1), String(year)] },
      ],
      order: [['kt_xh.period', 'asc']],
    })
    const slots = new Map<string, Record<string, number | string | null>>()
    for (const r of rows) {
      const period = String(r['kt_xh.period'])
      const slot = period.length > 4 ? period.slice(5) : lang === 'vi' ? 'năm' : 'year'
      const s = slots.get(slot) ?? { slot }
      s[String(r['kt_xh.year'])] = n(r['kt_xh.value'])
      slots.set(slot, s)
    }
    return [...slots.values()]
  }, [code, year, lang])
  return (
    <section className="panel" aria-label={t('trend')}>
      <h2>
        {t('trend')}: {indicatorName(ind, lang, code)} ({ind?.unit})
      </h2>
      <Show value={data} empty={(d) => d.length === 0}>
        {(rows) => (
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="slot" />
              <YAxis tickFormatter={(v) => fmt.number(v, 0)} width={80} />
              <Tooltip formatter={(v) => fmt.number(v)} />
              <Legend verticalAlign="top" height={28} />
              <Line type="monotone" dataKey={String(year)} name={`${t('thisYear')} ${year}`} stroke="#a51c1c" strokeWidth={2} connectNulls isAnimationActive={false} />
              <Line type="monotone" dataKey={String(year - 1)} name={`${t('lastYear')} ${year - 1}`} stroke="#6b7c8f" strokeDasharray="5 3" connectNulls isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Show>
    </section>
  )
}
