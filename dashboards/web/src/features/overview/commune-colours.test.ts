import { describe, expect, it } from 'vitest'
import { colourScale, NO_DATA, PALETTE } from './commune-colours.ts'

describe('the communes colour scale (map and ranking)', () => {
  it('puts about a fifth of the communes in each of five classes, darker for more', () => {
    const s = colourScale(Array.from({ length: 100 }, (_, i) => i))
    expect(s.classes.map((c) => c.colour)).toEqual([...PALETTE])
    expect(s.colourOf(0)).toBe(PALETTE[0])
    expect(s.colourOf(99)).toBe(PALETTE[4])
    const counts = PALETTE.map((p) => Array.from({ length: 100 }, (_, i) => s.colourOf(i)).filter((c) => c === p).length)
    expect(counts).toEqual([20, 20, 20, 20, 20])
    expect(s.colourOf(null)).toBe(NO_DATA)
  })

  it('merges classes that ties make equal, keeping the lightest and the darkest and a legend without repeats', () => {
    const s = colourScale([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 5])
    const ranges = s.classes.map((c) => `${c.from}-${c.to}`)
    expect(new Set(ranges).size).toBe(ranges.length)
    expect(s.colourOf(0)).toBe(PALETTE[0])
    expect(s.colourOf(5)).toBe(PALETTE[4])
    expect(colourScale([3, 3, 3]).classes).toHaveLength(1)
  })
})
