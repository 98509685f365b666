import { describe, expect, it } from 'vitest'
import { FairTurns } from './fair-turns.ts'

/** Work that ends when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void
  const done = new Promise<void>((r) => (open = r))
  return { work: () => (log.push(name), done), open }
}

/** Lets every promise that can settle do so. */
const settle = () => new Promise((r) => setImmediate(r))

describe('turns on the serial engine', () => {
  it("serves callers in turn: one caller's burst does not make another wait behind all of it", async () => {
    const turns = new FairTurns(1)
    const started: string[] = []
    const burst = Array.from({ length: 5 }, (_, i) => gate(started, `a${i}`))
    const runs = burst.map((g) => turns.run('acct:a', false, g.work))
    const b = gate(started, 'b0')
    const bRun = turns.run('acct:b', false, b.work)
    await settle()
    expect(started).toEqual(['a0'])
    burst[0]!.open()
    await runs[0]
    // b's one query comes right after the first of a's five, not after all of them.
    await settle()
    expect(started).toEqual(['a0', 'b0'])
    b.open()
    await bRun
    for (const g of burst) g.open()
    await Promise.all(runs)
    expect(started).toEqual(['a0', 'b0', 'a1', 'a2', 'a3', 'a4'])
  })

  it('serves the public only when no signed-in caller waits', async () => {
    const turns = new FairTurns(1)
    const started: string[] = []
    const first = gate(started, 'x')
    const firstRun = turns.run('acct:x', false, first.work)
    const pub = gate(started, 'public')
    const pubRun = turns.run('public', true, pub.work)
    const late = gate(started, 'y')
    const lateRun = turns.run('acct:y', false, late.work)
    first.open()
    await firstRun
    await settle()
    expect(started).toEqual(['x', 'y'])
    late.open()
    pub.open()
    await Promise.all([lateRun, pubRun])
    expect(started).toEqual(['x', 'y', 'public'])
    expect(turns.waiting()).toBe(0)
  })
})
