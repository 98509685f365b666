import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncedWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { sqlCodes as sqlCodesIn } from '../testing/sql-codes.ts'
import { adminUnitProblemSql, communeProblemSql, parseAdminUnitCode, parseCommuneCode } from './admin-units.ts'
import { cccdProblemSql, parseCccd } from './cccd.ts'
import { enterpriseCheckDigit, enterpriseProblemSql, parseEnterpriseCode } from './enterprise-code.ts'
import type { Parsed } from './problem.ts'

let wh: TempWarehouse
beforeAll(async () => {
  // The commune check reads meta.admin_units, as the loaders' does.
  wh = await openSyncedWarehouse()
})
afterAll(() => wh.dispose())

const codeOf = (p: Parsed<unknown>) => (p.ok ? '' : p.problem.code)

const sqlCodes = (values: string[], expr: (v: string) => string) => sqlCodesIn(wh, values, expr)

/** What agencies type into an identifier cell: digits mostly, with the usual slips. */
const idLike = fc.string({ unit: fc.constantFrom('0', '1', '2', '4', '7', '9', '0', '3', ' ', '-', '.', 'A', 'Đ', '\t'), maxLength: 16 })

describe('identifier checks (property-based)', () => {
  it('the SQL the loaders run gives the same verdict as the TypeScript parser, for any input', async () => {
    const values = fc.sample(idLike, { numRuns: 600, seed: 20261122 })
    expect(await sqlCodes(values, cccdProblemSql)).toEqual(values.map((v) => codeOf(parseCccd(v))))
    expect(await sqlCodes(values, enterpriseProblemSql)).toEqual(values.map((v) => codeOf(parseEnterpriseCode(v))))
    expect(await sqlCodes(values, (v) => communeProblemSql(v, '24'))).toEqual(values.map((v) => codeOf(parseCommuneCode(v, '24'))))
    expect(await sqlCodes(values, (v) => adminUnitProblemSql(v, '24'))).toEqual(values.map((v) => codeOf(parseAdminUnitCode(v, '24'))))
  })

  it('an enterprise code with its check digit is valid, and any one digit changed is caught', () => {
    const first9 = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 }).filter((d) => enterpriseCheckDigit(d) !== null)
    fc.assert(
      fc.property(first9, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (d, at, shift) => {
        const code = d + String(enterpriseCheckDigit(d))
        expect(parseEnterpriseCode(code).ok).toBe(true)
        const changed = code.slice(0, at) + String((Number(code[at]) + shift) % 10) + code.slice(at + 1)
        expect(parseEnterpriseCode(changed).ok).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('never accepts a CCCD that is not exactly 12 digits after cleaning', () => {
    fc.assert(
      fc.property(idLike, (raw) => {
        const r = parseCccd(raw)
        if (r.ok) expect(r.value.cccd).toMatch(/^\d{12}$/)
      }),
      { numRuns: 1000 },
    )
  })
})
