import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Frequency } from '../../infra/catalog/schema.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import * as clock from '../../infra/time/clock.ts'

/** Days after the last committed load before a source is stale (warn) or overdue (error), by update frequency. */
export const FRESHNESS_DAYS: Record<Frequency, { warn: number; error: number }> = {
  daily: { warn: 2, error: 7 },
  weekly: { warn: 10, error: 21 },
  // A month's data is due 15 days after the month ends: up to ~46 days old is normal.
  monthly: { warn: 46, error: 75 },
  quarterly: { warn: 122, error: 200 },
  yearly: { warn: 456, error: 540 },
  school_year: { warn: 456, error: 540 },
  on_change: { warn: 30, error: 90 },
}

export interface SourceFreshness {
  dataset: string
  name: string
  owner: string
  updateFrequency: Frequency
  lastLoadedAt: string | null
  ageDays: number | null
  warnAfterDays: number
  errorAfterDays: number
  status: 'fresh' | 'warn' | 'error' | 'never'
}

/** How fresh each source is: the last delivery the owner made that committed, against its update frequency. */
export async function sourceFreshness(wh: Warehouse, catalog: Catalog, now = clock.now()): Promise<SourceFreshness[]> {
  const rows = await queryRows<{ dataset: string; last: number }>(
    wh.client,
    "SELECT dataset, toUnixTimestamp64Milli(max(delivered_at)) AS last FROM meta.loads FINAL WHERE status = 'committed' GROUP BY dataset",
  )
  const lastByDataset = new Map(rows.map((r) => [r.dataset, Number(r.last)]))
  return catalog.datasets.map((d) => {
    const limits = FRESHNESS_DAYS[d.update_frequency]
    const last = lastByDataset.get(d.id) ?? null
    const ageDays = last === null ? null : Math.max(0, (now.getTime() - last) / 86_400_000)
    const status = ageDays === null ? 'never' : ageDays > limits.error ? 'error' : ageDays > limits.warn ? 'warn' : 'fresh'
    return {
      dataset: d.id,
      name: d.name,
      owner: d.owner,
      updateFrequency: d.update_frequency,
      lastLoadedAt: last === null ? null : new Date(last).toISOString(),
      ageDays: ageDays === null ? null : Math.round(ageDays * 10) / 10,
      warnAfterDays: limits.warn,
      errorAfterDays: limits.error,
      status,
    }
  })
}
