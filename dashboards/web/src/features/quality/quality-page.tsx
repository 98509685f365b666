import { useState } from 'react'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api, loadRows, type Row } from '../../api.ts'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang, type Key } from '../../i18n.ts'
import { communeList, indicatorMap, indicatorName } from '../../catalog-data.ts'
import { AgencyRankingPanel } from './components/agency-ranking.tsx'

const CRITERIA: Key[] = ['completeness', 'validity', 'timeliness', 'consistency', 'accuracy']

interface Reject {
  source: string
  dataset: string
  agency: string
  row: number
  column: string
  column_label: string
  value: string
  reason_vi: string
  reason_en: string
}
interface Outlier {
  agency: string
  indicator_code: string
  period: string
  unit_code: string
  value: number
  mean_before: number
  z_score: number
  review: string
}

/** Agencies ranked on the five quality criteria per quarter, each agency's trend, the rows behind a low score; then the ranking on the data rules (Lào Cai Điều 25). */
export default function Quality() {
  const { t, fmt, lang } = useLang()
  const scores = useAsync(
    () =>
      loadRows({
        measures: ['quality_scores.composite', ...CRITERIA.map((c) => `quality_scores.${c}`)],
        dimensions: ['quality_scores.agency', 'quality_scores.rank'],
        timeDimensions: [{ dimension: 'quality_scores.quarter_start', granularity: 'quarter' }],
        order: [['quality_scores.quarter_start', 'desc'], ['quality_scores.rank', 'asc']],
        limit: 10_000,
      }),
    [],
  )
  const names = useAsync(async () => new Map((await api<{ code: string; name: string }[]>('/api/catalog/agencies')).map((a) => [a.code, a.name])), [])
  const nameOf = (code: string) => (names.state === 'ready' ? (names.data.get(code) ?? code) : code)
  const [quarter, setQuarter] = useState<string | null>(null)
  const [agency, setAgency] = useState<string | null>(null)
  const rejects = useAsync(() => (agency ? api<Reject[]>(`/api/quality/rejects?agency=${encodeURIComponent(agency)}&limit=500`) : Promise.resolve([])), [agency])
  const outliers = useAsync(() => (agency ? api<Outlier[]>(`/api/quality/outliers?agency=${encodeURIComponent(agency)}`) : Promise.resolve([])), [agency])
  const q = 'quality_scores.quarter_start.quarter'
  const indicators = useAsync(indicatorMap, [])
  const communes = useAsync(communeList, [])

  return (
    <>
    <Show value={scores} empty={(d) => d.length === 0} say={t('emptyScores')}>
      {(rows) => {
        const quarters = [...new Set(rows.map((r) => String(r[q]).slice(0, 10)))]
        const current = quarter ?? quarters[0]!
        const ranked = rows.filter((r) => String(r[q]).startsWith(current))
        const trend = rows
          .filter((r) => r['quality_scores.agency'] === agency)
          .map((r) => ({ quarter: fmt.quarterOf(r[q]), ...Object.fromEntries(['composite', ...CRITERIA].map((c) => [c, r[`quality_scores.${c}`] === null ? null : Number(r[`quality_scores.${c}`])])) }))
          .reverse()
        return (
          <div>
            <div className="toolbar">
              <h1>{t('quality')}</h1>
              <label>
                {t('quarter')}{' '}
                <select value={current} onChange={(e) => setQuarter(e.target.value)} data-testid="quarter-picker">
                  {quarters.map((x) => (
                    <option key={x} value={x}>
                      {fmt.quarterOf(x)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <section className="panel">
              <h2>
                {t('ranking')} — {fmt.quarterOf(current)}
              </h2>
              <DataTable<Row>
                testId="scorecard"
                rows={ranked}
                pageSize={25}
                columns={[
                  { key: 'quality_scores.rank', header: '#', numeric: true },
                  {
                    key: 'quality_scores.agency',
                    header: t('agency'),
                    cell: (r) => (
                      <button type="button" className="linkish" data-agency={String(r['quality_scores.agency'])} onClick={() => setAgency(String(r['quality_scores.agency']))}>
                        {nameOf(String(r['quality_scores.agency']))}
                      </button>
                    ),
                  },
                  {
                    key: 'quality_scores.composite',
                    header: t('composite'),
                    numeric: true,
                    // How many criteria the score averages: a 100 on two criteria is not a 100 on five.
                    cell: (r) => {
                      const applied = CRITERIA.filter((c) => r[`quality_scores.${c}`] !== null && r[`quality_scores.${c}`] !== undefined).length
                      return (
                        <>
                          {fmt.number(r['quality_scores.composite'])} <small className="muted">({fmt.number(applied, 0)}/{fmt.number(CRITERIA.length, 0)})</small>
                        </>
                      )
                    },
                  },
                  ...CRITERIA.map((c) => ({
                    key: `quality_scores.${c}`,
                    header: t(c),
                    numeric: true,
                    cell: (r: Row) => (r[`quality_scores.${c}`] === null || r[`quality_scores.${c}`] === undefined ? <span title={t(`${c}None` as Key)}>—</span> : fmt.number(r[`quality_scores.${c}`])),
                  })),
                ]}
              />
              <p className="hint" data-testid="quality-dash">
                {t('qualityDash')}
              </p>
            </section>
            {agency && (
              <div className="grid-2" data-testid="quality-drill">
                <section className="panel">
                  <h2>
                    {t('trend')}: {nameOf(agency)}
                    <button type="button" className="close" onClick={() => setAgency(null)}>
                      {t('close')}
                    </button>
                  </h2>
                  <ResponsiveContainer width="100%" height={260}>
                    <LineChart data={trend}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="quarter" />
                      <YAxis domain={[0, 100]} />
                      <Tooltip formatter={(v) => fmt.number(v)} />
                      <Legend verticalAlign="top" height={28} />
                      <Line dataKey="composite" name={t('composite')} stroke="#a51c1c" strokeWidth={2} isAnimationActive={false} />
                      {CRITERIA.map((c, i) => (
                        <Line key={c} dataKey={c} name={t(c)} stroke={['#2b6cb0', '#2f855a', '#b7791f', '#6b46c1', '#718096'][i]} dot={false} isAnimationActive={false} />
                      ))}
                    </LineChart>
                  </ResponsiveContainer>
                </section>
                <section className="panel">
                  <h2>{t('issues')}</h2>
                  <h3>{t('rejectedRows')}</h3>
                  <Show value={rejects} empty={(d) => d.length === 0} say={t('emptyRejects')}>
                    {(list) => (
                      <DataTable<Reject>
                        testId="quality-rejects"
                        rows={list}
                        pageSize={10}
                        columns={[
                          { key: 'source', header: t('file'), as: 'code' },
                          { key: 'row', header: t('row'), numeric: true },
                          { key: 'column', header: t('column'), value: (r) => r.column_label },
                          // The cell as the agency wrote it.
                          { key: 'value', header: t('value'), as: 'name' },
                          { key: 'reason', header: t('reason'), value: (r) => (lang === 'vi' ? r.reason_vi : r.reason_en) },
                        ]}
                      />
                    )}
                  </Show>
                  <h3>{t('outliers')}</h3>
                  <Show value={outliers} empty={(d) => d.length === 0} say={t('emptyOutliers')}>
                    {(list) => (
                      <DataTable<Outlier>
                        rows={list}
                        pageSize={10}
                        columns={[
                          { key: 'indicator_code', header: t('indicators'), value: (r) => indicatorName(indicators.state === 'ready' ? indicators.data.get(r.indicator_code) : undefined, lang, r.indicator_code) },
                          { key: 'period', header: t('period'), cell: (r) => fmt.period(r.period) },
                          { key: 'unit_code', header: t('byCommune'), value: (r) => (communes.state === 'ready' ? (communes.data.find((c) => c.code === r.unit_code)?.name ?? t('wholeProvince')) : r.unit_code) },
                          { key: 'value', header: t('value'), numeric: true },
                          { key: 'mean_before', header: 'μ', numeric: true },
                          { key: 'z_score', header: 'z', numeric: true },
                          { key: 'review', header: t('status') },
                        ]}
                      />
                    )}
                  </Show>
                </section>
              </div>
            )}
          </div>
        )
      }}
    </Show>
    <AgencyRankingPanel />
    </>
  )
}
