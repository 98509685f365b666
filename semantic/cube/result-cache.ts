import { createHash } from 'node:crypto'

/**
 * Query results by SQL, parameters and the data version of the marts (bumped by every transform
 * run), so a cached answer is never older than the data. Identical queries in flight run once.
 */
export class ResultCache<T> {
  private readonly entries = new Map<string, T>()
  private readonly inFlight = new Map<string, Promise<T>>()
  hits = 0
  misses = 0

  constructor(private readonly maxEntries = 1000) {}

  key(sql: string, params: Record<string, string>, dataVersion: number): string {
    return createHash('sha256').update(JSON.stringify([sql, params, dataVersion])).digest('hex')
  }

  /** Forgets every answer (a bench compares runs from a cold cache). */
  clear(): void {
    this.entries.clear()
  }

  async get(key: string, compute: () => Promise<T>, bypass = false): Promise<T> {
    if (!bypass && this.entries.has(key)) {
      this.hits++
      const value = this.entries.get(key)!
      // Re-insert to keep the most recently used last.
      this.entries.delete(key)
      this.entries.set(key, value)
      return value
    }
    const running = this.inFlight.get(key)
    if (running) return running
    this.misses++
    const job = compute().finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, job)
    const value = await job
    this.entries.set(key, value)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return value
  }
}
