import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import type { ColourScale } from '../commune-colours.ts'

type Ring = [number, number][]
interface MapFeature {
  properties: { code: string; name: string }
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] }
}
interface CommuneMapData {
  features: MapFeature[]
  source: { name: string; illustrative: boolean; uploaded_at: string }
}

let boundaries: Promise<CommuneMapData | null> | null = null
/** The province's boundaries, fetched once per page load. */
const communeMap = () => (boundaries ??= api<{ map: CommuneMapData | null }>('/api/map/communes').then((r) => r.map))

const WIDTH = 480

/**
 * SVG paths for the features, fitted to WIDTH. A province spans well under a degree or two, so an
 * equirectangular projection scaled by the cosine of its middle latitude draws it true enough; a
 * projection library would add nothing here.
 */
function project(features: MapFeature[]) {
  const rings = features.flatMap((f) => (f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat()))
  const points = rings.flat()
  const lons = points.map((p) => p[0])
  const lats = points.map((p) => p[1])
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)]
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180)
  const scale = WIDTH / Math.max(1e-9, (maxLon - minLon) * kx)
  const height = Math.ceil((maxLat - minLat) * scale)
  const d = (ring: Ring) => ring.map(([lon, lat], i) => `${i ? 'L' : 'M'}${((lon - minLon) * kx * scale).toFixed(1)},${((maxLat - lat) * scale).toFixed(1)}`).join('') + 'Z'
  const paths = features.map((f) => ({
    code: f.properties.code,
    name: f.properties.name,
    d: (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).map((polygon) => polygon.map(d).join('')).join(''),
  }))
  return { paths, height }
}

/**
 * The selected indicator by commune as a choropleth, in the ranking's colours; a click (or Enter)
 * on a commune drills into it, as the ranking's names do.
 */
export function CommuneMap({ values, scale, unit, onCommune }: { values: Map<string, number | null>; scale: ColourScale; unit: string; onCommune?: (code: string, name: string) => void }) {
  const { t, fmt } = useLang()
  const map = useAsync(communeMap, [])
  return (
    <Show value={map}>
      {(m) => {
        if (!m || m.features.length === 0) return <p className="state empty">{t('noMap')}</p>
        const { paths, height } = project(m.features)
        return (
          <figure className="commune-map" data-testid="commune-map">
            <svg viewBox={`-2 -2 ${WIDTH + 4} ${height + 4}`} role="img" aria-label={t('byCommune')}>
              {paths.map((p) => {
                const v = values.get(p.code) ?? null
                return (
                  <path
                    key={p.code}
                    d={p.d}
                    fill={scale.colourOf(v)}
                    stroke="#fff"
                    strokeWidth={0.8}
                    data-unit={p.code}
                    aria-label={`${p.name}: ${fmt.number(v)} ${unit}`}
                    {...(onCommune
                      ? { tabIndex: 0, role: 'button', onClick: () => onCommune(p.code, p.name), onKeyDown: (e: { key: string }) => e.key === 'Enter' && onCommune(p.code, p.name) }
                      : {})}
                  >
                    <title>{`${p.name}: ${fmt.number(v)} ${unit}`}</title>
                  </path>
                )
              })}
            </svg>
            <figcaption>
              <ul className="legend" data-testid="map-legend">
                {scale.classes.map((c) => (
                  <li key={c.colour}>
                    <span className="swatch" style={{ background: c.colour }} data-colour={c.colour} /> {fmt.number(c.from)} – {fmt.number(c.to)}
                  </li>
                ))}
              </ul>
              {m.source.illustrative && (
                <small className="illustrative" data-testid="map-illustrative">
                  {t('illustrativeMap')}
                </small>
              )}
            </figcaption>
          </figure>
        )
      }}
    </Show>
  )
}
