import { indicatorName } from '../../../catalog-data.ts'
import type { IndicatorAnswer, IocAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { statusOf } from '../../../../../../infra/contracts/indicator-status.ts'
import { useLang } from '../../../i18n.ts'
import { type Tile } from '../ioc-queries.ts'

/**
 * One headline indicator; a button that opens its drill on the overview, a plain box on the wall
 * (nothing there is touched), which also leaves out the period when it is the one in its header.
 */
export function TileCard({ tile, ind, cfg, selected = false, onSelect, headerPeriod, communeFilter = false }: { tile: Tile; ind: IndicatorAnswer | undefined; cfg: IocAnswer; selected?: boolean; onSelect?: () => void; headerPeriod?: string; communeFilter?: boolean }) {
  const { t, fmt, lang } = useLang()
  const status = statusOf(ind, tile.ytdPlanPct ?? tile.planPct, tile.growthPct, cfg.status)
  const Box = onSelect ? 'button' : 'div'
  return (
    <Box
      {...(onSelect ? { type: 'button' as const, 'aria-pressed': selected, onClick: onSelect } : {})}
      className={`tile status-${status}${selected ? ' selected' : ''}`}
      data-testid={`tile-${tile.code}`}
      data-value={tile.value ?? ''}
      data-period={tile.period}
      data-status={status}
    >
      <span className="tile-name">{indicatorName(ind, lang, tile.code)}</span>
      <span className="tile-value">
        {fmt.number(tile.value)} <small>{fmt.unit(ind?.unit)}</small>
      </span>
      {tile.period !== headerPeriod && <span className="tile-period">{tile.period ? fmt.period(tile.period) : communeFilter && ind?.level === 'province' ? t('provinceOnly') : t('tileNoFigure')}</span>}
      <span className="tile-facts">
        {tile.ytdPlanPct !== null ? `${fmt.pct(tile.ytdPlanPct)} ${t('ofPlan')}` : tile.planPct !== null ? `${fmt.pct(tile.planPct)} ${t('ofPlan')}` : t('noPlan')}
        {' · '}
        {tile.growthPct !== null ? `${tile.growthPct >= 0 ? '+' : ''}${fmt.pct(tile.growthPct)} ${t('vsLastYear')}` : '—'}
      </span>
    </Box>
  )
}
