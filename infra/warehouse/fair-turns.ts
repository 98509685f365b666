/**
 * Turns on the serial engine, served caller by caller instead of first come, first served: each
 * caller waiting has its own line, the lines are served round robin, and the public's line only
 * when no signed-in caller waits. So one caller's burst of queries cannot starve the others — the
 * embedded engine runs one statement at a time, and a queue in arrival order made everyone wait
 * behind the burst. `slots` statements run at once (the engine overlaps a little I/O and parsing).
 */
export class FairTurns {
  private readonly lines = new Map<string, (() => void)[]>()
  /** Callers with someone waiting, in the order they are next served: signed-in first, then the public. */
  private readonly signedIn: string[] = []
  private readonly anonymous: string[] = []
  private running = 0

  constructor(private readonly slots: number) {}

  /** Runs `work` when `caller` has its turn (`isPublic`: behind every signed-in caller). */
  async run<T>(caller: string, isPublic: boolean, work: () => Promise<T>): Promise<T> {
    await this.turn(caller, isPublic)
    try {
      return await work()
    } finally {
      this.running--
      // The caller just served goes behind the others waiting.
      for (const order of [this.signedIn, this.anonymous]) {
        const i = order.indexOf(caller)
        if (i >= 0) order.push(...order.splice(i, 1))
      }
      this.next()
    }
  }

  /** How many wait, for metrics and tests. */
  waiting(): number {
    let n = 0
    for (const line of this.lines.values()) n += line.length
    return n
  }

  private turn(caller: string, isPublic: boolean): Promise<void> {
    if (this.running < this.slots && this.waiting() === 0) {
      this.running++
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      let line = this.lines.get(caller)
      if (!line) {
        this.lines.set(caller, (line = []))
        ;(isPublic ? this.anonymous : this.signedIn).push(caller)
      }
      line.push(resolve)
    })
  }

  private next() {
    while (this.running < this.slots) {
      const order = this.signedIn.length > 0 ? this.signedIn : this.anonymous
      const caller = order.shift()
      if (caller === undefined) return
      const line = this.lines.get(caller)!
      const start = line.shift()!
      // Served once, the caller goes to the back of its order if it has more waiting.
      if (line.length > 0) order.push(caller)
      else this.lines.delete(caller)
      this.running++
      start()
    }
  }
}
