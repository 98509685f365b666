import { useEffect, useState } from 'react'
import { api, n } from '../../api.ts'
import { indicatorName } from '../../catalog-data.ts'
import type { IocAnswer } from '../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../components/async.tsx'
import { Trend } from '../../components/indicator-trend.tsx'
import { useLang } from '../../i18n.ts'
import { useLiveChanges } from '../../live-changes.ts'
import { khoNow } from '../../kho-clock.ts'
import { communeValues, loadIocSetup, loadTiles } from './ioc-queries.ts'
import { TileCard } from './components/tile-card.tsx'
import { CommuneMap } from './components/commune-map.tsx'
import { CommuneBars } from './components/commune-bars.tsx'
import { colourScale } from './commune-colours.ts'
import { ForecastNote } from './components/forecast-note.tsx'

/** The wall's screens, shown in turn. */
export const WALL_SCREENS = ['tiles', 'trend', 'communes'] as const
export type WallScreen = (typeof WALL_SCREENS)[number]

/** What the wall shows at one step of its rotation: each time round, the next indicator's trend and ranking. */
export function wallStep(step: number, cfg: Pick<IocAnswer, 'headline' | 'commune_ranking'>, pinned: WallScreen | null) {
  const round = Math.floor(step / WALL_SCREENS.length)
  return {
    screen: pinned ?? WALL_SCREENS[step % WALL_SCREENS.length]!,
    trend: cfg.headline[round % cfg.headline.length]!,
    ranking: cfg.commune_ranking[round % cfg.commune_ranking.length]!,
  }
}

interface Freshness {
  dataset: string
  lastLoadedAt: string | null
}

/**
 * The operations centre's wall (/kiosk): the screen exactly, never scrolled, read from across a
 * room — type sized to the screen's height, nothing to click, no links or pagers. Its screens turn
 * on their own (`kiosk_rotate_seconds` in dashboards/ioc.yaml; `?rotate=` for one wall,
 * `?screen=` to keep one screen), under the period, the time the data arrived and the clock. The
 * numbers follow each delivery as the overview's do (pushed; polled while the stream is down).
 */
export default function Wall() {
  const { t, fmt, lang } = useLang()
  const params = new URLSearchParams(location.search)
  const asked = params.get('screen')
  const pinned = (WALL_SCREENS as readonly string[]).includes(asked ?? '') ? (asked as WallScreen) : null
  const setup = useAsync(async () => {
    const { cfg, indicators, months } = await loadIocSetup(1)
    return { cfg, indicators, month: months[0] ?? '' }
  }, [])
  const ready = setup.state === 'ready' ? setup.data : null
  const live = useLiveChanges(['kt_xh'])
  const [polled, setPolled] = useState(0)
  const [step, setStep] = useState(0)
  const [now, setNow] = useState(() => khoNow())
  const rotateSeconds = Number(params.get('rotate')) || ready?.cfg.kiosk_rotate_seconds || 20

  useEffect(() => {
    const tick = setInterval(() => setNow(khoNow()), 15_000)
    return () => clearInterval(tick)
  }, [])
  useEffect(() => {
    if (pinned) return
    const turn = setInterval(() => setStep((s) => s + 1), rotateSeconds * 1000)
    return () => clearInterval(turn)
  }, [pinned, rotateSeconds])
  useEffect(() => {
    if (!ready || live.connected) return
    const timer = setInterval(() => setPolled((p) => p + 1), ready.cfg.kiosk_refresh_seconds * 1000)
    return () => clearInterval(timer)
  }, [ready, live.connected])

  const tiles = useAsync(() => (ready?.month ? loadTiles(ready.cfg.headline, ready.month) : new Promise<never>(() => undefined)), [ready, live.version, polled])
  const received = useAsync(async () => (await api<Freshness[]>('/api/freshness')).find((d) => d.dataset === 'chi_tieu_kt_xh')?.lastLoadedAt ?? null, [live.version, polled])

  return (
    <Show value={setup}>
      {({ cfg, indicators, month }) => {
        const { screen, trend, ranking } = wallStep(step, cfg, pinned)
        const title = screen === 'tiles' ? t('wallTiles') : screen === 'trend' ? `${t('trend')}: ${indicatorName(indicators.get(trend), lang, trend)}` : `${t('communesRanked')}: ${indicatorName(indicators.get(ranking), lang, ranking)}`
        return (
          <div className="wall kiosk overview" data-testid="wall" data-screen={screen} data-ready={tiles.state === 'ready' ? 'true' : 'false'}>
            <header className="wall-head">
              <h1>
                {t('socioEconomic')} — {cfg.province.name}
              </h1>
              <span className="wall-period">{fmt.period(month)}</span>
              <span className="wall-received">
                {t('dataReceived')} {received.state === 'ready' ? fmt.date(received.data) : '…'}
              </span>
              <time className="wall-clock" dateTime={now.toISOString()}>
                {now.toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' })}
              </time>
            </header>
            <h2 className="wall-title">{title}</h2>
            <div className="wall-body">
              {screen === 'tiles' && (
                <Show value={tiles}>
                  {(list) => (
                    <div className="tiles" data-testid="tiles">
                      {list.map((tile) => (
                        <TileCard key={tile.code} tile={tile} ind={indicators.get(tile.code)} cfg={cfg} headerPeriod={month} />
                      ))}
                    </div>
                  )}
                </Show>
              )}
              {screen === 'trend' && (
                <Trend key={trend} code={trend} ind={indicators.get(trend)} year={Number(month.slice(0, 4))} height="100%" className="wall-trend" footer={<ForecastNote code={trend} ind={indicators.get(trend)} year={Number(month.slice(0, 4))} />} />
              )}
              {screen === 'communes' && <WallCommunes key={ranking} code={ranking} month={month} descending={indicators.get(ranking)?.direction !== 'down'} unit={fmt.unit(indicators.get(ranking)?.unit)} />}
            </div>
          </div>
        )
      }}
    </Show>
  )
}

/** One commune indicator on the map and its ten best communes as bars, side by side. */
function WallCommunes({ code, month, descending, unit }: { code: string; month: string; descending: boolean; unit: string }) {
  const { t } = useLang()
  const data = useAsync(() => communeValues(code, month, descending), [code, month])
  return (
    <Show value={data} empty={(d) => d.length === 0} say={t('emptyRanking')}>
      {(rows) => {
        const values = new Map(rows.map((r) => [String(r['kt_xh.unit_code']), n(r['kt_xh.value'])]))
        const scale = colourScale([...values.values()])
        const bars = rows.slice(0, 10).map((r) => ({ unit: String(r['kt_xh.unit_code']), name: String(r['kt_xh.admin_units_name']), value: n(r['kt_xh.value']) }))
        return (
          <div className="wall-communes">
            <CommuneMap values={values} scale={scale} unit={unit} />
            <CommuneBars bars={bars} scale={scale} height="100%" nameWidth={260} />
          </div>
        )
      }}
    </Show>
  )
}
