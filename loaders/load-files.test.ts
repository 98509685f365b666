import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, type Catalog, type CatalogDataset } from '../infra/catalog/load-catalog.ts'
import { columnSchema } from '../infra/catalog/schema.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { loadFile, loadFiles, type LoadReport } from './load-file.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'

// Two datasets with the same contract: one takes the files one by one, the other as one batch.
const column = (c: Record<string, unknown>) => columnSchema.parse(c)
const contract = (id: string): CatalogDataset => ({
  ...loadCatalog().dataset('doanh_nghiep')!,
  id,
  name: `Kiểm thử lô ${id}`,
  natural_key: ['ma'],
  reject_threshold: 0.5,
  columns: [
    column({ id: 'ma', label: 'Mã', type: 'string', required: true, pattern: '^[A-Z]{2}[0-9]+$' }),
    column({ id: 'so_nguyen', label: 'Số nguyên', type: 'integer', min: 0 }),
    column({ id: 'ngay', label: 'Ngày', type: 'date' }),
    column({ id: 'don_vi', label: 'Đơn vị', type: 'string', identifier: 'admin_unit_code' }),
  ],
})
const ONE_BY_ONE = contract('lo_tung_tep')
const BATCH = contract('lo_ca_lo')
let catalog: Catalog
let wh: TempWarehouse
const dir = tempDir('kho-load-files-')
const archive = keptUnder(dir)

const HEADER = 'Mã,Số nguyên,Ngày,Đơn vị'
const csv = (lines: string[]) => [HEADER, ...lines].join('\n') + '\n'

