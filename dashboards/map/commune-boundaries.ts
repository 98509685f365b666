import fs from 'node:fs'
import path from 'node:path'
import { feature } from 'topojson-client'
import type { Topology } from 'topojson-specification'
import { communesOf } from '../../infra/identifiers/admin-units.ts'

type Ring = [number, number][]
export type Geometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] }

export interface CommuneFeature {
  type: 'Feature'
  properties: { code: string; name: string }
  geometry: Geometry
}

/** The province's commune boundaries as the overview draws them. */
export interface CommuneMap {
  type: 'FeatureCollection'
  features: CommuneFeature[]
  /** Where the map came from: an illustrative one (the demo's) is labelled so on the overview. */
  source: { name: string; illustrative: boolean; uploaded_at: string; uploaded_by: string }
}

export interface Problem {
  /** 1-based position of the feature in the file; null for the file as a whole. */
  feature: number | null
  vi: string
  en: string
}

/** What an upload held against the province's 2025 communes. */
export interface BoundaryReport {
  ok: boolean
  features: number
  matched: number
  /** The province's communes the file has no boundary for. */
  missing: { code: string; name: string }[]
  /** Features whose code is no 2025 commune of the province (skipped). */
  unknown: { feature: number; code: string; name: string }[]
  problems: Problem[]
}

/** Properties a boundary file names its commune code by, in the order tried (case ignored). */
const CODE_KEYS = ['ma_xa', 'maxa', 'ma_dvhc', 'madvhc', 'commune_code', 'code', 'ma', 'id']
const NAME_KEYS = ['ten_xa', 'tenxa', 'ten', 'name', 'ten_dvhc']
/** A province's boundaries need far fewer points; more is a file meant to exhaust the server. */
const MAX_POINTS = 2_000_000

const fileProblem = (vi: string, en: string): BoundaryReport => ({ ok: false, features: 0, matched: 0, missing: [], unknown: [], problems: [{ feature: null, vi, en }] })

function property(props: Record<string, unknown>, keys: string[]): string {
  const byLower = new Map(Object.entries(props).map(([k, v]) => [k.toLowerCase(), v]))
  for (const k of keys) {
    const v = byLower.get(k)
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim()
  }
  return ''
}

/** A ring of [lon, lat] pairs, rounded to ~1 m; null when it is no closed ring of numbers on the globe. */
function ring(raw: unknown): Ring | null {
  if (!Array.isArray(raw) || raw.length < 4) return null
  const out: Ring = []
  for (const p of raw) {
    if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return null
    const [lon, lat] = p as number[]
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon!) > 180 || Math.abs(lat!) > 90) return null
    out.push([Math.round(lon! * 1e5) / 1e5, Math.round(lat! * 1e5) / 1e5])
  }
  return out
}

function geometry(raw: unknown): Geometry | null {
  const g = raw as { type?: unknown; coordinates?: unknown } | null
  if (!g || !Array.isArray(g.coordinates)) return null
  const polygon = (rings: unknown): Ring[] | null => {
    if (!Array.isArray(rings) || rings.length === 0) return null
    const out = rings.map(ring)
    return out.every((r): r is Ring => r !== null) ? out : null
  }
  if (g.type === 'Polygon') {
    const p = polygon(g.coordinates)
    return p ? { type: 'Polygon', coordinates: p } : null
  }
  if (g.type === 'MultiPolygon') {
    const ps = g.coordinates.map(polygon)
    return ps.length > 0 && ps.every((p): p is Ring[] => p !== null) ? { type: 'MultiPolygon', coordinates: ps } : null
  }
  return null
}

/** The features of a GeoJSON FeatureCollection or Feature, or of every object of a TopoJSON topology. */
function featuresOf(doc: unknown): unknown[] | BoundaryReport {
  const d = doc as { type?: unknown; features?: unknown; objects?: Record<string, unknown> } | null
  if (d?.type === 'FeatureCollection' && Array.isArray(d.features)) return d.features
  if (d?.type === 'Feature') return [d]
  if (d?.type === 'Topology' && d.objects && typeof d.objects === 'object') {
    const out: unknown[] = []
    for (const name of Object.keys(d.objects)) {
      try {
        const f = feature(d as unknown as Topology, name) as unknown as { type: string; features?: unknown[] }
        out.push(...(f.type === 'FeatureCollection' ? (f.features ?? []) : [f]))
      } catch {
        // topojson-client trusts its input: arcs or objects that are not what TopoJSON says throw.
        return fileProblem(`TopoJSON không hợp lệ: đối tượng "${name}" tham chiếu cung (arcs) không có hoặc sai cấu trúc`, `Invalid TopoJSON: object "${name}" refers to arcs that are missing or malformed`)
      }
    }
    return out
  }
  const type = typeof d?.type === 'string' ? d.type : 'none'
  return fileProblem(`Tệp phải là GeoJSON (FeatureCollection) hoặc TopoJSON (Topology), không phải "${type}"`, `The file must be GeoJSON (FeatureCollection) or TopoJSON (Topology), not "${type}"`)
}

