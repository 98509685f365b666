import { describe, expect, it } from 'vitest'
import { forecastYearEnd, type YearOfMonths } from './year-end-forecast.ts'

// A year's shape: a slow January–February (Tết), a strong December.
const SHAPE = [6, 5, 8, 8, 8.5, 8.5, 8.5, 8.5, 9, 9, 10, 11].map((w) => w / 100)
const yearOf = (total: number): number[] => SHAPE.map((w) => w * total)
const through = (months: number[], m: number): YearOfMonths => months.map((v, i) => (i < m ? v : null))

describe('the year-end forecast', () => {
  it('gives the known total of a flow whose years keep one shape, with no range', () => {
    // 10% growth a year: 2026 will end at 133.1 if it keeps the shape; ten months are in.
    const series = new Map<number, YearOfMonths>([
      [2023, yearOf(100)],
      [2024, yearOf(110)],
      [2025, yearOf(121)],
      [2026, through(yearOf(133.1), 10)],
    ])
    const f = forecastYearEnd(series, 2026, 'sum')!
    expect(f.method).toBe('share_of_year')
    expect(f.throughMonth).toBe(10)
    expect(f.basisYears).toEqual([2023, 2024, 2025])
    expect(f.value).toBeCloseTo(133.1, 9)
    expect(f.low).toBeCloseTo(133.1, 9)
    expect(f.high).toBeCloseTo(133.1, 9)
  })

  it('ranges over the past years when their shapes differ, and skips an incomplete year', () => {
    // 2024 reached 80% by October, 2025 75%: this year's 90 so far projects to 112.5 or 120.
    const flat = (shareToOctober: number) => [...Array.from({ length: 10 }, () => (shareToOctober * 100) / 10), ((1 - shareToOctober) * 100) / 2, ((1 - shareToOctober) * 100) / 2]
    const series = new Map<number, YearOfMonths>([
      [2023, through(flat(0.8), 7)],
      [2024, flat(0.8)],
      [2025, flat(0.75)],
      [2026, through(Array.from({ length: 12 }, () => 9), 10)],
    ])
    const f = forecastYearEnd(series, 2026, 'sum')!
    expect(f.basisYears).toEqual([2024, 2025])
    expect(f.low).toBeCloseTo(112.5, 9)
    expect(f.high).toBeCloseTo(120, 9)
    expect(f.value).toBeCloseTo(116.25, 9)
  })

  it('projects a stock or a rate by how December compared with the same month', () => {
    // December is 2% above August in each past year; this August is 50.
    const stock = (aug: number) => Array.from({ length: 12 }, (_, i) => (i < 7 ? aug * 0.99 : i === 7 ? aug : i === 11 ? aug * 1.02 : aug * 1.01))
    const series = new Map<number, YearOfMonths>([
      [2025, stock(40)],
      [2026, through(stock(50), 8)],
    ])
    const f = forecastYearEnd(series, 2026, 'last')!
    expect(f.method).toBe('ratio_to_december')
    expect(f.value).toBeCloseTo(51, 9)
  })

  it('says nothing without a month, with December in, or without a complete past year', () => {
    expect(forecastYearEnd(new Map([[2025, yearOf(100)]]), 2026, 'sum')).toBeNull()
    expect(forecastYearEnd(new Map([[2025, yearOf(100)], [2026, yearOf(110)]]), 2026, 'sum')).toBeNull()
    expect(forecastYearEnd(new Map([[2025, through(yearOf(100), 11)], [2026, through(yearOf(110), 3)]]), 2026, 'sum')).toBeNull()
  })
})
