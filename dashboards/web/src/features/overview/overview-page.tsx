import { useEffect, useMemo, useState } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api, loadRows, type Row } from '../../api.ts'
import { indicatorMap, indicatorName, type IocConfig, type Indicator } from '../../catalog-data.ts'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { statusOf } from '../../shared/indicator-status.ts'
import { useLang } from '../../i18n.ts'
import { Link } from '../../router.tsx'

const n = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))

interface Tile {
  code: string
  period: string
  value: number | null
  planPct: number | null
  ytdPlanPct: number | null
  growthPct: number | null
}

/** The end of a month code as YYYY-MM-DD. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10)
}
function monthsBack(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1 - k, 1)).toISOString().slice(0, 10)
}

/** The latest reported value of each headline indicator up to the chosen month (its own month, quarter or year). */
async function loadTiles(codes: string[], month: string): Promise<Tile[]> {
  const rows = await loadRows({
    measures: ['kt_xh.value', 'kt_xh.plan_pct', 'kt_xh.ytd_plan_pct', 'kt_xh.growth_pct'],
    dimensions: ['kt_xh.indicator_code', 'kt_xh.period'],
    timeDimensions: [{ dimension: 'kt_xh.period_start', dateRange: [monthsBack(month, 11), monthEnd(month)] }],
    filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: codes }],
    order: [['kt_xh.period', 'desc']],
  })
  return codes.map((code) => {
    const r = rows.find((x) => x['kt_xh.indicator_code'] === code && n(x['kt_xh.value']) !== null)
    return {
      code,
      period: String(r?.['kt_xh.period'] ?? ''),
      value: n(r?.['kt_xh.value']),
      planPct: n(r?.['kt_xh.plan_pct']),
      ytdPlanPct: n(r?.['kt_xh.ytd_plan_pct']),
      growthPct: n(r?.['kt_xh.growth_pct']),
    }
  })
}

function TileCard({ tile, ind, cfg, selected, onSelect }: { tile: Tile; ind: Indicator | undefined; cfg: IocConfig; selected: boolean; onSelect: () => void }) {
  const { t, fmt, lang } = useLang()
  const status = statusOf(ind, tile.ytdPlanPct ?? tile.planPct, tile.growthPct, cfg.status)
  return (
    <button
      type="button"
      className={`tile status-${status}${selected ? ' selected' : ''}`}
      data-testid={`tile-${tile.code}`}
      data-value={tile.value ?? ''}
      data-period={tile.period}
      data-status={status}
      aria-pressed={selected}
      onClick={onSelect}
    >
      <span className="tile-name">{indicatorName(ind, lang, tile.code)}</span>
      <span className="tile-value">
        {fmt.number(tile.value)} <small>{ind?.unit}</small>
      </span>
      <span className="tile-period">{tile.period ? fmt.period(tile.period) : t('empty')}</span>
      <span className="tile-facts">
        {tile.ytdPlanPct !== null ? `${fmt.pct(tile.ytdPlanPct)} ${t('ofPlan')}` : tile.planPct !== null ? `${fmt.pct(tile.planPct)} ${t('ofPlan')}` : t('noPlan')}
        {' · '}
        {tile.growthPct !== null ? `${tile.growthPct >= 0 ? '+' : ''}${fmt.pct(tile.growthPct)} ${t('vsLastYear')}` : '—'}
      </span>
    </button>
  )
}

/** One indicator's values by commune for a period (one commune when `unit` is given), best first. */
function communeValues(code: string, period: string, descending: boolean, unit?: string): Promise<Row[]> {
  return loadRows({
    measures: ['kt_xh.value'],
    dimensions: ['kt_xh.unit_code', 'kt_xh.admin_units_name'],
    filters: [
      { member: 'kt_xh.indicator_code', operator: 'equals', values: [code] },
      { member: 'kt_xh.period', operator: 'equals', values: [period] },
      { member: 'kt_xh.unit_level', operator: 'equals', values: ['commune'] },
      ...(unit ? [{ member: 'kt_xh.unit_code', operator: 'equals' as const, values: [unit] }] : []),
    ],
    order: [['kt_xh.value', descending ? 'desc' : 'asc']],
  })
}

