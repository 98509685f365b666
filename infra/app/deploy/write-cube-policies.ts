/**
 * Writes infra/app/deploy/cluster/cube/view-policies.json — kho's per-view access rules and the model's
 * personal-data members — for the official Cube server's queryRewrite (cluster/cube/cube.js), and
 * cluster/cube/generated/*.yml, the cubes and views kho generates from catalogue entries, which
 * cube.js reads beside semantic/model.
 * Run after changing semantic/policy/view-policy.ts or the model: node --import tsx infra/app/deploy/write-cube-policies.ts
 * (infra/app/deploy/deploy.test.ts fails while the file is out of date).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { catalogueSharing, isOpenView } from '../../../semantic/policy/view-policy.ts'
import { loadCatalog, type Catalog } from '../../catalog/load-catalog.ts'
import { compileSemanticModel, type SemanticModel } from '../../../semantic/cube/compile-model.ts'
import { generatedCubeFiles } from '../../../semantic/model/dataset-cubes.ts'

export const CUBE_POLICIES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster/cube/view-policies.json')
export const CUBE_GENERATED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster/cube/generated')

/**
 * The policy with each view's openness and entitled agencies (its dataset's owner, and its consumers
 * when shared) read from the catalogue. Grants are kho's: an agency holding one queries through
 * kho's API, which reads them as they change; this file carries the catalogue's standing rules.
 */
export function cubePolicies(model: SemanticModel, catalog: Catalog = loadCatalog()) {
  const personalMembers = [...model.members]
    .filter(([, m]) => (m.meta as { meta?: { personal?: boolean } }).meta?.personal)
    .map(([name]) => name)
    .sort()
  const rules = catalogueSharing(catalog)
  const views = Object.fromEntries(
    model.meta.map(({ name: view }) => {
      const policy = rules.policy(view)
      if (!policy) throw new Error(`no access policy for view ${view}`)
      const { dataset, ...rest } = policy
      const d = dataset ? rules.dataset(dataset) : undefined
      const open = isOpenView(policy, rules)
      return [view, d ? { ...rest, open, owners: [d.owner, ...(d.scope === 'noi_bo' ? [] : d.consumers)] } : { ...rest, open }]
    }),
  )
  return { views, personalMembers }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const generated = generatedCubeFiles(loadCatalog())
  fs.rmSync(CUBE_GENERATED_DIR, { recursive: true, force: true })
  fs.mkdirSync(CUBE_GENERATED_DIR, { recursive: true })
  for (const f of generated) fs.writeFileSync(path.join(CUBE_GENERATED_DIR, path.basename(f.fileName)), f.content)
  fs.writeFileSync(CUBE_POLICIES_FILE, JSON.stringify(cubePolicies(await compileSemanticModel(undefined, generated)), null, 2) + '\n')
  console.log(`wrote ${CUBE_POLICIES_FILE}`)
}