/**
 * Reads a boundary file (GeoJSON or TopoJSON) and matches its features to the province's communes
 * of 2025 by the code each carries: a feature with a code that is no commune of the province, a
 * duplicate, or a geometry that is no polygon is reported and skipped; communes left without a
 * boundary are listed. The map is usable when at least one commune matched.
 */
export function readBoundaries(bytes: Buffer, provinceCode: string): { report: BoundaryReport; features: CommuneFeature[] } {
  const none = (report: BoundaryReport) => ({ report, features: [] })
  let doc: unknown
  try {
    doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''))
  } catch (err) {
    const where = (err as Error).message.replace(/^.*?(at position \d+.*)$/, '$1')
    return none(fileProblem(`Tệp không phải JSON hợp lệ (${where})`, `The file is not valid JSON (${where})`))
  }
  const raw = featuresOf(doc)
  if (!Array.isArray(raw)) return none(raw)
  const communes = new Map(communesOf(provinceCode).map((c) => [c.code, c]))
  const problems: Problem[] = []
  const unknown: BoundaryReport['unknown'] = []
  const features = new Map<string, CommuneFeature>()
  let points = 0
  raw.forEach((f, i) => {
    const n = i + 1
    const props = ((f as { properties?: unknown })?.properties ?? {}) as Record<string, unknown>
    const idProp = (f as { id?: unknown })?.id
    let code = property(props, CODE_KEYS) || (idProp !== undefined ? String(idProp).trim() : '')
    if (/^\d{1,4}$/.test(code)) code = code.padStart(5, '0') // a spreadsheet or a GIS tool dropped the leading zeros
    const name = property(props, NAME_KEYS)
    if (!code) {
      problems.push({ feature: n, vi: `Đối tượng ${n}${name ? ` (${name})` : ''} không có mã xã (thuộc tính ma_xa hoặc code)`, en: `Feature ${n}${name ? ` (${name})` : ''} has no commune code (property ma_xa or code)` })
      return
    }
    const commune = communes.get(code)
    if (!commune) {
      unknown.push({ feature: n, code, name })
      return
    }
    if (features.has(code)) {
      problems.push({ feature: n, vi: `Đối tượng ${n}: xã ${code} (${commune.name}) đã có ranh giới ở đối tượng trước, bỏ qua`, en: `Feature ${n}: commune ${code} (${commune.name}) already has a boundary earlier in the file; skipped` })
      return
    }
    const g = geometry((f as { geometry?: unknown })?.geometry)
    if (!g) {
      problems.push({ feature: n, vi: `Đối tượng ${n}: ranh giới xã ${code} không phải vùng (Polygon/MultiPolygon) với tọa độ kinh độ, vĩ độ hợp lệ`, en: `Feature ${n}: the boundary of commune ${code} is no Polygon/MultiPolygon of valid longitude, latitude pairs` })
      return
    }
    points += (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat()).reduce((sum, r) => sum + r.length, 0)
    features.set(code, { type: 'Feature', properties: { code, name: commune.name }, geometry: g })
  })
  if (points > MAX_POINTS) return none(fileProblem(`Tệp có quá nhiều điểm (${points.toLocaleString('vi-VN')}; tối đa ${MAX_POINTS.toLocaleString('vi-VN')}): hãy đơn giản hóa ranh giới`, `The file has too many points (${points}; at most ${MAX_POINTS}): simplify the boundaries`))
  const missing = [...communes.values()].filter((c) => !features.has(c.code)).map((c) => ({ code: c.code, name: c.name }))
  if (features.size === 0) {
    problems.unshift({ feature: null, vi: 'Không có đối tượng nào khớp một xã, phường của tỉnh (danh mục 2025)', en: "No feature matches a commune of the province (2025 list)" })
  }
  const report: BoundaryReport = { ok: features.size > 0, features: raw.length, matched: features.size, missing, unknown, problems }
  return { report, features: [...features.values()] }
}

export const mapFile = (mapsDir: string) => path.join(mapsDir, 'communes.json')

/** Stores the map whole or not at all: readers never see half a file. */
export function saveCommuneMap(mapsDir: string, features: CommuneFeature[], source: CommuneMap['source']): CommuneMap {
  const map: CommuneMap = { type: 'FeatureCollection', features, source }
  fs.mkdirSync(mapsDir, { recursive: true })
  const file = mapFile(mapsDir)
  fs.writeFileSync(`${file}.part`, JSON.stringify(map))
  fs.renameSync(`${file}.part`, file)
  return map
}

export function readCommuneMap(mapsDir: string): CommuneMap | null {
  const file = mapFile(mapsDir)
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CommuneMap) : null
}
