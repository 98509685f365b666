import { HttpError } from './http-error.ts'

/** A fixed-window counter per key: simple, bounded, and enough for one machine. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit (`weight` of them: one request that asks for several answers); returns the seconds to wait when over the limit, else 0. */
  hit(key: string, weight = 1): number {
    const t = this.now()
    let w = this.windows.get(key)
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 }
      this.windows.set(key, w)
      // Forget old windows now and then so the map stays small.
      if (this.windows.size > 10_000) for (const [k, v] of this.windows) if (t - v.start >= this.windowMs) this.windows.delete(k)
    }
    w.count += weight
    return w.count > this.limit ? Math.ceil((w.start + this.windowMs - t) / 1000) : 0
  }
}

/** A 429 with the wait, in Vietnamese and English. */
export const tooMany = (retryAfter: number, vi: string, en: string) => Object.assign(new HttpError(429, 'rate_limited', vi, en), { retryAfter })
