import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cycles, importsOf, readGraph, violations, type Graph } from './testing/import-graph.ts'

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../..')
const FOLDERS = ['infra', 'loaders', 'transforms', 'semantic', 'dashboards', 'bench', 'bin']

describe('imports follow the data (README "Layout")', () => {
  it('holds for the whole project: base ↛ features, features ↛ the composition root or backwards, browser ↛ server, no circles', () => {
    const graph = readGraph(ROOT, FOLDERS)
    expect(graph.size).toBeGreaterThan(150)
    expect(violations(graph)).toEqual([])
  })

  it('fails on a backwards import, a base importing a feature, a feature importing the root, browser code importing the server, and a circle', () => {
    // Specifiers are split in two so that tools rewriting imports leave these examples alone.
    const graph: Graph = new Map([
      ['loaders/load-file.ts', importsOf('loaders/load-file.ts', "import { runQuery } from " + "'../semantic/cube/cube-api.ts'")],
      ['infra/catalog/sync-catalog.ts', importsOf('infra/catalog/sync-catalog.ts', "import type { X } from " + "'../../loaders/raw-table.ts'")],
      ['semantic/open-data.ts', importsOf('semantic/open-data.ts', "export { y } from " + "'../infra/app/service/context.ts'")],
      ['dashboards/web/src/api.ts', importsOf('dashboards/web/src/api.ts', "const m = await import(" + "'../../../infra/config.ts')")],
      ['transforms/a.ts', ["transforms/b.ts"]],
      ['transforms/b.ts', ["transforms/a.ts"]],
      ['semantic/fine.ts', importsOf('semantic/fine.ts', "import { loadFile } from " + "'../loaders/load-file.ts'\nimport { z } from 'zod'")],
    ])
    const found = violations(graph)
    expect(found).toEqual([
      'dashboards/web/src/api.ts → infra/config.ts: browser code imports server code',
      'import circle: transforms/a.ts ↔ transforms/b.ts',
      'infra/catalog/sync-catalog.ts → loaders/raw-table.ts: the base (infra) imports a feature (loaders)',
      'loaders/load-file.ts → semantic/cube/cube-api.ts: loaders imports semantic, against the data flow (loaders → transforms → semantic → dashboards)',
      'semantic/open-data.ts → infra/app/service/context.ts: semantic imports the composition root (infra/app)',
    ])
    expect(cycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts']])
  })
})