/** The deliveries, in delivery order: every way a file can end, side by side. */
async function deliveries(): Promise<string[]> {
  const put = (name: string, content: string | Buffer) => {
    const f = path.join(dir, name)
    fs.writeFileSync(f, content)
    return f
  }
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Báo cáo')
  ws.addRow(['BÁO CÁO THÁNG'])
  ws.addRow(HEADER.split(','))
  ws.addRow(['XL1', 5, '04/03/2026', '24'])
  ws.addRow(['XL2', 6, '05/03/2026', '07210'])
  return [
    put('sent-before.csv', csv(['SB1,1,01/01/2026,24'])),
    put('a.csv', csv(['AA1,1,01/02/2026,24', 'AA2,"2",02/02/2026,07210', 'AA3,3,,'])),
    put('b.json', JSON.stringify([{ 'Mã': 'JS1', 'Số nguyên': 4, 'Ngày': '03/03/2026', 'Đơn vị': '24' }, { 'Mã': 'JS2', 'Số nguyên': '5' }])),
    put('c.xlsx', Buffer.from(await wb.xlsx.writeBuffer())),
    put('no-key-column.csv', 'Số nguyên,Ngày\n1,01/01/2026\n'),
    put('mostly-bad.csv', csv(['bad1,1,,', 'bad2,2,,', 'MB3,3,,'])),
    put('a-again.csv', fs.readFileSync(path.join(dir, 'a.csv'))),
    put('one-bad.csv', csv(['OB1,1,,', 'OB2,-4,31/02/2026,99999', 'OB3,3,,'])),
    // "Phường" in Windows-1258 on line 3.
    put('cp1258.csv', Buffer.concat([Buffer.from(`${HEADER}\nCP1,1,,\nCP2,`), Buffer.from([0x50, 0x68, 0xfd, 0xf5, 0xcc, 0x6e, 0x67]), Buffer.from(',,\n')])),
    put('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, 'UT1\t7\t02/03/2026\t24', 'UT2\t8\t\t'].join('\r\n').replaceAll(',', '\t'), 'utf16le')])),
    put('empty.csv', ''),
    put('letter.pdf', '%PDF-1.4 a letter, not data'),
    put('header-only.csv', `${HEADER}\n`),
  ]
}

const shape = (r: LoadReport) => ({
  source: r.source,
  status: r.status,
  rowsRead: r.rowsRead,
  rowsLoaded: r.rowsLoaded,
  rowsRejected: r.rowsRejected,
  refusal: r.refusal?.code ?? null,
  warnings: r.warnings.map((w) => w.code),
  rejects: r.rejects.map((x) => [x.row, x.column, x.code, x.value]),
})

const rawOf = (dataset: CatalogDataset, load: string) =>
  queryRows<Record<string, unknown>>(wh.client, `SELECT * EXCEPT (_load_id, _loaded_at, _sha256) FROM raw.${dataset.id} WHERE _load_id = {load:String} ORDER BY _row`, { load })

beforeAll(async () => {
  const base = loadCatalog()
  const extra = new Map([ONE_BY_ONE, BATCH].map((d) => [d.id, d]))
  catalog = { ...base, datasets: [...base.datasets, ...extra.values()], dataset: (id) => extra.get(id) ?? base.dataset(id) }
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

describe('a batch of deliveries', () => {
  it('ends every file exactly as loading it alone would, each its own load, in delivery order', async () => {
    const files = await deliveries()
    const base = { wh, catalog, archive, agency: 'SO_TC', channel: 'file' as const }
    // One file of the batch was delivered (and committed) earlier, to each dataset.
    for (const d of [ONE_BY_ONE, BATCH]) expect((await loadFile({ ...base, file: files[0]!, dataset: d.id })).status).toBe('committed')
    const alone: LoadReport[] = []
    for (const file of files) alone.push(await loadFile({ ...base, file, dataset: ONE_BY_ONE.id }))
    const batched = await loadFiles({ wh, catalog, archive, files: files.map((file) => ({ file, dataset: BATCH.id, agency: 'SO_TC', channel: 'file' as const })) })

    expect(batched.map(shape)).toEqual(alone.map(shape))
    // Every way a file ends is here, so the comparison means something.
    expect(batched.map((r) => r.refusal?.code ?? r.status)).toEqual([
      'duplicate', 'committed', 'committed', 'committed', 'header.missing_required', 'threshold', 'duplicate',
      'committed', 'encoding', 'committed', 'file.empty', 'format.unsupported', 'file.no_rows',
    ])
    // The same rows in raw, with the same provenance and problems; a refused file's rejected rows kept for the agency to fix.
    for (const [i, r] of batched.entries()) {
      expect(await rawOf(BATCH, r.loadId), r.source).toEqual(await rawOf(ONE_BY_ONE, alone[i]!.loadId))
    }
    expect((await rawOf(BATCH, batched[5]!.loadId)).length).toBe(2)
    // Each its own load in meta.loads, timed in delivery order; the same reasons in meta.rejects.
    const loads = await queryRows<{ load_id: string; status: string; at: string; rejects: string }>(
      wh.client,
      `SELECT load_id, status, toUnixTimestamp64Milli(started_at) AS at,
         (SELECT count() FROM meta.rejects WHERE meta.rejects.load_id = l.load_id) AS rejects
       FROM meta.loads AS l FINAL WHERE dataset = {ds:String} ORDER BY started_at`,
      { ds: BATCH.id },
    )
    // (Files refused before anything is written — empty, not a data format — are settled first.)
    const refusedUnread = new Set(batched.filter((r) => ['file.empty', 'format.unsupported'].includes(r.refusal?.code ?? '')).map((r) => r.loadId))
    const byId = new Map(loads.map((l) => [l.load_id, l]))
    expect(loads.slice(1 + refusedUnread.size).map((l) => l.load_id)).toEqual(batched.map((r) => r.loadId).filter((id) => !refusedUnread.has(id)))
    expect(new Set(loads.map((l) => l.at)).size).toBe(loads.length)
    expect(batched.map((r) => byId.get(r.loadId)!.status)).toEqual(batched.map((r) => r.status))
    const alonesRejects = await queryRows<{ load_id: string; n: string }>(wh.client, 'SELECT load_id, count() AS n FROM meta.rejects WHERE dataset = {ds:String} GROUP BY load_id', { ds: ONE_BY_ONE.id })
    const rejectsAlone = new Map(alonesRejects.map((x) => [x.load_id, Number(x.n)]))
    expect(batched.map((r) => Number(byId.get(r.loadId)!.rejects))).toEqual(alone.map((r) => rejectsAlone.get(r.loadId) ?? 0))
    // Nothing of the batch's private input is left behind.
    expect(await queryRows(wh.client, "SELECT name FROM system.tables WHERE database = 'raw' AND startsWith(name, '__input_')")).toEqual([])
  })

  it('a later file of a key replaces an earlier one of the same batch, as when sent one after the other', async () => {
    const first = path.join(dir, 'v1.csv')
    const second = path.join(dir, 'v2.csv')
    fs.writeFileSync(first, csv(['VV1,1,,24']))
    fs.writeFileSync(second, csv(['VV1,2,,24']))
    const reports = await loadFiles({ wh, catalog, archive, files: [first, second].map((file) => ({ file, dataset: BATCH.id, agency: 'SO_TC', channel: 'file' as const })) })
    expect(reports.map((r) => r.status)).toEqual(['committed', 'committed'])
    const [latest] = await queryRows<{ so_nguyen: string }>(wh.client, `SELECT argMax(so_nguyen, _loaded_at) AS so_nguyen FROM raw.${BATCH.id} WHERE ma = 'VV1'`)
    expect(latest!.so_nguyen).toBe('2')
  })
})
