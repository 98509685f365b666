import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { SaxesParser } from 'saxes'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { applyPolicy, catalogueSharing, type SecurityContext } from '../../../semantic/policy/view-policy.ts'
import { compileSemanticModel, type SemanticModel } from '../../../semantic/cube/compile-model.ts'
import { validateQuery } from '../../../semantic/cube/cube-query.ts'
import { CUBE_GENERATED_DIR, cubePolicies } from './write-cube-policies.ts'
import { generatedCubeFiles } from '../../../semantic/model/dataset-cubes.ts'

const DIR = path.join(PROJECT_ROOT, 'infra/app/deploy/cluster')

/** Element text by path in a small XML file (the recipe's configs are tiny). */
function xmlValues(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const stack: string[] = []
  const parser = new SaxesParser()
  parser.on('opentag', (t) => stack.push(t.name))
  parser.on('closetag', () => stack.pop())
  parser.on('text', (text) => {
    if (!text.trim()) return
    const key = stack.join('/')
    out.set(key, [...(out.get(key) ?? []), text.trim()])
  })
  parser.write(fs.readFileSync(file, 'utf8')).close()
  return out
}

let model: SemanticModel
beforeAll(async () => {
  model = await compileSemanticModel(undefined, generatedCubeFiles(loadCatalog()))
})

describe('the cluster recipe (infra/app/deploy/cluster)', () => {
  it('declares 2 shards × 2 replicas whose macros match the cluster, with Keeper', () => {
    const compose = parse(fs.readFileSync(path.join(DIR, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[]; environment?: Record<string, string> }> }
    const cluster = xmlValues(path.join(DIR, 'clickhouse/cluster.xml'))
    const hostsByShard = [0, 1].map(() => [] as string[])
    const hosts = cluster.get('clickhouse/remote_servers/kho/shard/replica/host')!
    hosts.forEach((h, i) => hostsByShard[Math.floor(i / 2)]!.push(h))
    expect(hostsByShard).toEqual([
      ['ch-s1r1', 'ch-s1r2'],
      ['ch-s2r1', 'ch-s2r2'],
    ])
    expect(cluster.get('clickhouse/zookeeper/node/host')).toEqual(['keeper'])
    expect(compose.services.keeper).toBeDefined()
    const seen = new Set<string>()
    hostsByShard.forEach((shardHosts, shard) => {
      for (const host of shardHosts) {
        const service = compose.services[host]!
        const macros = xmlValues(path.join(DIR, `clickhouse/macros/${host}.xml`))
        expect(macros.get('clickhouse/macros/shard')).toEqual([String(shard + 1).padStart(2, '0')])
        expect(macros.get('clickhouse/macros/replica')).toEqual([host])
        expect(macros.get('clickhouse/macros/cluster')).toEqual(['kho'])
        seen.add(`${shard}|${host}`)
        expect(service.volumes).toEqual(expect.arrayContaining([`./clickhouse/macros/${host}.xml:/etc/clickhouse-server/config.d/macros.xml:ro`]))
      }
    })
    expect(seen.size).toBe(4)
    xmlValues(path.join(DIR, 'keeper/keeper.xml'))
  })

  it('points kho at the cluster and the official Cube server at the same model', () => {
    const compose = parse(fs.readFileSync(path.join(DIR, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[]; environment?: Record<string, string> }> }
    expect(compose.services.kho!.environment).toMatchObject({ CLICKHOUSE_CLUSTER: 'kho', CLICKHOUSE_URL: 'http://ch-s1r1:8123' })
    const modelMount = compose.services.cube!.volumes!.find((v) => v.endsWith(':/cube/conf/model:ro'))!
    expect(path.resolve(DIR, modelMount.split(':')[0]!)).toBe(path.join(PROJECT_ROOT, 'semantic/model'))
    expect(compose.services.cube!.environment).toMatchObject({ CUBEJS_DB_TYPE: 'clickhouse', CUBEJS_DB_NAME: 'marts' })
  })

  it('gives the Cube server the cubes and views kho generates from the catalogue', () => {
    const written = fs.readdirSync(CUBE_GENERATED_DIR).sort()
    const expected = generatedCubeFiles(loadCatalog())
    expect(written, 'run: node --import tsx infra/app/deploy/write-cube-policies.ts').toEqual(expected.map((f) => path.basename(f.fileName)).sort())
    for (const f of expected) expect(fs.readFileSync(path.join(CUBE_GENERATED_DIR, path.basename(f.fileName)), 'utf8')).toBe(f.content)
    const compose = parse(fs.readFileSync(path.join(DIR, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> }
    expect(compose.services.cube!.volumes).toContain('./cube/generated:/cube/conf/generated:ro')
  })

  it("gives the Cube server kho's access rules (view-policies.json is the policy in code)", () => {
    const json = JSON.parse(fs.readFileSync(path.join(DIR, 'cube/view-policies.json'), 'utf8'))
    expect(json, 'run: node --import tsx infra/app/deploy/write-cube-policies.ts').toEqual(cubePolicies(model))
    const { queryRewrite } = createRequire(import.meta.url)(path.join(DIR, 'cube/cube.js')) as { queryRewrite: (q: unknown, c: { securityContext: unknown }) => { filters: unknown[] } }
    const officer: SecurityContext = { account: 'x', role: 'agency_officer', agency: 'SO_TC', communeCode: '', personalData: false, purpose: '' }
    const query = { measures: ['submissions.obligations'], dimensions: ['submissions.agency'] }
    const ours = applyPolicy(model, validateQuery(model, query), officer, catalogueSharing(loadCatalog())).query.filters
    const theirs = queryRewrite(query, { securityContext: { role: 'agency_officer', agency: 'SO_TC' } }).filters
    expect(theirs).toEqual(ours)
    expect(() => queryRewrite({ measures: ['submissions.obligations'] }, { securityContext: {} })).toThrow(/not open data/)
    const personal = json.personalMembers[0] as string
    expect(() => queryRewrite({ dimensions: [personal] }, { securityContext: { role: 'leader' } })).toThrow(/Personal-data/)
    expect(queryRewrite({ dimensions: [personal] }, { securityContext: { role: 'leader', personal_data: true, purpose: 'điều tra dân số' } })).toBeDefined()
  })
})
