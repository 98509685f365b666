import type { Warehouse } from '../../infra/warehouse/client.ts'
import { runDataTests, type TestResult } from './data-tests.ts'
import { modelsForDeliveries, selectModels } from './dag.ts'
import type { Project } from '../project/project.ts'
import { runModels, type RunOptions, type RunResult } from './run.ts'
import * as clock from '../../infra/time/clock.ts'

export interface TransformOutcome {
  run: RunResult
  tests: { runId: string; results: TestResult[] }
  /** When the run began (ISO): every delivery committed before it is in the marts once it is done. */
  startedAt: string
  finishedAt: string
}

/**
 * How long a delivery's run waits for others that come with it (an upload of several files). Kept
 * short: deliveries that arrive while a run is going wait for it anyway and make one run after it.
 */
export const DELIVERY_RUN_DELAY_MS = 200

/**
 * One transform run at a time for the service: runs on request (the CLI, the API) and, debounced,
 * after committed loads, so the marts follow the deliveries without a run per file.
 */
export class TransformCoordinator {
  private queue: Promise<unknown> = Promise.resolve()
  private debounce: NodeJS.Timeout | null = null
  /** What the requested run must cover: the datasets delivered since the last run, or everything. */
  private pending: Set<string> | 'all' = new Set()
  /** A requested run is queued and has not begun: later requests join it. */
  private drainQueued = false
  last: TransformOutcome | null = null
  running = false

  constructor(
    private readonly wh: Warehouse,
    private project: Project,
    /** Awaited before the run counts as done (the next run waits for it). */
    private readonly onDone: (outcome: TransformOutcome) => void | Promise<void> = () => {},
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** The project the next run builds (a dataset registered in the product brings its generated model). */
  replaceProject(project: Project): Promise<void> {
    return this.enqueue(async () => {
      this.project = project
    }) as Promise<void>
  }

  /** Runs the selected models, then the tests of those models; waits for a run already going. */
  run(options: RunOptions = {}): Promise<TransformOutcome> {
    return this.enqueue(() => this.runNow(options))
  }

  private async runNow(options: RunOptions): Promise<TransformOutcome> {
    this.running = true
    try {
      const startedAt = clock.now().toISOString()
      const run = await runModels(this.wh, this.project, options)
      const changedKeys = new Map(run.results.flatMap((r) => (r.changedKeys ? [[r.model, r.changedKeys] as const] : [])))
      const tests = await runDataTests(this.wh, this.project, selectModels(this.project.models, options.select ?? []), changedKeys)
      this.last = { run, tests, startedAt, finishedAt: clock.now().toISOString() }
      await this.onDone(this.last)
      return this.last
    } finally {
      this.running = false
    }
  }

  /** Runs the data tests only (of the selected models), in turn with the runs; builds nothing. */
  test(select: string[] = []): Promise<TransformOutcome> {
    return this.enqueue(async () => ({
      run: { runId: '', results: [] },
      startedAt: clock.now().toISOString(),
      tests: await runDataTests(this.wh, this.project, selectModels(this.project.models, select)),
      finishedAt: clock.now().toISOString(),
    }))
  }

  /** One piece of work at a time, after those already queued; a failure does not stop the queue. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const job = this.queue.then(work)
    this.queue = job.catch(() => undefined)
    return job
  }

  /**
   * Asks for a run soon; requests close together make one run. With `datasets` (a delivery's), the
   * run builds only the models downstream of what was delivered; without, every model.
   */
  request(delayMs = DELIVERY_RUN_DELAY_MS, datasets?: readonly string[]): void {
    if (!datasets) this.pending = 'all'
    else if (this.pending !== 'all') for (const d of datasets) this.pending.add(d)
    if (this.debounce) clearTimeout(this.debounce)
    this.debounce = setTimeout(() => {
      this.debounce = null
      this.queueRequested()
    }, delayMs)
  }

  /**
   * Queues the requested run once: it takes what is pending when it begins, so the deliveries
   * committed while an earlier run builds make one run after it, not a run each.
   */
  private queueRequested(): void {
    if (this.drainQueued) return
    this.drainQueued = true
    this.enqueue(async () => {
      this.drainQueued = false
      await this.runRequested()
    }).catch((err: Error) => this.onError(err))
  }

  /** The run the requests since the last one asked for; none when nothing is downstream of them. */
  private async runRequested(): Promise<void> {
    const pending = this.pending
    this.pending = new Set()
    if (pending === 'all') {
      await this.runNow({})
      return
    }
    const models = modelsForDeliveries(this.project.models, pending)
    // An empty selection would select every model: nothing downstream means no run.
    if (models.size > 0) await this.runNow({ select: [...models] })
  }

  /** Runs a requested run now instead of after its delay, and waits for every run (a CLI command before it exits). */
  async flush(): Promise<void> {
    if (this.debounce) {
      clearTimeout(this.debounce)
      this.debounce = null
      this.queueRequested()
    }
    await this.queue
  }

  async stop(): Promise<void> {
    if (this.debounce) clearTimeout(this.debounce)
    this.debounce = null
    await this.queue
  }
}
