/**
 * Writes infra/app/deploy/cluster/cube/view-policies.json — kho's per-view access rules and the model's
 * personal-data members — for the official Cube server's queryRewrite (cluster/cube/cube.js).
 * Run after changing semantic/policy/view-policy.ts or the model: node --import tsx infra/app/deploy/write-cube-policies.ts
 * (infra/app/deploy/deploy.test.ts fails while the file is out of date).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sharingOf, VIEW_POLICIES } from '../../../semantic/policy/view-policy.ts'
import { loadCatalog, type Catalog } from '../../catalog/load-catalog.ts'
import { compileSemanticModel, type SemanticModel } from '../../../semantic/cube/compile-model.ts'

export const CUBE_POLICIES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster/cube/view-policies.json')

/** The policy with each view's entitled agencies (its dataset's owner and consumers) read from the catalogue. */
export function cubePolicies(model: SemanticModel, catalog: Catalog = loadCatalog()) {
  const personalMembers = [...model.members]
    .filter(([, m]) => (m.meta as { meta?: { personal?: boolean } }).meta?.personal)
    .map(([name]) => name)
    .sort()
  const sharing = sharingOf(catalog)
  const views = Object.fromEntries(
    Object.entries(VIEW_POLICIES).map(([view, { dataset, ...policy }]) => {
      const s = dataset ? sharing(dataset) : undefined
      return [view, s ? { ...policy, owners: [s.owner, ...s.consumers] } : policy]
    }),
  )
  return { views, personalMembers }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(CUBE_POLICIES_FILE, JSON.stringify(cubePolicies(await compileSemanticModel()), null, 2) + '\n')
  console.log(`wrote ${CUBE_POLICIES_FILE}`)
}
