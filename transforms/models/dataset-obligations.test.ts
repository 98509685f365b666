import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { communesOf } from '../../infra/identifiers/admin-units.ts'
import { enterpriseCheckDigit } from '../../infra/identifiers/enterprise-code.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { catalogProject } from '../project/project.ts'
import { runModels } from '../runner/run.ts'
import * as clock from '../../infra/time/clock.ts'
import { TEST_NOW } from '../../infra/testing/test-clock.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

/*
 * Dataset obligations worked out by hand (2026).
 * Population register (Công an tỉnh, monthly snapshot due period end + 15 days):
 *   March: sent Fri 10/04 without naming a period → covers March (the last month ended) → on time;
 *          sent again 20/04 naming March → resubmitted.
 *   April: sent Wed 20/05 naming April; due Fri 15/05 → 3 working days late (18, 19, 20/05).
 *   May:   never sent → missing. June: sent 03/07 → covers June, on time. August: refused → rejected.
 * Business register (Sở Tài chính, each change within 2 working days):
 *   Fri 06/03 full copy: E1 changed 01/02/2025 (history, before the first delivery: no obligation),
 *            E2 changed 06/03 (on time).
 *   Wed 11/03: E3 changed Mon 09/03 (due 11/03, on time); E4 changed Fri 06/03 (due Tue 10/03, 1 day
 *            late); E5 changed Sat 07/03 (counts from Fri: due 10/03, 1 late); E2 again (no change).
 *   Mon 04/05: E6 changed Fri 24/04 — Hùng Kings' day (Sun 26/04) is given back Mon 27/04, so due Wed
 *            29/04; 30/04 and 01/05 are holidays, so 04/05 is 1 working day late; E7 changed Tue 28/04
 *            (due 04/05, on time).
 *   → March: 4 changes, 2 late, late by 1; April: 2 changes, 1 late; May: something arrived (on
 *     time, no changes); June: nothing arrived → missing.
 */
const catalog = loadCatalog()
const project = catalogProject(catalog)
const home = tempDir('kho-obligations-')
const commune = communesOf(catalog.province.code)[0]!.code
let wh: TempWarehouse

function enterprise(n: number): string {
  for (let i = n; ; i++) {
    const first9 = `0100${String(i).padStart(5, '0')}`
    const check = enterpriseCheckDigit(first9)
    if (check !== null) return `${first9}${check}`
  }
}
const E = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => enterprise(n * 10))

async function deliver(dataset: 'dan_cu' | 'doanh_nghiep', agency: string, at: string, lines: string[], period?: string) {
  const file = path.join(home, `${dataset}-${at}-${period ?? ''}.csv`)
  const header = dataset === 'dan_cu' ? 'cccd,ho_ten,ngay_sinh,gioi_tinh,ma_xa,ngay_cap_nhat' : 'ma_so_doanh_nghiep,ten_doanh_nghiep,ngay_thanh_lap,ma_xa,nganh_vsic,trang_thai,ngay_cap_nhat'
  fs.writeFileSync(file, [header, ...lines].join('\n'))
  return loadFile({ wh, catalog, archive: keptUnder(home), file, dataset, agency, channel: 'file', period, deliveredAt: new Date(`${at}T09:00:00+07:00`) })
}

const person = (n: number, updated: string) => `001099${String(n).padStart(6, '0')},Nguyễn Văn ${n},01/01/1999,Nam,${commune},${updated}`
const firm = (i: number, changed: string) => `${E[i]},Công ty ${i},01/01/2020,${commune},4100,dang_hoat_dong,${changed}`

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  const outcomes = [
    await deliver('dan_cu', 'CA_TINH', '2026-04-10', [person(1, '31/03/2026'), person(2, '31/03/2026')]),
    await deliver('dan_cu', 'CA_TINH', '2026-04-20', [person(1, '31/03/2026'), person(3, '31/03/2026')], '2026-03'),
    await deliver('dan_cu', 'CA_TINH', '2026-05-20', [person(1, '30/04/2026')], '2026-04'),
    await deliver('dan_cu', 'CA_TINH', '2026-07-03', [person(1, '30/06/2026')]),
    await deliver('dan_cu', 'CA_TINH', '2026-09-10', ['12345,x,01/01/1999,Nam,99999,31/08/2026'], '2026-08'),
    await deliver('doanh_nghiep', 'SO_TC', '2026-03-06', [firm(1, '01/02/2025'), firm(2, '06/03/2026')]),
    await deliver('doanh_nghiep', 'SO_TC', '2026-03-11', [firm(3, '09/03/2026'), firm(4, '06/03/2026'), firm(5, '07/03/2026'), firm(2, '06/03/2026')]),
    await deliver('doanh_nghiep', 'SO_TC', '2026-05-04', [firm(6, '24/04/2026'), firm(7, '28/04/2026')]),
  ]
  expect(outcomes.map((o) => o.status)).toEqual(['committed', 'committed', 'committed', 'committed', 'refused', 'committed', 'committed', 'committed'])
  const { results } = await runModels(wh, project)
  expect(results.filter((r) => r.status !== 'success')).toEqual([])
}, 120_000)

