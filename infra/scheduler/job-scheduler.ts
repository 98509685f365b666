import { parseCron, previousRun, type CronSchedule } from '../time/cron.ts'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import * as clock from '../time/clock.ts'

export interface Job {
  /** Stable id, e.g. "digest" or "briefing:kt_xh_thang"; run history is kept under it. */
  id: string
  /** What the job does, in words, for the administration page. */
  title: { vi: string; en: string }
  /** Cron in Vietnam time. */
  schedule: string
  /** Does the work for the time it stands for; returns what it produced (a path, a count). */
  run: (scheduledFor: Date) => Promise<string>
  /**
   * The first time this warehouse sees the job: 'wait' records its last scheduled time as skipped
   * and waits for the next (a briefing for a stale period is not wanted); 'run' runs it at once
   * (a new pull connector's data is). Default 'wait'.
   */
  onFirstStart?: 'wait' | 'run'
}

export type JobTrigger = 'schedule' | 'catch_up' | 'manual'

export interface JobRun {
  job: string
  scheduled_for: string
  trigger: JobTrigger
  status: 'started' | 'succeeded' | 'failed' | 'skipped'
  output: string
  message: string
  started_at: string
  finished_at: string | null
}

export interface JobSchedulerOptions {
  wh: Warehouse
  /** The clock; tests pass a controllable one. */
  now?: () => Date
  onRun?: (run: JobRun) => void
}

/**
 * Runs jobs on their cron schedules with their history in meta.job_runs. Each check compares the
 * latest time a job's schedule fired with the latest run recorded for it, so a run missed while the
 * service was down is made once (not once per missed time) and a time already run — here or before a
 * restart — is never run again. A job still running is not started a second time. A job seen for the
 * first time waits for its next time, or runs at once (Job.onFirstStart).
 */
export class JobScheduler {
  private readonly jobs = new Map<string, { job: Job; schedule: CronSchedule }>()
  private readonly running = new Map<string, Promise<JobRun>>()
  private timer: NodeJS.Timeout | null = null
  private checking: Promise<void> | null = null

  constructor(private readonly opts: JobSchedulerOptions) {}

  private now(): Date {
    return this.opts.now?.() ?? clock.now()
  }

  add(job: Job): void {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} added twice`)
    this.jobs.set(job.id, { job, schedule: parseCron(job.schedule) })
  }

  /** Takes a job off the schedule (a run under way finishes); its history stays. */
  remove(id: string): void {
    this.jobs.delete(id)
  }

  ids(): string[] {
    return [...this.jobs.keys()]
  }

  /** Each job's title in words, by id. */
  titles(): Record<string, { vi: string; en: string }> {
    return Object.fromEntries([...this.jobs].map(([id, j]) => [id, j.job.title]))
  }

  /** Checks now and then every `everyMs` (a minute: cron's resolution). */
  start(everyMs = 60_000): Promise<void> {
    this.timer = setInterval(() => void this.check(), everyMs)
    return this.check()
  }

  /** Runs every job whose schedule fired since its last recorded run; resolves when they finish. */
  check(): Promise<void> {
    this.checking ??= (async () => {
      const now = this.now()
      const last = await this.lastScheduled()
      const started: Promise<JobRun>[] = []
      for (const { job, schedule } of this.jobs.values()) {
        const due = previousRun(schedule, now)
        if (!due) continue
        const done = last.get(job.id)
        if (done !== undefined && done >= due.getTime()) continue
        // A job this warehouse has never run: there was no downtime to make up for.
        if (done === undefined && (job.onFirstStart ?? 'wait') === 'wait') {
          started.push(this.execute(job, due, 'schedule', true))
          continue
        }
        // Due but more than a minute ago: the service was down (or busy) when it fired.
        const trigger: JobTrigger = now.getTime() - due.getTime() > 60_000 ? 'catch_up' : 'schedule'
        started.push(this.run(job.id, due, trigger))
      }
      await Promise.allSettled(started)
    })().finally(() => {
      this.checking = null
    })
    return this.checking
  }

  /** Per job seen here: the latest time it finished (or skipped); runs that never finished (the process died) do not count, so their time is run again. */
  private async lastScheduled(): Promise<Map<string, number>> {
    const rows = await queryRows<{ job: string; t: number }>(
      this.opts.wh.client,
      "SELECT job, toUnixTimestamp64Milli(maxIf(scheduled_for, status != 'started')) AS t FROM meta.job_runs FINAL WHERE trigger != 'manual' GROUP BY job",
    )
    return new Map(rows.map((r) => [r.job, Number(r.t)]))
  }

  /** Runs one job for a time now, unless it is already running. */
  run(id: string, scheduledFor: Date = this.now(), trigger: JobTrigger = 'manual'): Promise<JobRun> {
    const entry = this.jobs.get(id)
    if (!entry) return Promise.reject(new Error(`no job ${id}`))
    const current = this.running.get(id)
    if (current) return current
    const job = this.execute(entry.job, scheduledFor, trigger).finally(() => this.running.delete(id))
    this.running.set(id, job)
    return job
  }

  private async execute(job: Job, scheduledFor: Date, trigger: JobTrigger, skip = false): Promise<JobRun> {
    const run: JobRun = {
      job: job.id,
      scheduled_for: scheduledFor.toISOString(),
      trigger,
      status: skip ? 'skipped' : 'started',
      output: '',
      // A reason the dashboards word in the reader's language (i18n 'jobReason.first_scheduled').
      message: skip ? 'first_scheduled' : '',
      started_at: this.now().toISOString(),
      finished_at: null,
    }
    const record = () =>
      this.opts.wh.client.insert({
        table: 'meta.job_runs',
        format: 'JSONEachRow',
        values: [
          {
            ...run,
            scheduled_for: scheduledFor.getTime(),
            started_at: Date.parse(run.started_at),
            finished_at: run.finished_at ? Date.parse(run.finished_at) : null,
            updated_at: Date.now(),
          },
        ],
      })
    await record()
    if (skip) return run
    try {
      run.output = await job.run(scheduledFor)
      run.status = 'succeeded'
    } catch (err) {
      run.status = 'failed'
      run.message = (err as Error).message
    }
    run.finished_at = this.now().toISOString()
    await record()
    this.opts.onRun?.(run)
    return run
  }

  /** The latest runs, newest first. */
  history(job?: string, limit = 100): Promise<JobRun[]> {
    return queryRows<JobRun>(
      this.opts.wh.client,
      `SELECT job, toString(scheduled_for) AS scheduled_for, trigger, status, output, message,
              toString(started_at) AS started_at, if(isNull(finished_at), NULL, toString(finished_at)) AS finished_at
       FROM meta.job_runs FINAL
       WHERE empty({job:String}) OR job = {job:String}
       ORDER BY started_at DESC LIMIT {limit:UInt32}`,
      { job: job ?? '', limit },
    )
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.checking
    await Promise.allSettled(this.running.values())
  }
}
