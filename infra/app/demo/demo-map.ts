import { communesOf } from '../../identifiers/admin-units.ts'
import { readCommuneMap, saveCommuneMap, type CommuneFeature } from '../../../dashboards/map/commune-boundaries.ts'
import * as clock from '../../time/clock.ts'

/** Roughly where the demo province lies; the shapes are made up, so only the place is real. */
const CENTRE = { lon: 106.2, lat: 21.25 }
const CELL = 0.045

/** A deterministic jitter in [-1, 1] from two integers (the same map on every start). */
const jitter = (a: number, b: number) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453
  return (x - Math.floor(x)) * 2 - 1
}

/**
 * The demo's commune boundaries: a made-up tessellation — one cell per commune of 2025, in code
 * order, corners shared and shaken so the cells read as communes, not squares. Labelled
 * illustrative ("bản đồ minh họa") wherever it is shown; a steward's upload replaces it.
 */
export function writeDemoMap(mapsDir: string, provinceCode: string): boolean {
  if (readCommuneMap(mapsDir)) return false
  const communes = communesOf(provinceCode)
  const cols = Math.ceil(Math.sqrt(communes.length))
  const rows = Math.ceil(communes.length / cols)
  const corner = (i: number, j: number): [number, number] => {
    const inner = i > 0 && j > 0 && i < cols && j < rows
    const lon = CENTRE.lon + (i - cols / 2) * CELL + (inner ? jitter(i, j) * CELL * 0.3 : 0)
    const lat = CENTRE.lat + (rows / 2 - j) * CELL * 0.9 + (inner ? jitter(j, i) * CELL * 0.3 : 0)
    return [Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5]
  }
  const features: CommuneFeature[] = communes.map((c, k) => {
    const i = k % cols
    const j = Math.floor(k / cols)
    const ring = [corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1), corner(i, j)]
    return { type: 'Feature', properties: { code: c.code, name: c.name }, geometry: { type: 'Polygon', coordinates: [ring] } }
  })
  saveCommuneMap(mapsDir, features, { name: 'bản đồ minh họa', illustrative: true, uploaded_at: clock.now().toISOString(), uploaded_by: 'demo' })
  return true
}
