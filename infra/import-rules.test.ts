import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cycles, importsOf, readGraph, violations, type Graph } from './testing/import-graph.ts'

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../..')
const FOLDERS = ['infra', 'loaders', 'transforms', 'semantic', 'dashboards', 'bench', 'bin']

describe('imports follow the data (README "Layout")', () => {
  it('holds for the whole project: base ↛ features, features ↛ the composition root or backwards, browser ↛ server, nothing ↛ the browser app, contracts ↛ anything, no circles between files or sibling folders', () => {
    const graph = readGraph(ROOT, FOLDERS)
    expect(graph.size).toBeGreaterThan(150)
    expect(violations(graph)).toEqual([])
  })

  it('fails on a backwards import, a base importing a feature, a feature importing the root, browser code importing the server, the server importing the browser app, contracts importing kho, a circle, and a circle between sibling folders (a folder and its parent may use each other)', () => {
    // Specifiers are split in two so that tools rewriting imports leave these examples alone.
    const graph: Graph = new Map([
      ['loaders/load-file.ts', importsOf('loaders/load-file.ts', "import { runQuery } from " + "'../semantic/cube/cube-api.ts'")],
      ['infra/catalog/sync-catalog.ts', importsOf('infra/catalog/sync-catalog.ts', "import type { X } from " + "'../../loaders/raw-table.ts'")],
      ['semantic/open-data.ts', importsOf('semantic/open-data.ts', "export { y } from " + "'../infra/app/service/context.ts'")],
      ['dashboards/web/src/api.ts', importsOf('dashboards/web/src/api.ts', "const m = await import(" + "'../../../infra/config.ts')")],
      ['transforms/a.ts', ["transforms/b.ts"]],
      ['transforms/b.ts', ["transforms/a.ts"]],
      ['semantic/fine.ts', importsOf('semantic/fine.ts', "import { loadFile } from " + "'../loaders/load-file.ts'\nimport { z } from 'zod'")],
      ['infra/contracts/alert.ts', importsOf('infra/contracts/alert.ts', "import type { Catalog } from " + "'../catalog/load-catalog.ts'")],
      ['semantic/quality/error-reports.ts', importsOf('semantic/quality/error-reports.ts', "import type { T } from " + "'../../dashboards/web/src/api.ts'\nimport type { ErrorReport } from " + "'../../infra/contracts/error-report.ts'")],
      ['semantic/cube/q.ts', ['semantic/policy/p.ts']],
      ['semantic/policy/p.ts', []],
      ['semantic/policy/r.ts', ['semantic/cube/s.ts']],
      ['semantic/cube/s.ts', []],
      ['loaders/readers/csv.ts', ['loaders/refusal.ts']],
      ['loaders/refusal.ts', []],
      ['loaders/records.ts', ['loaders/readers/csv.ts']],
      ['dashboards/web/src/fine.ts', importsOf('dashboards/web/src/fine.ts', "import type { Alert } from " + "'../../../infra/contracts/alert.ts'")],
    ])
    const found = violations(graph)
    expect(found).toEqual([
      'dashboards/web/src/api.ts → infra/config.ts: browser code imports server code',
      'folder circle: semantic/cube ↔ semantic/policy',
      'import circle: transforms/a.ts ↔ transforms/b.ts',
      'infra/catalog/sync-catalog.ts → loaders/raw-table.ts: the base (infra) imports a feature (loaders)',
      'infra/contracts/alert.ts → infra/catalog/load-catalog.ts: the contracts (infra/contracts) import beyond themselves',
      'loaders/load-file.ts → semantic/cube/cube-api.ts: loaders imports semantic, against the data flow (loaders → transforms → semantic → dashboards)',
      'semantic/open-data.ts → infra/app/service/context.ts: semantic imports the composition root (infra/app)',
      'semantic/quality/error-reports.ts → dashboards/web/src/api.ts: server code imports the browser app',
    ])
    expect(cycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts']])
  })
})
