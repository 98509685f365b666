import { useState } from 'react'
import { n, type Row } from '../../../api.ts'
import { indicatorName } from '../../../catalog-data.ts'
import type { IndicatorAnswer, IocAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { communeValues } from '../ioc-queries.ts'
import { colourScale } from '../commune-colours.ts'
import { CommuneMap } from './commune-map.tsx'
import { CommuneBars } from './commune-bars.tsx'

/**
 * Communes on a commune-level indicator for a period: on the map and ranked, in the same colours
 * (quintiles of the communes' values); a click on either drills into the commune.
 */
export function Ranking({ cfg, indicators, period, onCommune }: { cfg: IocAnswer; indicators: Map<string, IndicatorAnswer>; period: string; onCommune: (indicator: string, unit: string, name: string) => void }) {
  const { t, fmt, lang } = useLang()
  const [code, setCode] = useState(cfg.commune_ranking[0]!)
  const data = useAsync(() => communeValues(code, period, indicators.get(code)?.direction !== 'down'), [code, period],
  )
  return (
    <section className="panel" aria-label={t('communesRanked')}>
      <h2>
        {t('communesRanked')} — {fmt.period(period)}{' '}
        <select value={code} onChange={(e) => setCode(e.target.value)} aria-label={t('communesRanked')}>
          {cfg.commune_ranking.map((c) => (
            <option key={c} value={c}>
              {indicatorName(indicators.get(c), lang, c)}
            </option>
          ))}
        </select>
      </h2>
      <Show value={data} empty={(d) => d.length === 0} say={t('emptyRanking')}>
        {(rows) => {
          const values = new Map(rows.map((r) => [String(r['kt_xh.unit_code']), n(r['kt_xh.value'])]))
          const scale = colourScale([...values.values()])
          const top = rows.slice(0, 10).map((r) => ({ unit: String(r['kt_xh.unit_code']), name: String(r['kt_xh.admin_units_name']), value: n(r['kt_xh.value']) }))
          return (
          <>
            <div className="grid-2">
              <CommuneMap values={values} scale={scale} unit={fmt.unit(indicators.get(code)?.unit)} onCommune={(unit, name) => onCommune(code, unit, name)} />
              <CommuneBars bars={top} scale={scale} height={300} onCommune={(unit, name) => onCommune(code, unit, name)} />
            </div>
            <DataTable<Row>
              testId="commune-ranking"
              rows={rows}
              pageSize={10}
              columns={[
                { key: 'rank', header: '#', numeric: true, value: (r) => rows.indexOf(r) + 1 },
                {
                  key: 'kt_xh.admin_units_name',
                  header: t('byCommune'),
                  cell: (r) => (
                    <button type="button" className="linkish" onClick={() => onCommune(code, String(r['kt_xh.unit_code']), String(r['kt_xh.admin_units_name']))}>
                      {String(r['kt_xh.admin_units_name'])}
                    </button>
                  ),
                },
                { key: 'kt_xh.value', header: `${t('value')} (${fmt.unit(indicators.get(code)?.unit)})`, numeric: true },
              ]}
            />
          </>
          )
        }}
      </Show>
    </section>
  )
}
