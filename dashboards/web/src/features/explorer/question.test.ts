import { describe, expect, it } from 'vitest'
import { dimensionGroup, drilled, EMPTY, indicatorQuestion, pivotOf, rangePresets, toQuery, type Question } from './question.ts'

const byCommuneByQuarter: Question = {
  ...indicatorQuestion('ENT_NEW', '2026-11-25'),
  dimensions: ['kt_xh.admin_units_name'],
  time: { dimension: 'kt_xh.period_start', granularity: 'quarter', from: '2025-01-01', to: '2026-12-31', compare: false },
  display: 'pivot',
}

describe("the explorer's question", () => {
  it('offers ranges in words from kho’s day, whole months and years', () => {
    expect(rangePresets('2026-11-25')).toEqual([
      { key: 'last12', from: '2025-12-01', to: '2026-11-25' },
      { key: 'thisYear', from: '2026-01-01', to: '2026-12-31' },
      { key: 'lastYear', from: '2025-01-01', to: '2025-12-31' },
      { key: 'twoYears', from: '2025-01-01', to: '2026-12-31' },
      { key: 'fiveYears', from: '2022-01-01', to: '2026-12-31' },
    ])
  })

  it('pivots its one dimension against its time slots, and nothing else', () => {
    expect(pivotOf(byCommuneByQuarter)).toEqual({ rows: 'kt_xh.admin_units_name', columns: 'kt_xh.period_start.quarter' })
    expect(pivotOf({ ...byCommuneByQuarter, dimensions: [] })).toBeNull()
    expect(pivotOf({ ...EMPTY, measures: ['kt_xh.value'], dimensions: ['a', 'b'] })).toEqual({ rows: 'a', columns: 'b' })
  })

  it('drills a quarter into its months and a commune into a filter', () => {
    const quarter = drilled(byCommuneByQuarter, 'kt_xh.period_start.quarter', '2025-04-01T00:00:00.000')
    expect(quarter.time).toMatchObject({ from: '2025-04-01', to: '2025-06-30', granularity: 'month' })
    expect(drilled(byCommuneByQuarter, 'kt_xh.period_start.quarter', '2024-10-01T00:00:00.000').time).toMatchObject({ from: '2024-10-01', to: '2024-12-31' })
    expect(drilled({ ...byCommuneByQuarter, time: { ...byCommuneByQuarter.time!, granularity: 'month' } }, 'kt_xh.period_start.month', '2024-02-01T00:00:00.000').time).toMatchObject({ from: '2024-02-01', to: '2024-02-29', granularity: 'day' })
    const commune = drilled(byCommuneByQuarter, 'kt_xh.admin_units_name', 'Phường Bắc Giang')
    expect(commune.dimensions).toEqual([])
    expect(commune.filters.at(-1)).toEqual({ member: 'kt_xh.admin_units_name', operator: 'equals', values: ['Phường Bắc Giang'] })
    expect(commune.display).toBe('chart')
  })

  it('orders by a member of the question only', () => {
    expect(toQuery({ ...byCommuneByQuarter, order: { member: 'kt_xh.value', desc: true } }).order).toEqual([['kt_xh.value', 'desc']])
    expect(toQuery({ ...byCommuneByQuarter, order: { member: 'kt_xh.plan', desc: false } }).order).toBeUndefined()
  })

  it('groups the dimensions by kind: indicator, time, place, agency', () => {
    const members = ['kt_xh.indicator_code', 'kt_xh.indicators_name', 'kt_xh.indicators_sector', 'kt_xh.period', 'kt_xh.period_kind', 'kt_xh.year', 'kt_xh.unit_code', 'kt_xh.unit_level', 'kt_xh.admin_units_name', 'kt_xh.agency', 'submissions.due_on', 'submissions.status']
    expect(members.map(dimensionGroup)).toEqual(['indicator', 'indicator', 'indicator', 'time', 'time', 'time', 'place', 'place', 'place', 'agency', 'time', 'other'])
  })
})
