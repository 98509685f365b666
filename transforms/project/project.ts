import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { Dataset } from '../../infra/catalog/schema.ts'
import { withGeneratedModels } from './dataset-models.ts'
import { configSchema, testSchema, type Model } from './model.ts'

export type { ColumnTest, Model, ModelConfig } from './model.ts'

/**
 * The transform project: SQL models under models/{staging,marts}, each with a config block at the
 * top, YAML files beside them describing models, columns and tests, and singular SQL tests.
 *
 *   /* config
 *   materialized: incremental
 *   unique_key: [cccd]
 *   version: _version
 *   tags: [dan_cu]
 *   *\/
 *   select ... from {{ source('dan_cu') }} join {{ ref('dim_admin_unit') }} ...
 */
export const TRANSFORMS_DIR = path.resolve(fileURLToPath(import.meta.url), '../..')



const schemaFileSchema = z.strictObject({
  models: z.array(
    z.strictObject({
      name: z.string(),
      description: z.string().default(''),
      tests: z.array(z.strictObject({ expression: z.string() })).default([]),
      columns: z
        .array(z.strictObject({ name: z.string(), description: z.string().default(''), tests: z.array(testSchema).default([]) }))
        .default([]),
    }),
  ),
})

export interface SingularTest {
  name: string
  file: string
  sql: string
  refs: string[]
}

export interface Project {
  models: Map<string, Model>
  singularTests: SingularTest[]
  /** Values models read with var('name'), e.g. the province code. */
  vars: Record<string, string>
  /** The catalogue's datasets, for enum_code('dataset.column', …): a label written for a code → the code. */
  datasets: readonly Dataset[]
}

export class ProjectError extends Error {}

const REF = /\{\{\s*ref\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g
const SOURCE = /\{\{\s*source\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g

/** kho's day in a model's SQL (run.ts expands it from infra/time/clock.ts). */
export const READS_KHO_DAY = /\{\{\s*today\(\s*\)\s*\}\}/
/** The engine's own clock, which a model may not read: a deadline is decided by kho's clock alone. */
const ENGINE_CLOCK = /\b(today|yesterday|now|now64|current_date|current_timestamp|utc_timestamp)\s*\(/i

const matchesOf = (re: RegExp, sql: string) => [...new Set([...sql.matchAll(re)].map((m) => m[1]!))]

function sqlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(dir, f))
}

/**
 * The project under `root`, with a std model generated for each catalogue dataset no hand-written
 * staging model reads (transforms/generated/). Refs are checked after generation, so a hand-written
 * mart may read a registered dataset's generated model (e.g. ref('ds_bhxh_tham_gia')).
 */
export function loadProject(vars: Record<string, string> = {}, root = TRANSFORMS_DIR, datasets: readonly Dataset[] = []): Project {
  const models = new Map<string, Model>()
  for (const layer of ['staging', 'marts'] as const) {
    const dir = path.join(root, 'models', layer)
    for (const file of sqlFiles(dir)) {
      const text = fs.readFileSync(file, 'utf8')
      const m = /^\s*\/\*\s*config\s*\n([\s\S]*?)\*\//.exec(text)
      if (!m) throw new ProjectError(`${path.relative(root, file)}: the model must start with a /* config … */ block`)
      const parsed = configSchema.safeParse(parseYaml(m[1]!))
      if (!parsed.success) {
        throw new ProjectError(`${path.relative(root, file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      }
      const config = parsed.data
      if (config.materialized === 'incremental' && !config.unique_key) throw new ProjectError(`${path.relative(root, file)}: an incremental model needs unique_key`)
      const name = path.basename(file, '.sql')
      if (models.has(name)) throw new ProjectError(`${path.relative(root, file)}: a model named ${name} exists already`)
      const sql = text.slice(m[0].length).trim().replace(/;\s*$/, '')
      const clock = ENGINE_CLOCK.exec(sql.replace(new RegExp(READS_KHO_DAY, 'g'), ''))
      if (clock) throw new ProjectError(`${path.relative(root, file)}: ${clock[1]}() reads the engine's clock; write {{ today() }} for kho's day`)
      models.set(name, {
        name,
        database: layer === 'staging' ? 'std' : 'marts',
        file,
        sql,
        config,
        refs: matchesOf(REF, sql),
        sources: matchesOf(SOURCE, sql),
        description: '',
        columns: [],
        modelTests: [],
      })
    }
    for (const yamlFile of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')) : []) {
      const parsed = schemaFileSchema.safeParse(parseYaml(fs.readFileSync(path.join(dir, yamlFile), 'utf8')))
      if (!parsed.success) throw new ProjectError(`models/${layer}/${yamlFile}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      for (const described of parsed.data.models) {
        const model = models.get(described.name)
        if (!model) throw new ProjectError(`models/${layer}/${yamlFile}: no model named ${described.name}`)
        model.description = described.description
        model.columns = described.columns
        model.modelTests = described.tests
      }
    }
  }
  const all = withGeneratedModels(models, datasets)
  for (const model of all.values()) {
    for (const ref of model.refs) {
      if (!all.has(ref)) throw new ProjectError(`${path.relative(root, model.file)}: ref('${ref}') names no model`)
    }
    const byKey = model.config.by_key
    if (byKey) {
      const from = all.get(byKey.from)
      const where = `${path.relative(root, model.file)}: by_key`
      if (model.config.materialized !== 'table') throw new ProjectError(`${where} is for table models`)
      // The upstream keeps the current rows of the keys a run changed: an incremental model (its
      // unique key), or another model updated by key (its key).
      const keyed = from?.config.materialized === 'incremental' ? from.config.unique_key : from?.config.by_key ? [from.config.by_key.column] : undefined
      if (!model.refs.includes(byKey.from) || !keyed) throw new ProjectError(`${where}.from must be an incremental model or a by_key model the model refs`)
      if (keyed.length !== 1 || keyed[0] !== byKey.column) throw new ProjectError(`${where}.column must be ${byKey.from}'s unique key`)
    }
    const delta = model.config.delta
    if (delta) {
      const where = `${path.relative(root, model.file)}: delta`
      if (model.config.materialized !== 'table') throw new ProjectError(`${where} is for table models`)
      if (!model.refs.includes(delta.from) || !all.get(delta.from)?.config.by_key) throw new ProjectError(`${where}.from must be a by_key model the model refs`)
    }
  }
  const singularTests = sqlFiles(path.join(root, 'tests')).map((file) => {
    const sql = fs.readFileSync(file, 'utf8').trim().replace(/;\s*$/, '')
    return { name: path.basename(file, '.sql'), file, sql, refs: matchesOf(REF, sql) }
  })
  return { models: all, singularTests, vars, datasets }
}

/** The province's project: the models here and those generated for the catalogue's datasets. */
export const catalogProject = (catalog: Pick<Catalog, 'province' | 'datasets'>): Project =>
  loadProject({ province_code: catalog.province.code }, TRANSFORMS_DIR, catalog.datasets)
