import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Random } from '../app/demo/random.ts'
import { openSyncedWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from '../warehouse/client.ts'
import { adminUnitProblemSql, communeProblemSql, parseAdminUnitCode, parseCommuneCode } from './admin-units.ts'
import { cccdProblemSql, parseCccd } from './cccd.ts'
import { enterpriseCheckDigit, enterpriseProblemSql, parseEnterpriseCode } from './enterprise-code.ts'
import type { Parsed } from './problem.ts'

// The loaders check whole deliveries in SQL; these tests hold the SQL to the TypeScript parsers
// (the commune checks read meta.admin_units, hence a synced warehouse).
let wh: TempWarehouse
beforeAll(async () => {
  wh = await openSyncedWarehouse()
})
afterAll(() => wh.dispose())

const codeOf = (p: Parsed<unknown>) => (p.ok ? '' : p.problem.code)

/** A SQL check expression over each value, in order. */
async function sqlCodes(values: string[], expr: (v: string) => string): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(
    wh.client,
    `SELECT ${expr('v')} AS code FROM (SELECT arrayJoin({values:Array(String)}) AS v, rowNumberInAllBlocks() AS n) ORDER BY n`,
    { values },
  )
  return rows.map((r) => r.code)
}

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
