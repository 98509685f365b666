import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileSemanticModel, MODEL_DIR } from '../cube/compile-model.ts'
import { readViewAccess, VIEW_ACCESS } from './view-access.ts'

describe("a view's access is declared beside it (meta.access in its YAML)", () => {
  it('every hand-written view declares who may see it, and the declarations read as the policy expects', () => {
    const files = fs.readdirSync(path.join(MODEL_DIR, 'views')).filter((f) => f.endsWith('.yml'))
    expect(Object.keys(VIEW_ACCESS).sort()).toEqual(files.map((f) => f.replace('.yml', '')).sort())
    expect(VIEW_ACCESS.population).toEqual({
      open: true,
      dataset: 'dan_cu',
      communeMember: 'population.commune_code',
      protect: { measure: 'population.people', cellKey: 'population.cell_key' },
    })
    expect(VIEW_ACCESS.usage).toEqual({ agencyMember: 'usage.owner', live: true })
  })

  it('refuses a view that declares nothing, or declares it wrongly, naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kho-views-'))
    fs.writeFileSync(path.join(dir, 'v.yml'), 'views:\n  - name: v\n    meta:\n      title_en: V\n    cubes: []\n')
    expect(() => readViewAccess(dir)).toThrow('v.yml: view v declares no meta.access')
    fs.writeFileSync(path.join(dir, 'v.yml'), 'views:\n  - name: v\n    meta:\n      access:\n        agency_member: agency\n    cubes: []\n')
    expect(() => readViewAccess(dir)).toThrow(/v\.yml: meta\.access — .*agency_member/)
    fs.writeFileSync(path.join(dir, 'v.yml'), 'views:\n  - name: v\n    meta:\n      access:\n        everyone: true\n    cubes: []\n')
    expect(() => readViewAccess(dir)).toThrow(/everyone/)
  })

  it('is the policy\'s to read, not the caller\'s: /meta leaves it out and keeps the rest of meta', async () => {
    const model = await compileSemanticModel()
    const population = model.meta.find((c) => c.name === 'population') as unknown as { meta: Record<string, unknown> }
    expect(population.meta).toEqual({ title_en: 'Population by commune, age group and sex' })
    expect(JSON.stringify(model.meta)).not.toContain('agency_member')
  })
})