afterAll(() => wh?.close())

type Row = { period: string; status: string; due_on: string; days_late: number; resubmitted: boolean; changes: number; changes_late: number }
const obligations = (dataset: string) =>
  queryRows<Row>(
    wh.client,
    `SELECT period, status, toString(due_on) AS due_on, days_late, resubmitted, changes, changes_late
     FROM marts.fct_submission WHERE dataset = {dataset:String} AND indicator_code = '' AND period <= '2026-08' ORDER BY period`,
    { dataset },
  )

describe('dataset obligations', () => {
  it('models every register the catalogue keeps on the change rule, by its change column', () => {
    const sql = fs.readFileSync(path.join(import.meta.dirname, 'marts/fct_change_arrival.sql'), 'utf8')
    const registers = catalog.datasets.filter((d) => d.delivered_by === 'owner' && d.deadline.after === 'change')
    expect(registers.map((d) => d.id)).toEqual(['doanh_nghiep'])
    for (const d of registers) {
      expect(sql).toContain(`'${d.id}' as dataset`)
      expect(sql).toContain(`source('${d.id}')`)
      expect(sql).toContain(`parse_date(${d.changed_on})`)
    }
  })

  it('judges each monthly snapshot against period end + 15 days', async () => {
    const rows = await obligations('dan_cu')
    expect(rows.map((r) => [r.period, r.status, r.due_on, Number(r.days_late), Boolean(r.resubmitted)])).toEqual([
      ['2026-03', 'on_time', '2026-04-15', 0, true],
      ['2026-04', 'late', '2026-05-15', 3, false],
      ['2026-05', 'missing', '2026-06-15', 0, false],
      ['2026-06', 'on_time', '2026-07-15', 0, false],
      ['2026-07', 'missing', '2026-08-17', 0, false], // 15/08 is a Saturday
      ['2026-08', 'rejected', '2026-09-15', 0, false],
    ])
  })

  it('judges each change of the business register against change + 2 working days', async () => {
    const changes = await queryRows<{ record_key: string; changed_on: string; due_on: string; days_late: number }>(
      wh.client,
      `SELECT record_key, toString(changed_on) AS changed_on, toString(due_on) AS due_on, days_late FROM marts.fct_change_arrival FINAL ORDER BY changed_on, record_key`,
    )
    expect(changes.map((c) => [c.record_key, c.changed_on, c.due_on, Number(c.days_late)])).toEqual([
      [E[2], '2026-03-06', '2026-03-10', 0],
      [E[4], '2026-03-06', '2026-03-10', 1],
      [E[5], '2026-03-07', '2026-03-10', 1],
      [E[3], '2026-03-09', '2026-03-11', 0],
      [E[6], '2026-04-24', '2026-04-29', 1],
      [E[7], '2026-04-28', '2026-05-04', 0],
    ])
    const months = await obligations('doanh_nghiep')
    expect(months.slice(0, 4).map((r) => [r.period, r.status, Number(r.changes), Number(r.changes_late), Number(r.days_late)])).toEqual([
      ['2026-03', 'late', 4, 2, 1],
      ['2026-04', 'late', 2, 1, 1],
      ['2026-05', 'on_time', 0, 0, 0],
      ['2026-06', 'missing', 0, 0, 0],
    ])
  })

  it("decides by kho's clock, not the engine's: on 10/08 July's snapshot is still coming due", async () => {
    clock.setClock(new Date('2026-08-10T09:00:00+07:00'))
    try {
      expect((await runModels(wh, project, { fullRefresh: true })).results.filter((r) => r.status !== 'success')).toEqual([])
      const rows = await obligations('dan_cu')
      expect(rows.map((r) => [r.period, r.status])).toEqual([['2026-03', 'on_time'], ['2026-04', 'late'], ['2026-05', 'missing'], ['2026-06', 'on_time'], ['2026-07', 'pending']])
    } finally {
      clock.setClock(TEST_NOW)
      await runModels(wh, project, { fullRefresh: true })
    }
  })

  it('counts dataset obligations in the owner agency’s completeness and timeliness', async () => {
    // No KT-XH report was ever collected here, so Công an tỉnh's Q2 is dan_cu April (late), May (missing), June (on time).
    const [ca] = await queryRows<{ obligations: number; completeness: number; timeliness: number }>(
      wh.client,
      "SELECT obligations, completeness, timeliness FROM marts.fct_quality_score WHERE agency = 'CA_TINH' AND quarter_start = '2026-04-01'",
    )
    expect(Number(ca!.obligations)).toBe(3)
    expect(Number(ca!.completeness)).toBeCloseTo(200 / 3, 6)
    expect(Number(ca!.timeliness)).toBeCloseTo(100 / 3, 6)
  })
})
