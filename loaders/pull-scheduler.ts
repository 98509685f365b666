import type { CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { nextRun, parseCron, previousRun } from '../infra/cron.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { pullDataset, type PullOptions, type PullResult } from './pull.ts'

export interface PullSchedulerOptions extends Omit<PullOptions, 'dataset'> {
  /** The clock; tests pass a controllable one. */
  now?: () => Date
  onResult?: (dataset: string, result: PullResult) => void
  onError?: (dataset: string, err: Error) => void
}

/**
 * Runs every dataset's pull connector on its cron schedule. A run missed while the service was
 * down is made once at start; a run still going when the next is due is not started twice.
 */
export class PullScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly running = new Map<string, Promise<void>>()
  private stopped = false

  constructor(private readonly opts: PullSchedulerOptions) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date()
  }

  private datasets(): CatalogDataset[] {
    return this.opts.catalog.datasets.filter((d) => d.pull)
  }

  async start(): Promise<void> {
    for (const d of this.datasets()) {
      const schedule = parseCron(d.pull!.schedule)
      const due = previousRun(schedule, this.now())
      const [last] = await queryRows<{ t: number | null }>(
        this.opts.wh.client,
        "SELECT toUnixTimestamp64Milli(maxOrNull(started_at)) AS t FROM meta.loads WHERE dataset = {d:String} AND channel = 'pull'",
        { d: d.id },
      )
      if (due && (last?.t === null || last?.t === undefined || Number(last.t) < due.getTime())) void this.run(d)
      this.plan(d)
    }
  }

  private plan(d: CatalogDataset) {
    if (this.stopped) return
    const at = nextRun(parseCron(d.pull!.schedule), this.now())
    // setTimeout cannot wait longer than ~24.8 days; re-plan from the nearer of the two.
    const wait = Math.min(at.getTime() - this.now().getTime(), 2 ** 31 - 1)
    this.timers.set(
      d.id,
      setTimeout(() => {
        if (this.now() >= at) void this.run(d)
        this.plan(d)
      }, wait),
    )
  }

  /** Pulls one dataset now unless a pull of it is already under way. */
  run(d: CatalogDataset): Promise<void> {
    const current = this.running.get(d.id)
    if (current) return current
    const job = pullDataset({ ...this.opts, dataset: d })
      .then((r) => this.opts.onResult?.(d.id, r))
      .catch((err: Error) => this.opts.onError?.(d.id, err))
      .finally(() => this.running.delete(d.id))
    this.running.set(d.id, job)
    return job
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    await Promise.all(this.running.values())
  }
}
