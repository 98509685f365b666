import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { Job } from '../infra/scheduler/job-scheduler.ts'
import { pullDataset, type PullOptions, type PullResult } from './pull.ts'

export interface PullJobOptions extends Omit<PullOptions, 'dataset'> {
  /** The catalogue whose connectors are scheduled (the service schedules again when it is replaced). */
  catalog: Catalog
  onResult?: (dataset: string, result: PullResult) => void
}

/**
 * Each dataset's pull connector as a scheduled job "pull:<dataset>" on the service's job scheduler
 * (cron, catch-up once, never twice). A connector seen for the first time pulls at once: its data is
 * wanted now, not at the next scheduled time.
 */
export function pullJobs(opts: PullJobOptions): Job[] {
  return opts.catalog.datasets
    .filter((d) => d.pull)
    .map((d) => ({
      id: `pull:${d.id}`,
      title: { vi: `Đồng bộ dữ liệu: ${d.name}`, en: `Pull from the source: ${d.name_en ?? d.name}` },
      schedule: d.pull!.schedule,
      onFirstStart: 'run' as const,
      run: async () => {
        const r = await pullDataset({ ...opts, dataset: d })
        opts.onResult?.(d.id, r)
        return `${r.records} records in ${r.pages} pages${r.since ? ` since ${r.since}` : ''}: ${r.report?.status ?? 'nothing new'}`
      },
    }))
}
