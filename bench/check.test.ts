import { describe, expect, it } from 'vitest'
import { judge } from './check.ts'

describe('bench:check judges a figure', () => {
  it('by its target, whichever way is better', () => {
    expect(judge({ better: 'lower', target: 30 }, 31.2)).toEqual({ regression: true, why: 'misses its target' })
    expect(judge({ better: 'lower', target: 30 }, 28.4).regression).toBe(false)
    expect(judge({ better: 'higher', target: 0.8 }, 0.79).regression).toBe(true)
    expect(judge({ better: 'higher', target: 0.8 }, 1.02).regression).toBe(false)
  })

  it('by the figure last recorded: more than 20% worse is a regression, better never is', () => {
    expect(judge({ better: 'lower' }, 11.9, 10)).toEqual({ regression: false, why: 'ok' })
    expect(judge({ better: 'lower' }, 12.5, 10)).toEqual({ regression: true, why: '25% worse than recorded' })
    expect(judge({ better: 'lower' }, 5, 10).regression).toBe(false)
    expect(judge({ better: 'higher' }, 700_000, 1_000_000)).toEqual({ regression: true, why: '30% worse than recorded' })
    expect(judge({ better: 'higher' }, 2_000_000, 1_000_000).regression).toBe(false)
    expect(judge({ better: 'higher' }, 1, undefined).regression).toBe(false)
  })
})
