import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { runDataTests } from '../runner/data-tests.ts'
import { catalogProject } from '../project/project.ts'
import { runModels } from '../runner/run.ts'
import { keptUnder } from '../../infra/files/sealed-file.ts'

// The project's own models over deliveries written for each standardisation rule.
const catalog = loadCatalog()
const project = catalogProject(catalog)
const home = tempDir('kho-std-')
let wh: TempWarehouse

async function deliver(name: string, dataset: string, agency: string, lines: string[], deliveredAt: string) {
  const file = path.join(home, name)
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const r = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset, agency, channel: 'file', deliveredAt: new Date(deliveredAt) })
  expect(r.rejects).toEqual([])
  expect(r.status).toBe('committed')
}

const rows = <T>(sql: string) => queryRows<T>(wh.client, sql)

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  const people = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật'
  await deliver('dan_cu_1.csv', 'dan_cu', 'CA_TINH', [
    people,
    // Grouped digits; a name in decomposed Unicode with stray spaces; a newer update than file 2's.
    `027 090 001.234,"  Nguye\u0302\u0303n   Va\u0306n  An ",01/02/1990,Nam,07210,Thôn 1,01/10/2026`,
    '123456789,Trần Thị Bình,1975-05-20,Nữ,07210,Thôn 2,01/10/2026',
    '024305123456,Lê Thị Cúc,12/03/2005,Nam,09301,Thôn 3,01/10/2026',
  ], '2026-10-02T00:00:00Z')
  // Registered under a pre-2025 commune code (07212 → Phường Bắc Giang, 07210, in the crosswalk).
  await deliver('dan_cu_2.csv', 'dan_cu', 'CA_TINH', [people, '027090001234,Nguyễn Văn An,01/02/1990,Nam,07210,Thôn 9 (cũ),01/01/2026', '001090000001,Hà Văn Dũng,33043,nam,07212,,01/10/2026'], '2026-10-05T00:00:00Z')
  const dn = 'Mã số doanh nghiệp;Tên doanh nghiệp;Ngày thành lập;Mã xã;Ngành kinh tế (VSIC);Vốn điều lệ (triệu đồng);Tình trạng;Ngày cập nhật'
  await deliver('dn.csv', 'doanh_nghiep', 'SO_TC', [dn, '0100233488001;Chi nhánh Hà Nội;01/02/2021;07210;4659;1.500,5;dang_hoat_dong;01/10/2026', '0100047516;Công ty A;2020-01-01;07210;2610;2500;dang_hoat_dong;01/10/2026'], '2026-10-03T00:00:00Z')
  const kt = 'Mã chỉ tiêu;Kỳ báo cáo;Mã đơn vị hành chính;Giá trị thực hiện;Kế hoạch'
  // On time (due 15/04), then a correction after the deadline: the correction's value wins.
  await deliver('ct_1.csv', 'chi_tieu_kt_xh', 'SO_CT', [kt, 'EXPORT_VAL;2026-03;24;6.682,1;6.737,3'], '2026-04-10T00:00:00Z')
  await deliver('ct_2.csv', 'chi_tieu_kt_xh', 'SO_CT', [kt, 'EXPORT_VAL;2026-03;24;6.700,0;6.737,3'], '2026-04-20T00:00:00Z')
  await deliver('tc.csv', 'chi_tieu_kt_xh', 'SO_TC', [kt, 'ENT_ACTIVE;2026-09;07210;5;', 'ENT_ACTIVE;2026-09;07228;0;'], '2026-10-30T00:00:00Z')
  // Social insurance by CCCD (a dataset registered by its entry alone: its std model is generated),
  // one participant under a pre-2025 commune code; health insurance alone does not count.
  await deliver('bhxh.csv', 'bhxh_tham_gia', 'BHXH_TINH', [
    'Số định danh cá nhân,Loại bảo hiểm,Mã xã,Mức đóng (nghìn đồng/tháng),Tham gia từ ngày,Ngày cập nhật',
    '027090001234,bhxh_bat_buoc,07210,1000,01/01/2020,01/10/2026',
    '027090001234,bhyt,07210,,01/01/2020,01/10/2026',
    '001090000001,bhxh_tu_nguyen,07212,200,01/01/2021,01/10/2026',
  ], '2026-10-06T00:00:00Z')
  // 07228's participants were reported for August only: an earlier month than the register's September.
  await deliver('bh-aug.csv', 'chi_tieu_kt_xh', 'BHXH_TINH', [kt, 'SI_PARTICIPANTS;2026-08;07228;7;'], '2026-09-14T00:00:00Z')
  await deliver('bh.csv', 'chi_tieu_kt_xh', 'BHXH_TINH', [kt, 'SI_PARTICIPANTS;2026-09;07210;2;', 'SI_COVERAGE;2026-09;24;41,5;'], '2026-10-20T00:00:00Z')
  // May's report from Sở Công Thương, refused as a whole (codes Excel turned into numbers).
  const refusedFile = path.join(home, 'ct_5.csv')
  fs.writeFileSync(refusedFile, [kt, 'EXPORT_VAL;2026-05;24;1;', 'IMPORT_VAL;2026-05;2;1;'].join('\n'))
  const refused = await loadFile({ wh, catalog, archive: keptUnder(home), file: refusedFile, dataset: 'chi_tieu_kt_xh', agency: 'SO_CT', channel: 'file', period: '2026-05', deliveredAt: new Date('2026-06-10T00:00:00Z') })
  expect(refused.status).toBe('refused')
  const { results } = await runModels(wh, project)
  expect(results.filter((r) => r.status !== 'success')).toEqual([])
})
afterAll(() => wh.dispose())

