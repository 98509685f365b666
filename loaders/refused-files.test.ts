import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { archivePath } from './archive.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'
import { loadFile, type LoadReport } from './load-file.ts'
import { pruneRefusedFiles } from './refused-files.ts'

const catalog = loadCatalog()
const home = tempDir('kho-refused-')
const archive = path.join(home, 'archive')
let wh: TempWarehouse

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh.dispose())

const HEADER = 'ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri'

/** A delivery of `rows` (padded to `bytes`) on a day. */
async function deliver(name: string, agency: string, rows: string[], day: string, bytes = 0): Promise<LoadReport> {
  const file = path.join(home, name)
  fs.writeFileSync(file, [HEADER, ...rows].join('\n').padEnd(bytes, '\n') + '\n')
  return loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'chi_tieu_kt_xh', agency, channel: 'upload', deliveredAt: new Date(`${day}T03:00:00Z`) })
}

const kept = (r: LoadReport) => fs.existsSync(archivePath(archive, r.sha256))

describe('refused files under a quota and a retention period', () => {
  it('keeps each agency its newest refused files within quota and age, never a committed file', async () => {
    // Codes that lost their leading zero: every row rejected, the whole file refused.
    const bad = (n: number) => [`EXPORT_VAL,2026-0${n},2,1`, `IMPORT_VAL,2026-0${n},2,1`]
    const old = await deliver('ct_1.csv', 'SO_CT', bad(1), '2026-01-10', 3000)
    const mid = await deliver('ct_2.csv', 'SO_CT', bad(2), '2026-10-10', 3000)
    const recent = await deliver('ct_3.csv', 'SO_CT', bad(3), '2026-11-20', 3000)
    const other = await deliver('tk_1.csv', 'TK_TINH', ['CPI,2026-04,2,1'], '2026-11-21', 3000)
    const good = await deliver('ct_ok.csv', 'SO_CT', ['EXPORT_VAL,2026-05,24,1'], '2026-01-05', 3000)
    expect([old, mid, recent, other].map((r) => r.status)).toEqual(['refused', 'refused', 'refused', 'refused'])
    expect(good.status).toBe('committed')

    // 180 days and room for two files an agency: Sở Công Thương's January file is too old; the rest fit.
    const first = await pruneRefusedFiles(wh, archive, { quotaBytes: 7000, retentionDays: 180 }, new Date('2026-11-28T00:00:00Z'))
    expect(first).toMatchObject({ removed: 1, byAgency: { SO_CT: 1 } })
    expect([old, mid, recent, other, good].map(kept)).toEqual([false, true, true, true, true])

    // A smaller quota: the newest refused file stays, the older goes; another agency's is its own.
    const second = await pruneRefusedFiles(wh, archive, { quotaBytes: 4000, retentionDays: 180 }, new Date('2026-11-28T00:00:00Z'))
    expect(second).toMatchObject({ removed: 1, byAgency: { SO_CT: 1 } })
    expect([mid, recent, other, good].map(kept)).toEqual([false, true, true, true])
    expect(second.bytes).toBeGreaterThanOrEqual(3000)
  })
})
