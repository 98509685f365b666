import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indicatorCodesOwnedBy, loadCatalog, type Catalog } from '../infra/catalog/load-catalog.ts'
import { columnSchema, type Column } from '../infra/catalog/schema.ts'
import { openSyncedWarehouse, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { columnPlainValidSql, columnProblemSql, type RuleContext } from './rules-sql.ts'

// The loaders run a cheap "plain" test on every cell and the full rules only where it fails, so
// the plain test must never pass a value the full rules refuse — and must pass the usual good ones,
// or loads are slow for nothing.
let wh: TempWarehouse
let catalog: Catalog
let ctx: RuleContext
beforeAll(async () => {
  catalog = loadCatalog()
  wh = await openSyncedWarehouse(catalog)
  ctx = {
    provinceCode: catalog.province.code,
    indicatorCodes: [...catalog.indicators.map((i) => i.code), ...catalog.components.map((c) => c.code)],
    ownedIndicatorCodes: indicatorCodesOwnedBy(catalog, 'SO_TC'),
  }
})
afterAll(() => wh.dispose())

const column = (c: Record<string, unknown>) => columnSchema.parse(c)
const extraColumns = [
  column({ id: 'ma', label: 'Mã', type: 'string', required: true, pattern: '^[A-Z]{2}[0-9]+$' }),
  column({ id: 'so_nguyen', label: 'Số nguyên', type: 'integer', min: 0, max: 1000000 }),
  column({ id: 'so_thuc', label: 'Số thực', type: 'decimal', required: true, min: -5 }),
  column({ id: 'ngay', label: 'Ngày', type: 'date' }),
  column({ id: 'gioi_tinh', label: 'Giới tính', type: 'string', required: true, enum: ['Nam', 'Nữ'] }),
  column({ id: 'cccd_tuy_chon', label: 'CCCD', type: 'string', identifier: 'cccd' }),
  column({ id: 'xa_tuy_chon', label: 'Mã xã', type: 'string', identifier: 'commune_code' }),
]

/** For each value: does the plain test pass it, and the full rules' problem code. */
async function verdicts(c: Column, values: string[]): Promise<{ v: string; plain: number; code: string }[]> {
  const id = quoteIdent(c.id)
  return queryRows(
    wh.client,
    `SELECT ${id} AS v, toUInt8(${columnPlainValidSql(c, ctx)}) AS plain, ${columnProblemSql(c, ctx)} AS code
     FROM (SELECT arrayJoin({values:Array(String)}) AS ${id})`,
    { values },
  )
}

const pad = (n: number, w: number) => String(n).padStart(w, '0')
/** What agencies put in cells: dates right and wrong, ID-like digits, codes, words, stray spaces. */
function cellLike(communes: string[]) {
  const date = fc
    .tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1890, max: 2310 }))
    .map(([d, m, y]) => `${pad(d, 2)}/${pad(m, 2)}/${y}`)
  const cccd = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999999 }))
    .map(([p, c, y, r]) => `0${pad(p, 2)}${c}${pad(y, 2)}${pad(r, 6)}`)
  const noise = fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '/', '-', '.', ',', ' ', 'A', 'Z', 'a', 'N', 'ữ', '\t'), maxLength: 14 })
  const word = fc.constantFrom('Nam', 'Nữ', 'nam', ' Nam', 'NỮ', 'AB12', 'ab12', 'AB', '0', '-3', '-6', '1000000', '1000001', '1.234', '12,5', '1e3', '')
  const base = fc.oneof(date, cccd, noise, word, fc.constantFrom(...communes), fc.integer({ min: -10, max: 2_000_000 }).map(String))
  return fc.tuple(base, fc.constantFrom('', ' ', '\t')).map(([v, around]) => (around && v.length % 3 === 0 ? `${around}${v}` : v))
}

describe('the plain test the loaders run first', () => {
  it('never passes a value the full rules refuse, for any column of the catalogue', async () => {
    const communes = (await queryRows<{ c: string }>(wh.client, "SELECT commune_code AS c FROM meta.admin_units LIMIT 40")).map((r) => r.c)
    const values = fc.sample(cellLike(communes), { numRuns: 4000, seed: 20261122 })
    const columns = [...catalog.datasets.flatMap((d) => d.columns), ...extraColumns]
    let passed = 0
    for (const c of columns) {
      for (const r of await verdicts(c, values)) {
        if (r.plain) {
          passed++
          expect({ column: c.id, value: r.v, code: r.code }).toEqual({ column: c.id, value: r.v, code: '' })
        }
      }
    }
    expect(passed).toBeGreaterThan(1000)
  })

  it('passes the usual good values, so they skip the full rules', async () => {
    const c = (id: string) => catalog.dataset('dan_cu')!.columns.find((x) => x.id === id)!
    const plainOf = async (col: Column, values: string[]) => (await verdicts(col, values)).map((r) => r.plain)
    expect(await plainOf(c('cccd'), ['027090001234', '001199000001', '024305123456'])).toEqual([1, 1, 1])
    expect(await plainOf(c('ngay_sinh'), ['29/02/2024', '01/01/1900', '31/12/2299', '29/02/2100', '31/04/2026', '1/2/2026'])).toEqual([1, 1, 1, 0, 0, 0])
    expect(await plainOf(c('gioi_tinh'), ['Nam', 'Nữ', 'nam'])).toEqual([1, 1, 0])
    expect(await plainOf(c('ma_xa'), ['07210', '7210', '99999'])).toEqual([1, 0, 0])
  })
})
