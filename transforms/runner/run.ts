import { randomUUID } from 'node:crypto'
import { type Warehouse } from '../../infra/warehouse/client.ts'
import { selectModels, topologicalOrder } from './dag.ts'
import { type Model, type Project } from '../project/project.ts'
import * as clock from '../../infra/time/clock.ts'
import { materialize, run, type BuildHow, type Built, type ChangedRows } from './build-strategies.ts'

export interface ModelResult {
  model: string
  materialized: Model['config']['materialized']
  status: 'success' | 'error' | 'skipped'
  rows: number
  durationMs: number
  error: string
  /**
   * For a model updated by key (config by_key) or an incremental one that took new loads: how many
   * keys this run changed, and `table`, holding the model's current rows of those keys (read FINAL
   * for an incremental model), so its data tests read only those rows; absent when the table was
   * built whole.
   */
  changedKeys?: ChangedRows
  /** How the table was built: whole, by adding new loads, by key, or by difference (recorded in meta.runs). */
  how: BuildHow
}

export interface RunResult {
  runId: string
  results: ModelResult[]
}

export interface RunOptions {
  select?: string[]
  /** Rebuild incremental models from every committed load instead of only the new ones. */
  fullRefresh?: boolean
}

/**
 * Runs the selected models in dependency order. A model whose upstream failed is skipped; the
 * rest go on. Every model's outcome is recorded in meta.runs.
 */
export async function runModels(wh: Warehouse, project: Project, options: RunOptions = {}): Promise<RunResult> {
  const runId = randomUUID()
  const selected = selectModels(project.models, options.select ?? [])
  const failed = new Set<string>()
  const built: Built = new Map()
  const results: ModelResult[] = []
  for (const name of topologicalOrder(project.models)) {
    if (!selected.has(name)) continue
    const m = project.models.get(name)!
    const started = clock.nowMs()
    const result: ModelResult = { model: name, materialized: m.config.materialized, status: 'success', rows: 0, durationMs: 0, error: '', how: 'whole' }
    const brokenUpstream = m.refs.find((r) => failed.has(r))
    if (brokenUpstream) {
      Object.assign(result, { status: 'skipped', error: `upstream model ${brokenUpstream} did not build` })
      failed.add(name)
    } else {
      try {
        Object.assign(result, await materialize(wh, m, project, options.fullRefresh ?? false, built))
      } catch (err) {
        Object.assign(result, { status: 'error', error: (err as Error).message.slice(0, 2000) })
        failed.add(name)
      }
    }
    result.durationMs = clock.nowMs() - started
    results.push(result)
    await wh.client.insert({
      table: 'meta.runs',
      values: [{ run_id: runId, model: name, materialized: result.materialized, status: result.status, rows: result.rows, duration_ms: result.durationMs, error: result.error, started_at: started, how: result.how }],
      format: 'JSONEachRow',
    })
  }
  // The tables as they were before keyed updates, and the old rows taken from them, served this
  // run's differences; their rows go now.
  await run(
    wh,
    results.flatMap((r) => [r.changedKeys?.before, r.changedKeys?.oldRows].flatMap((t) => (t ? [`DROP TABLE IF EXISTS ${t} SYNC`] : []))),
  )
  return { runId, results }
}
