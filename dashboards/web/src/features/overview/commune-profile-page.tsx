import { useMemo, useState } from 'react'
import { api, loadRows, n } from '../../api.ts'
import { communeList, indicatorMap, indicatorName, useNames } from '../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../infra/contracts/catalog.ts'
import type { ErrorReport } from '../../../../../infra/contracts/error-report.ts'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { navigate, useLocation } from '../../router.tsx'
import { foldText } from '../../../../../infra/contracts/question-words.ts'
import { Trend } from '../../components/indicator-trend.tsx'

/** One line of the profile: an indicator as the commune has it in the period, against the others. */
export interface ProfileLine {
  code: string
  value: number | null
  rank: number | null
  communes: number
  province: number | null
  reportedBy: string
  receivedAt: string | null
}

/**
 * Rank 1 is the best in the indicator's direction (most enterprises, fewest accidents); communes
 * without a value are not ranked. Ties share the better rank.
 */
export function rankOf(values: readonly (number | null)[], mine: number | null, direction: 'up' | 'down'): number | null {
  if (mine === null) return null
  return values.filter((v) => v !== null && (direction === 'down' ? v < mine : v > mine)).length + 1
}

/** Every commune-level indicator in the commune's latest month, beside the other communes and the province. */
async function loadProfile(unit: string, indicators: Map<string, IndicatorAnswer>): Promise<{ period: string; lines: ProfileLine[] }> {
  const codes = [...indicators.values()].filter((i) => i.level === 'commune').map((i) => i.code)
  const [latest] = await loadRows({
    measures: ['kt_xh.reports'],
    dimensions: ['kt_xh.period'],
    filters: [
      { member: 'kt_xh.unit_code', operator: 'equals', values: [unit] },
      { member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] },
    ],
    order: [['kt_xh.period', 'desc']],
    limit: 1,
  })
  const period = String(latest?.['kt_xh.period'] ?? '')
  if (!period) return { period, lines: [] }
  const inPeriod = [
    { member: 'kt_xh.indicator_code', operator: 'equals' as const, values: codes },
    { member: 'kt_xh.period', operator: 'equals' as const, values: [period] },
  ]
  const [byCommune, province, submissions] = await Promise.all([
    loadRows({ measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code', 'kt_xh.unit_code'], filters: [...inPeriod, { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] }] }),
    loadRows({ measures: ['kt_xh.value'], dimensions: ['kt_xh.indicator_code'], filters: inPeriod }),
    loadRows({
      dimensions: ['submissions.indicator_code', 'submissions.agency', 'submissions.received_at'],
      filters: [
        { member: 'submissions.indicator_code', operator: 'equals', values: codes },
        { member: 'submissions.period', operator: 'equals', values: [period] },
      ],
    }),
  ])
  const lines = codes.map((code): ProfileLine => {
    const rows = byCommune.filter((r) => r['kt_xh.indicator_code'] === code)
    const mine = n(rows.find((r) => r['kt_xh.unit_code'] === unit)?.['kt_xh.value'])
    const values = rows.map((r) => n(r['kt_xh.value']))
    const sub = submissions.find((s) => s['submissions.indicator_code'] === code)
    return {
      code,
      value: mine,
      rank: rankOf(values, mine, indicators.get(code)?.direction ?? 'up'),
      communes: values.filter((v) => v !== null).length,
      province: n(province.find((r) => r['kt_xh.indicator_code'] === code)?.['kt_xh.value']),
      reportedBy: String(sub?.['submissions.agency'] ?? indicators.get(code)?.owner ?? ''),
      receivedAt: (sub?.['submissions.received_at'] as string | null | undefined) ?? null,
    }
  })
  return { period, lines: lines.filter((l) => l.value !== null) }
}

/**
 * Hồ sơ xã, phường (/commune?code=…): every indicator the commune has in its latest month, its
 * rank among the communes and the province's figure, who reported it and when, the trend of the one
 * chosen, and the error reports still open about it. Reached from the overview's map and ranking
 * (through the drill), and by name here.
 */
export default function CommuneProfile() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const { search } = useLocation()
  const unit = new URLSearchParams(search).get('code') ?? ''
  const [find, setFind] = useState('')
  const [chosen, setChosen] = useState<string | null>(null)
  const base = useAsync(async () => {
    const [communes, indicators] = await Promise.all([communeList(), indicatorMap()])
    return { communes, indicators }
  }, [])
  const ready = base.state === 'ready' ? base.data : null
  const commune = ready?.communes.find((c) => c.code === unit) ?? null
  const profile = useAsync(() => (ready && commune ? loadProfile(commune.code, ready.indicators) : new Promise<never>(() => undefined)), [ready, commune?.code])
  const reports = useAsync(async () => (await api<{ reports: ErrorReport[] }>('/api/error-reports?state=open')).reports.filter((r) => r.unit_code === unit), [unit])
  const matches = useMemo(() => {
    const q = foldText(find.trim())
    return q && ready ? ready.communes.filter((c) => foldText(c.name).includes(q)).slice(0, 8) : []
  }, [find, ready])

  return (
    <div className="commune-profile" data-testid="commune-profile">
      <div className="toolbar">
        <h1>
          {t('communeProfile')}
          {commune && (
            <>
              : <span lang="vi">{commune.name}</span>
            </>
          )}
        </h1>
        <label>
          {t('findCommune')}{' '}
          <input type="search" value={find} onChange={(e) => setFind(e.target.value)} placeholder={lang === 'vi' ? 'ví dụ: tan son' : 'e.g. tan son'} data-testid="commune-search" />
        </label>
        {matches.length > 0 && (
          <ul className="choices">
            {matches.map((c) => (
              <li key={c.code}>
                <button type="button" className="linkish" onClick={() => (setFind(''), setChosen(null), navigate(`/commune?code=${c.code}`))}>
                  {c.name}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {commune && (
        <Show value={profile} empty={(p) => p.lines.length === 0} say={t('emptyProfile')}>
          {({ period, lines }) => {
            const current = chosen ?? lines[0]!.code
            const ind = (code: string) => ready!.indicators.get(code)
            return (
              <>
                <section className="panel">
                  <h2>{fmt.period(period)}</h2>
                  <DataTable<ProfileLine>
                    testId="profile-indicators"
                    rows={lines}
                    columns={[
                      {
                        key: 'indicator',
                        header: t('indicator'),
                        cell: (l) => (
                          <button type="button" className="linkish" data-indicator={l.code} aria-pressed={l.code === current} onClick={() => setChosen(l.code)}>
                            {indicatorName(ind(l.code), lang, l.code)}
                          </button>
                        ),
                      },
                      { key: 'value', header: t('value'), numeric: true, cell: (l) => `${fmt.number(l.value)} ${fmt.unit(ind(l.code)?.unit)}` },
                      { key: 'rank', header: t('rankAmong'), numeric: true, cell: (l) => (l.rank === null ? '—' : `${l.rank}/${l.communes}`) },
                      { key: 'province', header: t('provinceFigure'), numeric: true, cell: (l) => fmt.number(l.province) },
                      { key: 'reportedBy', header: t('reportedBy'), cell: (l) => <span lang="vi">{names.agency(l.reportedBy)}</span> },
                      { key: 'receivedAt', header: t('receivedAt'), cell: (l) => fmt.date(l.receivedAt) },
                    ]}
                  />
                </section>
                <Trend key={current} code={current} unit={commune.code} ind={ind(current)} year={Number(period.slice(0, 4))} />
              </>
            )
          }}
        </Show>
      )}
      {commune && (
        <section className="panel" data-testid="profile-reports">
          <h2>{t('openReports')}</h2>
          <Show value={reports} empty={(r) => r.length === 0} say={t('emptyCommuneReports')}>
            {(list) => (
              <DataTable<ErrorReport>
                rows={list}
                columns={[
                  { key: 'indicator_code', header: t('indicator'), cell: (r) => indicatorName(ready?.indicators.get(r.indicator_code), lang, r.indicator_code) },
                  { key: 'period', header: t('period'), cell: (r) => fmt.period(r.period) },
                  { key: 'note', header: t('note') },
                  { key: 'status', header: t('status'), cell: (r) => fmt.status(`report.${r.status}`) },
                ]}
              />
            )}
          </Show>
        </section>
      )}
    </div>
  )
}
