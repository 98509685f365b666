import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { loadFile } from './load-file.ts'
import { MAX_VALUE_CHARS } from './readers/source-record.ts'
import { keptUnder } from '../infra/files/sealed-file.ts'

const catalog = loadCatalog()
const home = tempDir('kho-huge-')
let wh: TempWarehouse
beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
})
afterAll(() => wh?.dispose())

const MB = 1024 * 1024

describe('a value larger than any column needs', () => {
  it('150 MB of digits in one JSON value: the row is rejected naming the column, the others load, memory stays bounded', async () => {
    // The second probe: [{"cccd": "<50 MB of digits>"}] took RSS from 818 to 2,585 MB; 150 MB killed the service.
    const file = path.join(home, 'dan-cu.json')
    const fd = fs.openSync(file, 'w')
    // Twenty good rows around it, so the file stays under the share of rejected rows that refuses it whole.
    const good = Array.from({ length: 20 }, (_, i) => `{"cccd": "02709000${1000 + i}", "ho_ten": "Nguyễn Văn ${i}", "ngay_sinh": "01/02/1990", "gioi_tinh": "Nam", "ma_xa": "07210", "ngay_cap_nhat": "01/10/2026"},\n`).join('')
    fs.writeSync(fd, `[${good}{"cccd": "`)
    const block = '0123456789'.repeat(MB / 10)
    for (let i = 0; i < 150; i++) fs.writeSync(fd, block)
    fs.writeSync(fd, '", "ho_ten": "Trần Thị B", "ngay_sinh": "02/03/1991", "gioi_tinh": "Nữ", "ma_xa": "07210", "ngay_cap_nhat": "01/10/2026"}]')
    fs.closeSync(fd)
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const report = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'dan_cu', agency: 'CA_TINH', channel: 'file' }).finally(() => clearInterval(sampler))
    console.info(`150 MB JSON value: RSS growth ${Math.round((peak - before) / MB)} MB`)
    expect(report, JSON.stringify(report.refusal)).toMatchObject({ status: 'committed', rowsLoaded: 20, rowsRejected: 1 })
    expect(report.rejects[0]).toMatchObject({ row: 21, column: 'cccd', code: 'value.too_long' })
    expect(JSON.stringify(report.rejects[0])).toContain(`longer than ${MAX_VALUE_CHARS.toLocaleString('en')} characters`)
    // Bounded: the value is never held whole (it had taken 1.7 GB for 50 MB).
    expect(peak - before).toBeLessThan(600 * MB)
  }, 300_000)
})
