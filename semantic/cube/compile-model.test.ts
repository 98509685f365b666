import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { compileSemanticModel, MODEL_DIR, SemanticModelError } from './compile-model.ts'

describe('the semantic model', () => {
  it('compiles the views users query, each with its tables for lineage', async () => {
    const model = await compileSemanticModel()
    expect(model.meta.map((v) => v.name).sort()).toEqual(['agency_ranking', 'citizens', 'data_quality', 'enterprises', 'indicator_checks', 'kt_xh', 'population', 'quality_scores', 'sharing_stats', 'submissions', 'usage'])
    expect(model.members.get('kt_xh.ytd')).toMatchObject({ kind: 'measure' })
    expect(model.lineage.find((l) => l.view === 'kt_xh')!.tables).toEqual(['marts.fct_indicator_value', 'marts.dim_indicator', 'marts.dim_admin_unit'])
  })

  it('names the file and the member when the model is broken', async () => {
    const dir = tempDir('kho-model-')
    fs.cpSync(MODEL_DIR, dir, { recursive: true })
    const file = path.join(dir, 'cubes/indicators.yml')
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('        sql: sector\n        type: string', '        sql: sector\n        type: text'))
    const err = await compileSemanticModel(dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SemanticModelError)
    expect((err as Error).message).toContain('indicators.yml')
    expect((err as Error).message).toContain('sector')
  })
})