/** This year against last year, by month or quarter, for one indicator. */
function Trend({ code, ind, year }: { code: string; ind: Indicator | undefined; year: number }) {
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

/** Communes ranked on a commune-level indicator for a period; a click drills into the commune. */
function Ranking({ cfg, indicators, period, onCommune }: { cfg: IocConfig; indicators: Map<string, Indicator>; period: string; onCommune: (indicator: string, unit: string, name: string) => void }) {
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
      <Show value={data} empty={(d) => d.length === 0}>
        {(rows) => (
          <>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={rows.slice(0, 10).map((r) => ({ name: r['kt_xh.admin_units_name'], value: n(r['kt_xh.value']) }))} margin={{ top: 8, right: 16, bottom: 40, left: 40 }}>
                <XAxis dataKey="name" interval={0} angle={-30} textAnchor="end" height={60} />
                <YAxis tickFormatter={(v) => fmt.number(v, 0)} />
                <Tooltip formatter={(v) => fmt.number(v)} />
                <Bar dataKey="value" fill="#a51c1c" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
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
                { key: 'kt_xh.value', header: `${t('value')} (${indicators.get(code)?.unit ?? ''})`, numeric: true },
              ]}
            />
          </>
        )}
      </Show>
    </section>
  )
}

/** Drill-down: one indicator by commune and the submissions its number was built from. */
function Drill({ code, period, ind, commune, onClose }: { code: string; period: string; ind: Indicator | undefined; commune: { code: string; name: string } | null; onClose: () => void }) {
  const { t, fmt, lang } = useLang()
  const byCommune = useAsync(() => (ind?.level === 'commune' ? communeValues(code, period, true, commune?.code) : Promise.resolve([])), [code, period, commune?.code],
  )
  const submissions = useAsync(
    () =>
      loadRows({
        dimensions: ['submissions.agency', 'submissions.indicator_code', 'submissions.period', 'submissions.status', 'submissions.due_on', 'submissions.received_at'],
        filters: [
          { member: 'submissions.indicator_code', operator: 'equals', values: [code] },
          { member: 'submissions.period', operator: 'equals', values: [period] },
        ],
      }),
    [code, period],
  )
  return (
    <section className="panel drill" aria-label={t('drill')} data-testid="drill">
      <h2>
        {t('drill')}: {indicatorName(ind, lang, code)} — {fmt.period(period)}
        {commune ? ` — ${commune.name}` : ''}
        <button type="button" onClick={onClose} className="close">
          {t('close')}
        </button>
      </h2>
      {ind?.level === 'commune' && (
        <Show value={byCommune} empty={(d) => d.length === 0}>
          {(rows) => (
            <DataTable<Row>
              caption={t('byCommune')}
              rows={rows}
              pageSize={10}
              columns={[
                { key: 'kt_xh.admin_units_name', header: t('byCommune') },
                { key: 'kt_xh.value', header: `${t('value')} (${ind.unit})`, numeric: true },
              ]}
            />
          )}
        </Show>
      )}
      <h3>{t('submissionsBehind')}</h3>
      <Show value={submissions} empty={(d) => d.length === 0}>
        {(rows) => (
          <DataTable<Row>
            testId="drill-submissions"
            rows={rows}
            columns={[
              { key: 'submissions.agency', header: t('agency') },
              { key: 'submissions.status', header: t('status'), cell: (r) => <span className={`badge ${r['submissions.status']}`}>{fmt.status(r['submissions.status'])}</span> },
              { key: 'submissions.due_on', header: t('dueOn'), cell: (r) => fmt.date(r['submissions.due_on']) },
              { key: 'submissions.received_at', header: t('receivedAt'), cell: (r) => fmt.date(r['submissions.received_at']) },
            ]}
          />
        )}
      </Show>
    </section>
  )
}

