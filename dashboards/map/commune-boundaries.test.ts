import { describe, expect, it } from 'vitest'
import { communesOf } from '../../infra/identifiers/admin-units.ts'
import { readBoundaries } from './commune-boundaries.ts'

const BAC_NINH = '24'
const communes = communesOf(BAC_NINH)
const square = (x: number, y: number) => [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]]
const geo = (features: unknown[]) => Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }))
const polygon = (props: Record<string, unknown>, x = 106, y = 21) => ({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: square(x, y) } })

describe('commune boundaries (GeoJSON, TopoJSON) against the 2025 communes', () => {
  it('matches features by their code, reports unknown codes, duplicates, bad geometries and the communes left without one', () => {
    const [a, b, c] = communes
    const { report, features } = readBoundaries(
      geo([
        polygon({ ma_xa: a!.code, ten_xa: 'tên trong tệp' }),
        polygon({ MA_XA: Number(b!.code) }, 106.02), // a GIS tool stored the code as a number: the leading zero is restored
        polygon({ code: '99999', name: 'Xã lạ' }),
        polygon({ code: a!.code }), // the same commune twice
        { type: 'Feature', properties: { code: c!.code }, geometry: { type: 'LineString', coordinates: [[106, 21], [106.1, 21.1]] } },
        polygon({ name: 'không có mã' }),
        polygon({ code: '01001' }), // a real 2025 commune, of another province
      ]),
      BAC_NINH,
    )
    expect(report.ok).toBe(true)
    expect(report.features).toBe(7)
    expect(report.matched).toBe(2)
    expect(features.map((f) => f.properties)).toEqual([
      { code: a!.code, name: a!.name },
      { code: b!.code, name: b!.name },
    ])
    expect(report.unknown).toEqual([
      { feature: 3, code: '99999', name: 'Xã lạ' },
      { feature: 7, code: '01001', name: '' },
    ])
    expect(report.problems.map((p) => p.feature)).toEqual([4, 5, 6])
    expect(report.problems[0]!.vi).toContain(a!.name)
    expect(report.problems[1]!.en).toContain('Polygon/MultiPolygon')
    expect(report.problems[2]!.vi).toContain('không có mã xã')
    expect(report.missing).toHaveLength(communes.length - 2)
    expect(report.missing[0]).toEqual({ code: c!.code, name: c!.name })
  })

  it('reads TopoJSON: each object of the topology, arcs decoded', () => {
    const [a, b] = communes
    const topology = {
      type: 'Topology',
      arcs: [
        [[106, 21], [106.01, 21], [106.01, 21.01], [106, 21.01], [106, 21]],
        [[106.01, 21], [106.02, 21], [106.02, 21.01], [106.01, 21.01], [106.01, 21]],
      ],
      objects: {
        xa: {
          type: 'GeometryCollection',
          geometries: [
            { type: 'Polygon', arcs: [[0]], properties: { ma_xa: a!.code } },
            { type: 'MultiPolygon', arcs: [[[1]]], id: b!.code },
          ],
        },
      },
    }
    const { report, features } = readBoundaries(Buffer.from(JSON.stringify(topology)), BAC_NINH)
    expect(report).toMatchObject({ ok: true, features: 2, matched: 2, unknown: [], problems: [] })
    expect(features[0]!.geometry).toEqual({ type: 'Polygon', coordinates: [[[106, 21], [106.01, 21], [106.01, 21.01], [106, 21.01], [106, 21]]] })
    expect(features[1]!.geometry.type).toBe('MultiPolygon')
  })

  it('refuses what is no boundary file, saying why in both languages', () => {
    const broken = readBoundaries(Buffer.from('{"type": "FeatureCollection", "features": [ {'), BAC_NINH)
    expect(broken.report.ok).toBe(false)
    expect(broken.report.problems[0]!.vi).toMatch(/^Tệp không phải JSON hợp lệ/)
    expect(broken.report.problems[0]!.en).toMatch(/position/)
    const wrong = readBoundaries(Buffer.from(JSON.stringify({ type: 'Point', coordinates: [106, 21] })), BAC_NINH)
    expect(wrong.report.problems[0]!.en).toBe('The file must be GeoJSON (FeatureCollection) or TopoJSON (Topology), not "Point"')
    // TopoJSON whose arcs or objects are not what they claim: a report, never a server error.
    for (const topology of [
      { type: 'Topology', arcs: [], objects: { xa: { type: 'GeometryCollection', geometries: [{ type: 'Polygon', arcs: [[5]] }] } } },
      { type: 'Topology', objects: { xa: null } },
      { type: 'Topology', objects: { xa: { type: 'Polygon', arcs: 'x' } } },
    ]) {
      const bad = readBoundaries(Buffer.from(JSON.stringify(topology)), BAC_NINH)
      expect(bad.report.ok).toBe(false)
      expect(bad.report.problems[0]!.en).toBe('Invalid TopoJSON: object "xa" refers to arcs that are missing or malformed')
    }
    const none = readBoundaries(geo([polygon({ code: '99999' })]), BAC_NINH)
    expect(none.report).toMatchObject({ ok: false, matched: 0 })
    expect(none.report.problems[0]!.en).toContain('No feature matches')
    const outside = readBoundaries(geo([polygon({ code: communes[0]!.code }, 200, 21)]), BAC_NINH)
    expect(outside.report.ok).toBe(false)
    // A BOM, as Windows tools write, is no problem.
    expect(readBoundaries(Buffer.concat([Buffer.from('\uFEFF'), geo([polygon({ code: communes[0]!.code })])]), BAC_NINH).report.ok).toBe(true)
  })
})
