import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { sourceFreshness, type SourceFreshness } from './freshness.ts'
import type { Project } from '../project/project.ts'

export interface Lineage {
  sources: (SourceFreshness & { feeds: string[] })[]
  models: {
    name: string
    table: string
    description: string
    materialized: string
    tags: string[]
    refs: string[]
    sources: string[]
    usedBy: string[]
    columns: { name: string; description: string; tests: string[] }[]
    lastRun: { status: string; rows: number; durationMs: number; at: string } | null
    tests: { test: string; status: string; failures: number }[]
  }[]
  /** The semantic layer's views and the models they read. */
  cubes: { name: string; models: string[] }[]
}

/** What lineage needs of the semantic layer: each view and the tables it reads. */
export interface ViewTables {
  view: string
  tables: string[]
}

const describeTest = (t: unknown) => (typeof t === 'string' ? t : Object.keys(t as object)[0]!)

/** Sources → models → cubes, with descriptions, tests, freshness and each model's last run. */
export async function lineage(wh: Warehouse, catalog: Catalog, project: Project, views: ViewTables[] = []): Promise<Lineage> {
  const runs = await queryRows<{ model: string; status: string; rows: number; duration_ms: number; at: string }>(
    wh.client,
    `SELECT model, argMax(status, started_at) AS status, argMax(rows, started_at) AS rows, argMax(duration_ms, started_at) AS duration_ms,
            toString(max(started_at)) AS at FROM meta.runs GROUP BY model`,
  )
  const tests = await queryRows<{ model: string; test: string; status: string; failures: number }>(
    wh.client,
    `SELECT model, test, argMax(status, ran_at) AS status, argMax(failures, ran_at) AS failures FROM meta.test_results GROUP BY model, test ORDER BY model, test`,
  )
  const models = [...project.models.values()]
  const freshness = await sourceFreshness(wh, catalog)
  return {
    sources: freshness.map((f) => ({ ...f, feeds: models.filter((m) => m.sources.includes(f.dataset)).map((m) => m.name) })),
    models: models.map((m) => {
      const run = runs.find((r) => r.model === m.name)
      return {
        name: m.name,
        table: `${m.database}.${m.name}`,
        description: m.description,
        materialized: m.config.materialized,
        tags: m.config.tags,
        refs: m.refs,
        sources: m.sources,
        usedBy: models.filter((x) => x.refs.includes(m.name)).map((x) => x.name),
        columns: m.columns.map((c) => ({ name: c.name, description: c.description, tests: c.tests.map(describeTest) })),
        lastRun: run ? { status: run.status, rows: Number(run.rows), durationMs: Number(run.duration_ms), at: run.at } : null,
        tests: tests.filter((t) => t.model === m.name).map((t) => ({ test: t.test, status: t.status, failures: Number(t.failures) })),
      }
    }),
    cubes: views.map((v) => ({ name: v.view, models: v.tables.map((t) => t.split('.').pop()!).filter((m) => project.models.has(m)) })),
  }
}