describe('standardisation into std', () => {
  it('cleans CCCDs, keeps legacy CMND apart and flags what the 12 digits contradict', async () => {
    const people = await rows<{ id_number: string; id_kind: string; gender: string; flags: string[] }>('SELECT id_number, id_kind, gender, flags FROM std.citizens FINAL ORDER BY id_number')
    expect(people).toEqual([
      { id_number: '001090000001', id_kind: 'cccd', gender: 'nam', flags: ['commune_pre2025'] },
      { id_number: '024305123456', id_kind: 'cccd', gender: 'nam', flags: ['cccd_gender_mismatch'] },
      { id_number: '027090001234', id_kind: 'cccd', gender: 'nam', flags: [] },
      { id_number: '123456789', id_kind: 'cmnd', gender: 'nu', flags: ['legacy_cmnd'] },
    ])
  })

  it('maps a pre-2025 commune code to its 2025 unit through the dated crosswalk, keeping what was delivered', async () => {
    const [p] = await rows<{ commune_code: string; commune_code_delivered: string }>("SELECT commune_code, commune_code_delivered FROM std.citizens FINAL WHERE id_number = '001090000001'")
    expect(p).toEqual({ commune_code: '07210', commune_code_delivered: '07212' })
  })

  it('writes names in Unicode NFC, trimmed, single-spaced; reads dd/mm/yyyy, ISO and Excel-serial dates', async () => {
    const people = await rows<{ id_number: string; full_name: string; birth_date: string }>('SELECT id_number, full_name, toString(birth_date) AS birth_date FROM std.citizens FINAL ORDER BY id_number')
    expect(people.find((p) => p.id_number === '027090001234')!.full_name).toBe('Nguyễn Văn An'.normalize('NFC'))
    expect(people.map((p) => p.birth_date)).toEqual(['1990-06-19', '2005-03-12', '1990-02-01', '1975-05-20'])
  })

  it('resolves duplicates by natural key to the latest update, not the latest delivery', async () => {
    const [an] = await rows<{ address: string; n: number }>("SELECT any(address) AS address, count() AS n FROM std.citizens FINAL WHERE id_number = '027090001234'")
    expect(an).toEqual({ address: 'Thôn 1', n: 1 })
  })

  it('canonicalises enterprise codes with their branch and reads vi-VN numbers', async () => {
    const firms = await rows<{ enterprise_code: string; parent_code: string; branch: string; capital_mvnd: number }>('SELECT enterprise_code, parent_code, branch, capital_mvnd FROM std.enterprises FINAL ORDER BY enterprise_code')
    expect(firms).toEqual([
      { enterprise_code: '0100047516', parent_code: '0100047516', branch: '', capital_mvnd: 2500 },
      { enterprise_code: '0100233488-001', parent_code: '0100233488', branch: '001', capital_mvnd: 1500.5 },
    ])
  })
})

