import { describe, expect, it } from 'vitest'
import { allCommunes, allProvinces, communesOf, parseCommuneCode, parseProvinceCode } from './admin-units.ts'
import { cccdBirthDigits, checkCccdMatches, parseCccd } from './cccd.ts'
import { enterpriseCheckDigit, parseEnterpriseCode } from './enterprise-code.ts'
import type { Parsed } from './problem.ts'

function problemCode<T>(p: Parsed<T>): string | null {
  return p.ok ? null : p.problem.code
}

describe('CCCD', () => {
  const today = new Date('2026-11-22')

  it('reads birth province, gender and birth year from the digits', () => {
    const male1990 = parseCccd('027090001234', today)
    expect(male1990).toEqual({
      ok: true,
      value: {
        cccd: '027090001234',
        birthProvinceCode: '027',
        birthProvinceName: 'Bắc Ninh',
        province2025: '24',
        gender: 'nam',
        birthYear: 1990,
      },
    })
    const female2005 = parseCccd(' 024 305 123.456 ', today)
    expect(female2005.ok && female2005.value).toMatchObject({ birthProvinceName: 'Bắc Giang', gender: 'nu', birthYear: 2005 })
  })

  it('encodes century and gender the way it decodes them', () => {
    expect(cccdBirthDigits(1990, 'nam')).toBe('090')
    expect(cccdBirthDigits(2005, 'nu')).toBe('305')
    expect(cccdBirthDigits(1900, 'nu')).toBe('100')
    const id = parseCccd(`001${cccdBirthDigits(2001, 'nu')}000001`, today)
    expect(id.ok && id.value).toMatchObject({ birthYear: 2001, gender: 'nu' })
  })

  it('explains a leading zero lost in Excel instead of guessing', () => {
    const r = parseCccd('27090001234', today)
    expect(problemCode(r)).toBe('cccd.leading_zero_lost')
    expect(!r.ok && r.problem.vi).toMatch(/mất số 0 ở đầu/)
    expect(!r.ok && r.problem.en).toMatch(/leading zero/)
  })

  it.each([
    ['', 'cccd.empty'],
    ['02709000123A', 'cccd.not_digits'],
    ['027-090-001-234', 'cccd.not_digits'],
    ['123456789', 'cccd.legacy_cmnd'],
    ['0270900012345', 'cccd.length'],
    ['003090001234', 'cccd.province'],
    ['027290001234', 'cccd.birth_year_future'],
  ])('rejects %j as %s', (input, code) => {
    expect(problemCode(parseCccd(input, today))).toBe(code)
  })

  it('flags a CCCD that disagrees with the recorded birth year or gender', () => {
    const id = parseCccd('027090001234', today)
    if (!id.ok) throw new Error('fixture should parse')
    expect(checkCccdMatches(id.value, { birthYear: 1990, gender: 'nam' }).ok).toBe(true)
    expect(problemCode(checkCccdMatches(id.value, { birthYear: 1991, gender: 'nam' }))).toBe('cccd.birth_year_mismatch')
    expect(problemCode(checkCccdMatches(id.value, { birthYear: 1990, gender: 'nu' }))).toBe('cccd.gender_mismatch')
  })
})

describe('enterprise code', () => {
  it.each(['0100047516', '0100233488'])('accepts the reference example %s', (code) => {
    expect(parseEnterpriseCode(code)).toEqual({ ok: true, value: { code, parent: code, branch: null } })
  })

  it('rejects any single changed digit of a valid code', () => {
    const valid = '0100047516'
    for (let i = 0; i < 10; i++) {
      const d = Number(valid[i])
      const changed = valid.slice(0, i) + String((d + 1) % 10) + valid.slice(i + 1)
      expect(parseEnterpriseCode(changed).ok, changed).toBe(false)
    }
    const r = parseEnterpriseCode('0100047517')
    expect(!r.ok && r.problem).toMatchObject({ code: 'enterprise.check_digit' })
    expect(!r.ok && r.problem.vi).toContain('"0100047517"')
  })

  it('rejects a code whose check digit would be 10', () => {
    expect(enterpriseCheckDigit('100233485')).toBeNull()
    for (let last = 0; last <= 9; last++) {
      expect(problemCode(parseEnterpriseCode(`100233485${last}`))).toBe('enterprise.check_impossible')
    }
  })

  it('accepts branches with or without the dash and canonicalises them', () => {
    expect(parseEnterpriseCode('0100047516-001')).toEqual({
      ok: true,
      value: { code: '0100047516-001', parent: '0100047516', branch: '001' },
    })
    expect(parseEnterpriseCode('0100047516001').ok && parseEnterpriseCode('0100047516001')).toMatchObject({
      value: { code: '0100047516-001' },
    })
    expect(problemCode(parseEnterpriseCode('0100047516-000'))).toBe('enterprise.branch')
    expect(problemCode(parseEnterpriseCode('0100047516-01'))).toBe('enterprise.branch')
    expect(problemCode(parseEnterpriseCode('0100047517-001'))).toBe('enterprise.check_digit')
  })

  it('explains a leading zero lost in Excel', () => {
    expect(problemCode(parseEnterpriseCode('100047516'))).toBe('enterprise.leading_zero_lost')
    expect(problemCode(parseEnterpriseCode('12345'))).toBe('enterprise.length')
    expect(problemCode(parseEnterpriseCode('01000A7516'))).toBe('enterprise.format')
  })
})

describe('admin units (2025)', () => {
  it('knows the 34 provinces and 3,321 communes, with Bắc Ninh = 24 and its 99 communes', () => {
    expect(allProvinces()).toHaveLength(34)
    expect(allCommunes()).toHaveLength(3321)
    const bacNinh = parseProvinceCode('24')
    expect(bacNinh.ok && bacNinh.value).toMatchObject({ name: 'Tỉnh Bắc Ninh', communeCount: 99 })
    const communes = communesOf('24')
    expect(communes).toHaveLength(99)
    expect(communes.filter((c) => c.type === 'xã')).toHaveLength(66)
    expect(communes.filter((c) => c.type === 'phường')).toHaveLength(33)
  })

  it('rejects the stale province code 27 for Bắc Ninh', () => {
    expect(problemCode(parseProvinceCode('27'))).toBe('province.unknown')
    expect(problemCode(parseProvinceCode('1'))).toBe('province.leading_zero_lost')
  })

  it('looks up communes and checks their province', () => {
    expect(parseCommuneCode('07210')).toMatchObject({ ok: true, value: { name: 'Phường Bắc Giang', provinceCode: '24' } })
    expect(parseCommuneCode('07210', '24').ok).toBe(true)
    expect(problemCode(parseCommuneCode('00004', '24'))).toBe('commune.other_province')
    expect(problemCode(parseCommuneCode('7210'))).toBe('commune.leading_zero_lost')
    expect(problemCode(parseCommuneCode('99999'))).toBe('commune.unknown')
    expect(problemCode(parseCommuneCode('07 210'))).toBe('commune.format')
  })
})
