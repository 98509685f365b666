import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Random } from '../demo/random.ts'
import { openSyncedWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { sqlCodes as sqlCodesIn } from '../testing/sql-codes.ts'
import { adminUnitProblemSql, communeProblemSql, parseAdminUnitCode, parseCommuneCode } from './admin-units.ts'
import { cccdProblemSql, parseCccd } from './cccd.ts'
import { enterpriseCheckDigit, enterpriseProblemSql, parseEnterpriseCode } from './enterprise-code.ts'
import type { Parsed } from './problem.ts'

// The loaders check whole deliveries in SQL; these tests hold the SQL to the TypeScript parsers.
let wh: TempWarehouse
beforeAll(async () => {
  wh = await openSyncedWarehouse()
})
afterAll(() => wh.dispose())

const codeOf = (p: Parsed<unknown>) => (p.ok ? '' : p.problem.code)

const sqlCodes = (values: string[], expr: (v: string) => string) => sqlCodesIn(wh, values, expr)

const rng = new Random(7)
const randomDigits = (n: number) => Array.from({ length: n }, () => rng.digits(rng.int(1, 14)))

describe('SQL identifier checks agree with the TypeScript parsers', () => {
  it('CCCD', async () => {
    const values = ['', '027090001234', '024305123456', ' 027 090 001.234 ', '027-090-001-234', '27090001234', '123456789', '0270900012345', '02709000123A', '003090001234', '027290001234', '001199000001', ...randomDigits(300)]
    const ts = values.map((v) => codeOf(parseCccd(v)))
    expect(await sqlCodes(values, cccdProblemSql)).toEqual(ts)
    expect(new Set(ts).size).toBeGreaterThan(6)
  })

  it('enterprise code', async () => {
    const valid: string[] = []
    while (valid.length < 100) {
      const first9 = rng.digits(9)
      const check = enterpriseCheckDigit(first9)
      if (check !== null) valid.push(first9 + check)
    }
    const values = [
      '', '0100047516', '0100233488', '0100047517', '1002334850', '0100047516-001', '0100047516001', '0100047516-000', '0100047516-01',
      '100047516', '12345', '01000A7516', ' 0100047516 ', ...valid, ...valid.map((v) => v.slice(1)), ...valid.map((v) => `${v}-${rng.digits(3)}`), ...randomDigits(300),
    ]
    const ts = values.map((v) => codeOf(parseEnterpriseCode(v)))
    expect(await sqlCodes(values, enterpriseProblemSql)).toEqual(ts)
    expect(ts.filter((c) => c === '').length).toBeGreaterThan(100)
  })

  it('commune and admin unit codes', async () => {
    const values = ['07210', '7210', '09301', '00004', '4', '99999', '07 210', 'abc', '24', '27', '01', '1', ...randomDigits(200)]
    expect(await sqlCodes(values, (v) => communeProblemSql(v, '24'))).toEqual(values.map((v) => codeOf(parseCommuneCode(v, '24'))))
    expect(await sqlCodes(values, (v) => adminUnitProblemSql(v, '24'))).toEqual(values.map((v) => codeOf(parseAdminUnitCode(v, '24'))))
  })
})
