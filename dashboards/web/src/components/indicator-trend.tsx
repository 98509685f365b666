import type { ReactNode } from 'react'
import { CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { loadRows, n } from '../api.ts'
import { indicatorName } from '../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../infra/contracts/catalog.ts'
import { slotInYear } from '../../../../infra/contracts/question-words.ts'
import { Show, useAsync } from './async.tsx'
import { useLang } from '../i18n.ts'

/**
 * This year against last year, by month or quarter, for one indicator (the IOC overview, the wall,
 * the explorer's guided start): this year's values written on its points, the slots in words
 * (T1…T12, Quý I…IV). `height` '100%' fills a box of fixed height (the wall's).
 */
export function Trend({ code, ind, year, unit, height = 260, className = 'panel', footer }: { code: string; ind: IndicatorAnswer | undefined; year: number; unit?: string; height?: number | '100%'; className?: string; footer?: ReactNode }) {
  const { t, fmt, lang } = useLang()
  const data = useAsync(async () => {
    const rows = await loadRows({
      measures: ['kt_xh.value'],
      dimensions: ['kt_xh.period', 'kt_xh.year'],
      filters: [
        { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
        { member: 'kt_xh.year', operator: 'equals', values: [String(year - 1), String(year)] },
        // One commune's own series (its profile); the province's otherwise.
        ...(unit ? [{ member: 'kt_xh.unit_code', operator: 'equals' as const, values: [unit] }] : []),
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
  }, [code, year, lang, unit])
  return (
    <section className={className} aria-label={t('trend')} data-testid="trend">
      <h2>
        {t('trend')}: {indicatorName(ind, lang, code)} ({fmt.unit(ind?.unit)})
      </h2>
      <Show value={data} empty={(d) => d.length === 0} say={t('emptyTrend')}>
        {(rows) => (
          <ResponsiveContainer width="100%" height={height}>
            <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="slot" tickFormatter={(s) => slotInYear(String(s), lang)} />
              <YAxis tickFormatter={(v) => fmt.number(v, 0)} width={80} />
              <Tooltip formatter={(v) => fmt.number(v)} labelFormatter={(s) => slotInYear(String(s), lang)} />
              <Legend verticalAlign="top" height={28} />
              <Line type="monotone" dataKey={String(year)} name={`${t('thisYear')} ${year}`} stroke="#a51c1c" strokeWidth={2} connectNulls isAnimationActive={false}>
                <LabelList dataKey={String(year)} position="top" formatter={(v: unknown) => fmt.number(v, 1)} className="point-value" />
              </Line>
              <Line type="monotone" dataKey={String(year - 1)} name={`${t('lastYear')} ${year - 1}`} stroke="#6b7c8f" strokeDasharray="5 3" connectNulls isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Show>
      {footer}
    </section>
  )
}