export default function Overview({ kiosk = false }: { kiosk?: boolean }) {
  const { t, fmt, lang } = useLang()
  const setup = useAsync(async () => {
    const [cfg, indicators, months] = await Promise.all([
      api<IocConfig>('/api/dashboards/ioc'),
      indicatorMap(),
      loadRows({
        measures: ['kt_xh.reports'],
        dimensions: ['kt_xh.period'],
        filters: [{ member: 'kt_xh.period_kind', operator: 'equals', values: ['month'] }],
        order: [['kt_xh.period', 'desc']],
        limit: 36,
      }),
    ])
    return { cfg, indicators, months: months.map((m) => String(m['kt_xh.period'])) }
  }, [])
  const [month, setMonth] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [drill, setDrill] = useState<{ code: string; period: string; commune: { code: string; name: string } | null } | null>(null)
  const [refreshedAt, setRefreshedAt] = useState(() => new Date())
  const ready = setup.state === 'ready' ? setup.data : null
  const period = month ?? ready?.months[0] ?? null
  const tiles = useAsync(() => (ready && period ? loadTiles(ready.cfg.headline, period) : new Promise<Tile[]>(() => undefined)), [ready, period, refreshedAt])

  // The wall display reloads its numbers on its own.
  useEffect(() => {
    if (!kiosk || !ready) return
    const timer = setInterval(() => setRefreshedAt(new Date()), ready.cfg.kiosk_refresh_seconds * 1000)
    return () => clearInterval(timer)
  }, [kiosk, ready])

  const current = selected ?? ready?.cfg.headline[0] ?? null
  const year = period ? Number(period.slice(0, 4)) : new Date().getFullYear()
  const allFilled = useMemo(() => tiles.state === 'ready', [tiles.state])

  return (
    <Show value={setup}>
      {({ cfg, indicators, months }) => (
        <div className="overview" data-ready={allFilled ? 'true' : 'false'}>
          <div className="toolbar">
            <h1>
              {lang === 'vi' ? 'Tình hình kinh tế - xã hội' : 'Socio-economic situation'} — {cfg.province.name}
            </h1>
            <label>
              {t('period')}{' '}
              <select value={period ?? ''} onChange={(e) => setMonth(e.target.value)} data-testid="period-picker">
                {months.map((m) => (
                  <option key={m} value={m}>
                    {fmt.period(m)}
                  </option>
                ))}
              </select>
            </label>
            {kiosk ? (
              <Link href="/" className="button">
                {t('exitKiosk')}
              </Link>
            ) : (
              <Link href="/kiosk" className="button">
                {t('kiosk')}
              </Link>
            )}
            <span className="muted">
              {t('refreshed')} {refreshedAt.toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB')}
            </span>
          </div>
          <Show value={tiles}>
            {(list) => (
              <div className="tiles" data-testid="tiles">
                {list.map((tile) => (
                  <TileCard
                    key={tile.code}
                    tile={tile}
                    ind={indicators.get(tile.code)}
                    cfg={cfg}
                    selected={tile.code === current}
                    onSelect={() => {
                      setSelected(tile.code)
                      if (tile.period) setDrill({ code: tile.code, period: tile.period, commune: null })
                    }}
                  />
                ))}
              </div>
            )}
          </Show>
          {drill && !kiosk && <Drill {...drill} ind={indicators.get(drill.code)} onClose={() => setDrill(null)} />}
          <div className="grid-2">
            {current && <Trend code={current} ind={indicators.get(current)} year={year} />}
            {period && (
              <Ranking
                cfg={cfg}
                indicators={indicators}
                period={period}
                onCommune={(indicator, code, name) => setDrill({ code: indicator, period, commune: { code, name } })}
              />
            )}
          </div>
        </div>
      )}
    </Show>
  )
}
