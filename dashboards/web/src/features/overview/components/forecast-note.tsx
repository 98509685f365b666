import { loadRows, n } from '../../../api.ts'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { forecastYearEnd, type YearEndForecast } from '../../../../../../infra/contracts/year-end-forecast.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'

const PAST_YEARS = 3

/** The monthly values of the year and the past years, and the plan set for the whole year (when there is one). */
async function loadForecast(code: string, aggregation: string, year: number): Promise<{ forecast: YearEndForecast; plan: number | null } | null> {
  const years = Array.from({ length: PAST_YEARS + 1 }, (_, i) => String(year - PAST_YEARS + i))
  const monthly = [
    { member: 'kt_xh.indicator_code', operator: 'equals' as const, values: [code] },
    { member: 'kt_xh.period_kind', operator: 'equals' as const, values: ['month'] },
  ]
  const [rows, plans] = await Promise.all([
    loadRows({ measures: ['kt_xh.value'], dimensions: ['kt_xh.period'], filters: [...monthly, { member: 'kt_xh.year', operator: 'equals', values: years }] }),
    // The year's own plan: months' plans reported so far would cover only the months so far.
    loadRows({
      measures: ['kt_xh.plan'],
      filters: [
        { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
        { member: 'kt_xh.period', operator: 'equals', values: [String(year)] },
      ],
    }),
  ])
  const byYear = new Map<number, (number | null)[]>()
  for (const r of rows) {
    const [y, m] = String(r['kt_xh.period']).split('-').map(Number)
    const months = byYear.get(y!) ?? Array.from({ length: 12 }, () => null)
    months[m! - 1] = n(r['kt_xh.value'])
    byYear.set(y!, months)
  }
  const forecast = forecastYearEnd(byYear, year, aggregation, PAST_YEARS)
  return forecast && { forecast, plan: n(plans[0]?.['kt_xh.plan']) }
}

/**
 * The year-end forecast of a monthly indicator, marked as a forecast, with its range, against the
 * year's plan, and how it was made in words (infra/contracts/year-end-forecast.ts).
 */
export function ForecastNote({ code, ind, year }: { code: string; ind: IndicatorAnswer | undefined; year: number }) {
  const { t, fmt, lang } = useLang()
  const data = useAsync(() => (ind?.frequency === 'monthly' ? loadForecast(code, ind.aggregation, year) : Promise.resolve(null)), [code, ind?.frequency, year])
  return (
    <Show value={data} empty={(d) => d === null} say={t('emptyForecast')}>
      {(d) => {
        const { forecast: f, plan } = d!
        const unit = fmt.unit(ind?.unit)
        const years = `${f.basisYears[0]}${f.basisYears.length > 1 ? `–${f.basisYears[f.basisYears.length - 1]}` : ''}`
        const ofPlan = plan ? (f.value / plan) * 100 : null
        const how =
          f.method === 'share_of_year'
            ? lang === 'vi'
              ? `Cách tính: lũy kế ${f.throughMonth} tháng chia cho tỷ trọng của ${f.throughMonth} tháng đầu năm trong cả năm ở các năm ${years}; khoảng là thấp nhất – cao nhất theo từng năm.`
              : `Method: the first ${f.throughMonth} months' total divided by the share those months held of the whole year in ${years}; the range is the lowest to highest of those years.`
            : lang === 'vi'
              ? `Cách tính: số tháng ${f.throughMonth} nhân với tỷ lệ giữa tháng 12 và tháng ${f.throughMonth} ở các năm ${years}; khoảng là thấp nhất – cao nhất theo từng năm.`
              : `Method: month ${f.throughMonth}'s value times how December compared with it in ${years}; the range is the lowest to highest of those years.`
        return (
          <div className="forecast" data-testid="forecast" data-value={f.value} data-low={f.low} data-high={f.high}>
            <span className="badge warn">{lang === 'vi' ? 'Dự báo' : 'Forecast'}</span>{' '}
            <strong>
              {lang === 'vi' ? `Cả năm ${year}` : `Year ${year}`}: {fmt.number(f.value, 1)} {unit}
            </strong>{' '}
            ({lang === 'vi' ? 'khoảng' : 'range'} {fmt.number(f.low, 1)} – {fmt.number(f.high, 1)})
            {ofPlan !== null && (
              <>
                {' · '}
                {fmt.pct(ofPlan)} {lang === 'vi' ? 'kế hoạch năm' : "of the year's plan"}
              </>
            )}
            <p className="muted">{how}</p>
          </div>
        )
      }}
    </Show>
  )
}