describe('marts', () => {
  it('keeps the corrected value of a resubmitted report, with its period labels', async () => {
    const [v] = await rows<{ value: number; plan: number; label_vi: string; agency: string }>(
      `SELECT f.value AS value, f.plan AS plan, p.label_vi AS label_vi, f.agency AS agency FROM marts.fct_indicator_value f
       JOIN marts.dim_period p ON p.period = f.period WHERE indicator_code = 'EXPORT_VAL'`,
    )
    expect(v).toEqual({ value: 6700, plan: 6737.3, label_vi: 'tháng 3/2026', agency: 'SO_CT' })
    const quarters = await rows<{ label_vi: string }>("SELECT label_vi FROM marts.dim_period WHERE period IN ('2026-Q1', '2026-Q3', '2026') ORDER BY period")
    expect(quarters.map((q) => q.label_vi)).toEqual(['năm 2026', 'Quý I/2026', 'Quý III/2026'])
  })

  it('judges a submission by its first delivery against the deadline', async () => {
    const [s] = await rows<{ status: string; due_on: string; days_late: number }>("SELECT status, toString(due_on) AS due_on, days_late FROM marts.fct_submission WHERE indicator_code = 'EXPORT_VAL' AND period = '2026-03'")
    expect(s).toEqual({ status: 'on_time', due_on: '2026-04-15', days_late: 0 })
    const [late] = await rows<{ status: string; days_late: number }>("SELECT status, days_late FROM marts.fct_submission WHERE indicator_code = 'ENT_ACTIVE' AND period = '2026-09'")
    // Due Thursday 15/10/2026, received Friday 30/10: 11 working days late (weekends not counted).
    expect(late).toEqual({ status: 'late', days_late: 11 })
    const [missing] = await rows<{ status: string }>("SELECT status FROM marts.fct_submission WHERE indicator_code = 'IMPORT_VAL' AND period = '2026-03'")
    expect(missing!.status).toBe('missing')
    const [corrected] = await rows<{ resubmitted: boolean }>("SELECT resubmitted FROM marts.fct_submission WHERE indicator_code = 'EXPORT_VAL' AND period = '2026-03'")
    expect(corrected!.resubmitted).toBe(true)
    const [may] = await rows<{ status: string }>("SELECT status FROM marts.fct_submission WHERE indicator_code = 'IMPORT_VAL' AND period = '2026-05'")
    expect(may!.status).toBe('rejected')
    // July's report is due 15/08/2026, a Saturday: it moves to Monday 17/08.
    const [july] = await rows<{ due_on: string }>("SELECT toString(due_on) AS due_on FROM marts.fct_submission WHERE indicator_code = 'EXPORT_VAL' AND period = '2026-07'")
    expect(july!.due_on).toBe('2026-08-17')
  })

  it('computes indicators from the integrated registers beside the reported ones, flagging where they disagree', async () => {
    const checks = await rows<Record<string, unknown>>(
      "SELECT indicator_code, unit_code, period, computed, reported, reported_period, disagrees FROM marts.fct_indicator_check WHERE unit_code IN ('07210', '07228', '24') ORDER BY indicator_code, unit_code",
    )
    expect(checks).toEqual([
      // The business register has one active enterprise in 07210 (the branch does not count): 5 reported.
      { indicator_code: 'ENT_ACTIVE', unit_code: '07210', period: '2026-09', computed: 1, reported: 5, reported_period: '2026-09', disagrees: true },
      { indicator_code: 'ENT_ACTIVE', unit_code: '07228', period: '2026-09', computed: 0, reported: 0, reported_period: '2026-09', disagrees: false },
      // The province: the register's total against the communes' reports added up.
      { indicator_code: 'ENT_ACTIVE', unit_code: '24', period: '2026-09', computed: 1, reported: 5, reported_period: '2026-09', disagrees: true },
      // Residents of 07210 (one registered under its pre-2025 code); nobody reported the figure.
      { indicator_code: 'POP_RESIDENT', unit_code: '07210', period: '2026-09', computed: 3, reported: null, reported_period: null, disagrees: false },
      { indicator_code: 'POP_RESIDENT', unit_code: '07228', period: '2026-09', computed: 0, reported: null, reported_period: null, disagrees: false },
      { indicator_code: 'POP_RESIDENT', unit_code: '24', period: '2026-09', computed: 4, reported: null, reported_period: null, disagrees: false },
      // Two of 07210's three working-age residents pay social insurance (joined on CCCD); the
      // province's reported rate divides by the labour force — both numbers are kept.
      { indicator_code: 'SI_COVERAGE', unit_code: '07210', period: '2026-09', computed: 66.67, reported: null, reported_period: null, disagrees: false },
      { indicator_code: 'SI_COVERAGE', unit_code: '24', period: '2026-09', computed: 50, reported: 41.5, reported_period: '2026-09', disagrees: true },
      { indicator_code: 'SI_PARTICIPANTS', unit_code: '07210', period: '2026-09', computed: 2, reported: 2, reported_period: '2026-09', disagrees: false },
      { indicator_code: 'SI_PARTICIPANTS', unit_code: '07228', period: '2026-09', computed: 0, reported: null, reported_period: null, disagrees: false },
      { indicator_code: 'SI_PARTICIPANTS', unit_code: '24', period: '2026-09', computed: 2, reported: 2, reported_period: '2026-09', disagrees: false },
    ])
    // Like with like: 07228's August figure is kept for reference beside September's register, not
    // set against it as if it were September's (7 against 0 would have been flagged).
    const [august] = await rows<Record<string, unknown>>(
      "SELECT reported, last_reported, last_reported_period, difference, disagrees FROM marts.fct_indicator_check WHERE indicator_code = 'SI_PARTICIPANTS' AND unit_code = '07228'",
    )
    expect(august).toEqual({ reported: null, last_reported: 7, last_reported_period: '2026-08', difference: null, disagrees: false })
  })

  it('scores data quality by agency and quarter from the criteria it has, and ranks agencies', async () => {
    // Sở Công Thương in Q1 2026: of EXPORT_VAL and IMPORT_VAL for March, one arrived, on time.
    const [q1] = await rows<Record<string, unknown>>(
      "SELECT obligations, completeness, timeliness, validity, consistency, accuracy, composite FROM marts.fct_quality_score WHERE agency = 'SO_CT' AND quarter_start = '2026-01-01'",
    )
    expect(q1).toEqual({ obligations: 2, completeness: 50, timeliness: 50, validity: null, consistency: null, accuracy: null, composite: 50 })
    // Its Q2 deliveries: two one-row reports and the refused May file (2 rows, 1 rejected) — 3 of 4 rows valid.
    const [q2] = await rows<{ validity: number }>("SELECT validity FROM marts.fct_quality_score WHERE agency = 'SO_CT' AND quarter_start = '2026-04-01'")
    expect(q2!.validity).toBeCloseTo((3 / 4) * 100, 6)
    const ranks = await rows<{ rank: number }>("SELECT rank FROM marts.fct_quality_score WHERE quarter_start = '2026-07-01' ORDER BY rank")
    expect(ranks[0]!.rank).toBe(1)
  })

  it('counts residents by commune, age band and gender with no personal data', async () => {
    const cols = await rows<{ name: string }>("SELECT name FROM system.columns WHERE database = 'marts' AND table = 'fct_population'")
    // key_sum: the sum of the residents' record keys (hashes), the cell key for disclosure control;
    // load_id: the delivery the residents came from (a trace's count per delivery), not a person.
    expect(cols.map((c) => c.name)).toEqual(['commune_code', 'age_band', 'gender', 'load_id', 'people', 'key_sum'])
    const [total] = await rows<{ n: number }>('SELECT sum(people) AS n FROM marts.fct_population')
    expect(Number(total!.n)).toBe(4)
  })

  it('passes its own data tests', async () => {
    const { results } = await runDataTests(wh, project)
    expect(results.filter((t) => t.status !== 'pass')).toEqual([])
    expect(results.length).toBeGreaterThan(30)
  })
})
