import { Fragment, useEffect, useMemo, useState } from 'react'
import { AskBox } from '../ask/ask-box.tsx'
import { Show, useAsync } from '../../components/async.tsx'
import { useLang } from '../../i18n.ts'
import { Link } from '../../router.tsx'
import { type Tile, loadIocSetup, loadTiles } from './ioc-queries.ts'
import { TileCard } from './components/tile-card.tsx'
import { Trend } from '../../components/indicator-trend.tsx'
import { Ranking } from './components/ranking.tsx'
import { Drill } from './components/drill.tsx'
import { Reconciliation } from './components/reconciliation.tsx'
import { ForecastNote } from './components/forecast-note.tsx'
import { useLiveChanges } from '../../live-changes.ts'
import { khoDay, khoNow } from '../../kho-clock.ts'

export default function Overview() {
  const { t, fmt, lang } = useLang()
  const setup = useAsync(() => loadIocSetup(36), [])
  const [month, setMonth] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [drill, setDrill] = useState<{ code: string; period: string; commune: { code: string; name: string } | null } | null>(null)
  // A commune chosen on the map or in the ranking narrows the tiles and the trend to it; one click back.
  const [commune, setCommune] = useState<{ code: string; name: string } | null>(null)
  const [refreshedAt, setRefreshedAt] = useState(() => khoNow())
  const ready = setup.state === 'ready' ? setup.data : null
  const period = month ?? ready?.months[0] ?? null
  // The tiles load again when the service says the indicators changed (a delivery, a rebuild).
  const live = useLiveChanges(['kt_xh'])
  const tiles = useAsync(() => (ready && period ? loadTiles(ready.cfg.headline, period, commune?.code) : new Promise<Tile[]>(() => undefined)), [ready, period, live.version, commune?.code])
  // "Cập nhật lúc": when the tiles last loaded (at first, and after each change the service pushed).
  const loaded = tiles.state === 'ready' ? tiles.data : null
  useEffect(() => {
    if (loaded) setRefreshedAt(khoNow())
  }, [loaded])


  const current = selected ?? ready?.cfg.headline[0] ?? null
  const year = period ? Number(period.slice(0, 4)) : Number(khoDay().slice(0, 4))
  const allFilled = useMemo(() => tiles.state === 'ready', [tiles.state])

  return (
    <Show value={setup}>
      {({ cfg, indicators, months }) => (
        <div className="overview" data-ready={allFilled ? 'true' : 'false'}>
          <div className="toolbar">
            <h1>
              {t('socioEconomic')} — {cfg.province.name}
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
            {commune && (
              <span className="filter-chip" data-testid="commune-filter">
                {t('filteredTo')}: <strong>{commune.name}</strong>{' '}
                <button type="button" onClick={() => setCommune(null)} data-testid="clear-commune">
                  ✕ {t('wholeProvince')}
                </button>
              </span>
            )}
            <Link href="/kiosk" className="button">
              {t('kiosk')}
            </Link>
            <span className="muted">
              {t('refreshed')} {refreshedAt.toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB')}
            </span>
          </div>
          <AskBox testId="ask" />
          <Show value={tiles}>
            {(list) => (
              <div className="tiles" data-testid="tiles">
                {list.map((tile) => (
                  <Fragment key={tile.code}>
                    <TileCard
                      tile={tile}
                      ind={indicators.get(tile.code)}
                      cfg={cfg}
                      communeFilter={commune !== null}
                      selected={tile.code === current}
                      onSelect={() => {
                        setSelected(tile.code)
                        if (tile.period) setDrill(drill?.code === tile.code && !drill.commune ? null : { code: tile.code, period: tile.period, commune: null })
                      }}
                    />
                    {/* Under the clicked tile's row: the grid fills the rest of that row with the tiles after it (dense flow). */}
                    {drill && !drill.commune && drill.code === tile.code && <Drill {...drill} ind={indicators.get(drill.code)} onClose={() => setDrill(null)} />}
                  </Fragment>
                ))}
              </div>
            )}
          </Show>
          <div className="grid-2">
            {current && <Trend key={`${current}-${commune?.code ?? ''}`} code={current} unit={commune && indicators.get(current)?.level === 'commune' ? commune.code : undefined} ind={indicators.get(current)} year={year} footer={commune ? undefined : <ForecastNote code={current} ind={indicators.get(current)} year={year} />} />}
            {period && (
              <Ranking
                cfg={cfg}
                indicators={indicators}
                period={period}
                onCommune={(indicator, code, name) => {
                  setCommune({ code, name })
                  setDrill({ code: indicator, period, commune: { code, name } })
                }}
              />
            )}
            {/* A commune's drill under the map and ranking it was chosen on. */}
            {drill?.commune && <Drill {...drill} ind={indicators.get(drill.code)} onClose={() => setDrill(null)} />}
          </div>
          <Reconciliation indicators={indicators} />
        </div>
      )}
    </Show>
  )
}
