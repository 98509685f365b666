import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { createHash } from 'node:crypto'
import { loadFile, type LoadFileOptions } from './load-file.ts'
import { keptUnder, readKept } from '../infra/files/sealed-file.ts'
import { Keyring } from '../infra/keys/keyring.ts'

const sha256File = async (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex')

const catalog = loadCatalog()
const dir = tempDir('kho-load-')
let wh: TempWarehouse

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

function file(name: string, content: string): string {
  const p = path.join(dir, name)
  fs.writeFileSync(p, content)
  return p
}

const load = (f: string, extra: Partial<LoadFileOptions> = {}) =>
  loadFile({ wh, catalog, archive: keptUnder(dir), file: f, dataset: 'doanh_nghiep', agency: 'SO_TC', channel: 'file', ...extra })

const DN = 'Mã số thuế;Tên DN;Ngày thành lập;Mã xã;Mã ngành;Vốn điều lệ;Trạng thái;Ngày cập nhật;Người đại diện\n' +
  '0100047516;Công ty A;01/02/2020;07210;2610;1.500,5;dang_hoat_dong;01/10/2026;Nguyễn Văn A\n' +
  '0100233488-001;Chi nhánh B;03/04/2021;09301;4659;;tam_ngung;02/10/2026;Trần Thị B\n'

describe('loading a file into raw', () => {
  it('maps Vietnamese headers and aliases to columns and keeps provenance for every row', async () => {
    const f = file('dn.csv', DN)
    const report = await load(f)
    expect(report).toMatchObject({ status: 'committed', rowsRead: 2, rowsLoaded: 2, refusal: null })
    expect(report.warnings.map((w) => w.code)).toEqual(['header.unknown'])
    expect(report.warnings[0]!.vi).toContain('Người đại diện')
    const rows = await queryRows<Record<string, string | number>>(
      wh.client,
      'SELECT ma_so_doanh_nghiep, von_dieu_le, trang_thai, _load_id, _agency, _source, _sha256, _row FROM raw.doanh_nghiep WHERE _load_id = {id:String} ORDER BY _row',
      { id: report.loadId },
    )
    expect(rows).toEqual([
      { ma_so_doanh_nghiep: '0100047516', von_dieu_le: '1.500,5', trang_thai: 'dang_hoat_dong', _load_id: report.loadId, _agency: 'SO_TC', _source: 'dn.csv', _sha256: '', _row: 2 },
      { ma_so_doanh_nghiep: '0100233488-001', von_dieu_le: '', trang_thai: 'tam_ngung', _load_id: report.loadId, _agency: 'SO_TC', _source: 'dn.csv', _sha256: '', _row: 3 },
    ])
    // Each row's provenance reaches the delivered file through its load: meta.loads holds the hash.
    const [hashOfRows] = await queryRows<{ sha256: string }>(wh.client, 'SELECT l.sha256 AS sha256 FROM raw.doanh_nghiep AS r INNER JOIN (SELECT load_id, sha256 FROM meta.loads FINAL) AS l ON l.load_id = r._load_id WHERE r._load_id = {id:String} LIMIT 1', { id: report.loadId })
    expect(hashOfRows!.sha256).toBe(await sha256File(f))
    expect((await readKept(path.join(dir, 'archive', report.sha256.slice(0, 2), report.sha256), Keyring.open(path.join(dir, 'keys')))).toString('utf8')).toBe(DN)
    const [state] = await queryRows<{ status: string; rows_loaded: number }>(wh.client, 'SELECT status, rows_loaded FROM meta.loads FINAL WHERE load_id = {id:String}', { id: report.loadId })
    expect(state).toEqual({ status: 'committed', rows_loaded: 2 })
  })

  it('recognises the same file delivered twice and does not load it again', async () => {
    const f = file('dn-again.csv', DN)
    const report = await load(f)
    expect(report.status).toBe('duplicate')
    expect(report.rowsLoaded).toBe(0)
    expect(report.warnings[0]!.code).toBe('file.duplicate')
    const [count] = await queryRows<{ n: string }>(wh.client, "SELECT count() n FROM raw.doanh_nghiep WHERE ma_so_doanh_nghiep = '0100047516'")
    expect(Number(count!.n)).toBe(1)
  })

  it('refuses, with reasons in Vietnamese, what it cannot load, and nothing of it becomes visible', async () => {
    const missing = await load(file('thieu.csv', 'Mã số doanh nghiệp,Tên doanh nghiệp\n0100047516,A\n'))
    expect(missing).toMatchObject({ status: 'refused', rowsLoaded: 0, refusal: { code: 'header.missing_required' } })
    expect(missing.refusal!.vi).toContain('"Ngày thành lập"')
    expect((await load(file('dn2.csv', DN.replace('Công ty A', 'Công ty A2')), { agency: 'CA_TINH' })).refusal).toMatchObject({ code: 'agency.not_owner' })
    expect((await load(file('dn3.csv', DN), { agency: 'SO_KHONG_CO' })).refusal).toMatchObject({ code: 'agency.unknown' })
    expect((await load(file('empty.csv', ''))).refusal).toMatchObject({ code: 'file.empty' })
    expect((await load(file('dn.xlsb', DN))).refusal).toMatchObject({ code: 'format.unsupported' })
    const [visible] = await queryRows<{ n: string }>(
      wh.client,
      `SELECT count() n FROM raw.doanh_nghiep WHERE _load_id IN (SELECT load_id FROM meta.loads FINAL WHERE status = 'committed')`,
    )
    expect(Number(visible!.n)).toBe(2)
  })
})
