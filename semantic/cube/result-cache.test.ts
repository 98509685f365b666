import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { ResultCache } from './result-cache.ts'

describe('result cache', () => {
  it('runs identical queries in flight once, answers repeats from memory, and keys on the data version', async () => {
    const cache = new ResultCache<number>(2)
    let runs = 0
    const compute = async () => {
      runs++
      await sleep(20)
      return runs
    }
    const key = cache.key('SELECT 1', { p0: 'x' }, 1)
    expect(await Promise.all([cache.get(key, compute), cache.get(key, compute)])).toEqual([1, 1])
    expect(runs).toBe(1)
    expect(await cache.get(key, compute)).toBe(1)
    expect(cache.hits).toBe(1)
    expect(cache.key('SELECT 1', { p0: 'x' }, 2)).not.toBe(key)
    expect(await cache.get(key, compute, true)).toBe(2)
  })

  it('forgets the least recently used entry beyond its size', async () => {
    const cache = new ResultCache<string>(2)
    await cache.get('a', async () => 'A')
    await cache.get('b', async () => 'B')
    await cache.get('a', async () => 'A again')
    await cache.get('c', async () => 'C')
    expect(await cache.get('a', async () => 'recomputed')).toBe('A')
    expect(await cache.get('b', async () => 'recomputed')).toBe('recomputed')
  })
})
