import { useState } from 'react'
import { useIndicatorMatches } from '../indicator-search.ts'
import { loadRows, type Row } from '../../../api.ts'
import { useAuth } from '../../../auth.tsx'
import { indicatorMap, indicatorName } from '../../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { Trend } from '../../../components/indicator-trend.tsx'
import { khoDay } from '../../../kho-clock.ts'


/** What each role is likely to ask first: indicators offered as questions before any search. */
const SUGGESTED: Record<string, string[]> = {
  leader: ['RETAIL_SALES', 'BUDGET_REV', 'ENT_NEW', 'TTHC_ONTIME'],
  analyst: ['CPI', 'IIP', 'SI_COVERAGE', 'JOBS_CREATED'],
  steward: ['POP_RESIDENT', 'ENT_ACTIVE', 'SI_PARTICIPANTS'],
  admin: ['POP_RESIDENT', 'ENT_NEW'],
  agency_officer: ['ENT_NEW', 'TRAFFIC_ACC'],
}

/** One indicator's values by commune in the latest period reported by commune, best first. */
async function latestByCommune(ind: IndicatorAnswer): Promise<{ period: string; rows: Row[] }> {
  const filters = [
    { member: 'kt_xh.indicator_code', operator: 'equals' as const, values: [ind.code] },
    { member: 'kt_xh.unit_level', operator: 'equals' as const, values: ['commune'] },
  ]
  const [latest] = await loadRows({ dimensions: ['kt_xh.period'], filters, order: [['kt_xh.period', 'desc']], limit: 1 })
  if (!latest) return { period: '', rows: [] }
  const period = String(latest['kt_xh.period'])
  const rows = await loadRows({
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
    filters: [...filters, { member: 'kt_xh.period', operator: 'equals', values: [period] }],
    order: [['kt_xh.value', ind.direction === 'down' ? 'asc' : 'desc']],
  })
  return { period, rows }
}

function CommuneBreakdown({ ind }: { ind: IndicatorAnswer }) {
  const { t, fmt, lang } = useLang()
  const data = useAsync(() => latestByCommune(ind), [ind.code])
  if (ind.level !== 'commune') {
    return <p className="muted">{lang === 'vi' ? 'Chỉ tiêu báo cáo cho toàn tỉnh: không có số liệu theo xã, phường.' : 'Reported for the province as a whole: no figures by commune.'}</p>
  }
  return (
    <Show value={data} empty={(d) => d.rows.length === 0} say={t('emptyGuided')}>
      {(d) => (
        <section className="panel" data-testid="guided-communes">
          <h2>
            {t('byCommune')} — {fmt.period(d.period)}
          </h2>
          <DataTable<Row>
            rows={d.rows}
            pageSize={10}
            columns={[
              { key: 'kt_xh.admin_units_name', header: t('commune') },
              { key: 'kt_xh.value', header: `${indicatorName(ind, lang)} (${fmt.unit(ind.unit)})`, numeric: true },
            ]}
          />
        </section>
      )}
    </Show>
  )
}

/**
 * The explorer's start for someone who does not build queries: find an indicator by its name, typed
 * with or without diacritics ("ban le" finds "bán lẻ"), or take a question suggested for the role,
 * and see at once its monthly trend against last year and its communes in the latest period.
 */
export function GuidedStart() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const indicators = useAsync(async () => [...(await indicatorMap()).values()], [])
  const [text, setText] = useState('')
  const [picked, setPicked] = useState<IndicatorAnswer | null>(null)
  const all = indicators.state === 'ready' ? indicators.data : []
  const matches = useIndicatorMatches(all, text)
  const suggested = (SUGGESTED[account?.role ?? ''] ?? []).map((c) => all.find((i) => i.code === c)).filter((i): i is IndicatorAnswer => !!i)
  const choose = (i: IndicatorAnswer) => {
    setPicked(i)
    setText('')
  }
  return (
    <div className="guided" data-testid="guided-start">
      <section className="panel">
        <label>
          {t('findIndicator')}{' '}
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={lang === 'vi' ? 'ví dụ: ban le, thu ngan sach, doanh nghiep' : 'e.g. retail, budget, enterprises'} aria-label={t('findIndicator')} size={40} />
        </label>
        {matches.length > 0 && (
          <ul className="choices" data-testid="indicator-matches">
            {matches.slice(0, 8).map((i) => (
              <li key={i.code}>
                <button type="button" className="linkish" onClick={() => choose(i)}>
                  {indicatorName(i, lang)}
                </button>{' '}
                <span className="muted">({fmt.unit(i.unit)})</span>
              </li>
            ))}
          </ul>
        )}
        {text.trim() !== '' && matches.length === 0 && <p className="muted">{lang === 'vi' ? 'Không có chỉ tiêu nào khớp.' : 'No indicator matches.'}</p>}
        {!picked && suggested.length > 0 && (
          <div data-testid="suggested-questions">
            <p className="muted">{t('suggestedQuestions')}</p>
            <ul className="choices">
              {suggested.map((i) => (
                <li key={i.code}>
                  <button type="button" className="linkish" onClick={() => choose(i)}>
                    {lang === 'vi' ? `${indicatorName(i, lang)} diễn biến thế nào, xã nào cao nhất?` : `How is ${indicatorName(i, lang).toLowerCase()} moving, and where is it highest?`}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      {picked && (
        <div data-testid="guided-answer" data-indicator={picked.code}>
          <Trend code={picked.code} ind={picked} year={Number(khoDay().slice(0, 4))} />
          <CommuneBreakdown ind={picked} />
        </div>
      )}
    </div>
  )
}
