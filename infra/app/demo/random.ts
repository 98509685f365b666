/** A seeded generator (mulberry32), so the demo province is the same on every machine. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Index drawn with probability proportional to its weight, given cumulative weights. */
  weighted(cumulative: readonly number[]): number {
    const x = this.next() * cumulative[cumulative.length - 1]!
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** Approximately normal, mean 0 and deviation 1 (sum of uniforms). */
  normal(): number {
    return this.next() + this.next() + this.next() + this.next() + this.next() + this.next() - 3
  }

  digits(n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10))
    return s
  }
}

export function cumulativeOf(weights: readonly number[]): number[] {
  let sum = 0
  return weights.map((w) => (sum += w))
}

/**
 * A uniform sample of at most `size` of the items offered so far (reservoir sampling), so the demo
 * can draw people and enterprises for its other datasets without holding a whole register.
 */
export class Reservoir<T> {
  readonly items: T[] = []
  private seen = 0

  constructor(
    private readonly rng: Random,
    private readonly size: number,
  ) {}

  offer(item: T): void {
    const slot = this.seen++ < this.size ? this.items.length : this.rng.int(0, this.seen - 1)
    if (slot < this.size) this.items[slot] = item
  }
}
