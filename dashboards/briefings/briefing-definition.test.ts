import { describe, expect, it } from 'vitest'
import { SHEET_KINDS } from '../../infra/contracts/briefing-sheets.ts'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { loadBriefings, schemaSheetKinds } from './briefing-definition.ts'

describe('briefing definitions', () => {
  it('take exactly the sheet kinds the contract lists (the pages name those)', () => {
    expect(schemaSheetKinds().sort()).toEqual([...SHEET_KINDS].sort())
  })

  it('load as shipped, the province-wide sharing statistics among them', () => {
    const briefings = loadBriefings(loadCatalog())
    expect(briefings.map((b) => b.id)).toEqual(['chia_se_quy', 'co_quan_quy', 'kt_xh_quy', 'kt_xh_thang'])
    expect(briefings.find((b) => b.id === 'chia_se_quy')!.sheets.map((s) => s.kind)).toEqual(['sharing', 'usage', 'catalog_proposals'])
  })
})
