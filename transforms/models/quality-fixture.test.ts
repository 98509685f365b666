import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { catalogProject } from '../project/project.ts'
import { runModels } from '../runner/run.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

/*
 * A small province worked out by hand: three agencies, March and April 2026 reports (due 15/04 and
 * 15/05; May and June never arrive).
 *   Sở Công Thương (EXPORT_VAL, IMPORT_VAL): March on 10/04 (on time); April on Wed 20/05, 3 working
 *     days late (18, 19, 20/05).
 *   Sở VHTTDL (TOURIST_TOTAL, TOURIST_INTL, TOURISM_REV): March on Mon 04/05, 10 working days late
 *     (16–17/04, 20–24/04, 28–29/04, 04/05: Hùng Kings' day fell on Sunday 26/04 and is given back on
 *     27/04; 30/04 and 01/05 are holidays); April refused as a whole
 *     (1 of 3 rows bad), so "rejected".
 *   Công an tỉnh (POP_RESIDENT, TRAFFIC_ACC, TRAFFIC_DEATHS): March on 14/04 and April on 15/05, the
 *     due day itself: on time.
 * Scores by quarter (validity counts deliveries by the quarter they arrived in; no consistency
 * check and no history band applies to these agencies, so those criteria are absent):
 *   Q1 (March):   Công Thương completeness 100, timeliness 100 → 100
 *                 VHTTDL      completeness 100, timeliness 0   → 50
 *                 Công an     completeness 100, timeliness 100 → 100
 *   Q2 (Apr–Jun): Công Thương 2 of 6 received, 0 on time, validity 100         → 44.44
 *                 VHTTDL      0 of 9 received, 0 on time, validity 5/6 = 83.33 → 27.78
 *                 Công an     3 of 9 received, 3 on time, validity 100         → 55.56
 * Every other agency owes reports too and sent nothing (composite 0), so it ranks below these.
 */
const catalog = loadCatalog()
const project = catalogProject(catalog)
const home = tempDir('kho-quality-')
let wh: TempWarehouse

async function deliver(agency: string, at: string, lines: string[], period: string) {
  const file = path.join(home, `${agency}-${period}.csv`)
  fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', ...lines].join('\n'))
  return loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'chi_tieu_kt_xh', agency, channel: 'file', period, deliveredAt: new Date(`${at}T09:00:00+07:00`) })
}

const report = (codes: string[], period: string) => codes.map((c) => `${c},${period},24,10`)
const CT = ['EXPORT_VAL', 'IMPORT_VAL']
const VH = ['TOURIST_TOTAL', 'TOURIST_INTL', 'TOURISM_REV']
const CA = ['POP_RESIDENT', 'TRAFFIC_ACC', 'TRAFFIC_DEATHS']

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  const outcomes = [
    await deliver('SO_CT', '2026-04-10', report(CT, '2026-03'), '2026-03'),
    await deliver('SO_CT', '2026-05-20', report(CT, '2026-04'), '2026-04'),
    await deliver('SO_VHTTDL', '2026-05-04', report(VH, '2026-03'), '2026-03'),
    await deliver('SO_VHTTDL', '2026-05-12', ['TOURIST_TOTAL,2026-04,24,10', 'TOURIST_INTL,2026-04,24,10', 'TOURISM_REV,2026-4,24,10'], '2026-04'),
    await deliver('CA_TINH', '2026-04-14', report(CA, '2026-03'), '2026-03'),
    await deliver('CA_TINH', '2026-05-15', report(CA, '2026-04'), '2026-04'),
  ]
  expect(outcomes.map((o) => o.status)).toEqual(['committed', 'committed', 'committed', 'refused', 'committed', 'committed'])
  const { results } = await runModels(wh, project)
  expect(results.filter((r) => r.status !== 'success')).toEqual([])
})
afterAll(() => wh.dispose())

describe('the hand-computed quality fixture', () => {
  it('gives each obligation its status and working days late', async () => {
    const rows = await queryRows<{ agency: string; period: string; status: string; days_late: number; n: number }>(
      wh.client,
      `SELECT agency, period, status, days_late, count() AS n FROM marts.fct_submission
       WHERE agency IN ('SO_CT', 'SO_VHTTDL', 'CA_TINH') AND period IN ('2026-03', '2026-04', '2026-05')
       GROUP BY agency, period, status, days_late ORDER BY agency, period`,
    )
    expect(rows.map((r) => [r.agency, r.period, r.status, Number(r.days_late), Number(r.n)])).toEqual([
      ['CA_TINH', '2026-03', 'on_time', 0, 3],
      ['CA_TINH', '2026-04', 'on_time', 0, 3],
      ['CA_TINH', '2026-05', 'missing', 0, 3],
      ['SO_CT', '2026-03', 'on_time', 0, 2],
      ['SO_CT', '2026-04', 'late', 3, 2],
      ['SO_CT', '2026-05', 'missing', 0, 2],
      ['SO_VHTTDL', '2026-03', 'late', 10, 3],
      ['SO_VHTTDL', '2026-04', 'rejected', 0, 3],
      ['SO_VHTTDL', '2026-05', 'missing', 0, 3],
    ])
  })

  it('scores and ranks the agencies exactly', async () => {
    const scores = await queryRows<Record<string, number | string | null>>(
      wh.client,
      `SELECT toString(quarter_start) AS q, agency, obligations, completeness, timeliness, validity, consistency, accuracy, round(composite, 2) AS composite, rank
       FROM marts.fct_quality_score WHERE agency IN ('SO_CT', 'SO_VHTTDL', 'CA_TINH') AND quarter_start IN ('2026-01-01', '2026-04-01')
       ORDER BY q, rank, agency`,
    )
    const round = (x: unknown) => (x === null ? null : Math.round(Number(x) * 100) / 100)
    expect(scores.map((s) => [s.q, s.agency, Number(s.obligations), round(s.completeness), round(s.timeliness), round(s.validity), s.consistency, s.accuracy, Number(s.composite), Number(s.rank)])).toEqual([
      ['2026-01-01', 'CA_TINH', 3, 100, 100, null, null, null, 100, 1],
      ['2026-01-01', 'SO_CT', 2, 100, 100, null, null, null, 100, 1],
      ['2026-01-01', 'SO_VHTTDL', 3, 100, 0, null, null, null, 50, 3],
      ['2026-04-01', 'CA_TINH', 9, 33.33, 33.33, 100, null, null, 55.56, 1],
      ['2026-04-01', 'SO_CT', 6, 33.33, 0, 100, null, null, 44.44, 2],
      ['2026-04-01', 'SO_VHTTDL', 9, 0, 0, 83.33, null, null, 27.78, 3],
    ])
  })
})
