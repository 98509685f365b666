import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../catalog/load-catalog.ts'
import { parseCommuneCode } from '../../identifiers/admin-units.ts'
import { checkCccdMatches, parseCccd } from '../../identifiers/cccd.ts'
import { parseEnterpriseCode } from '../../identifiers/enterprise-code.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { readCsv } from '../../../loaders/readers/csv.ts'
import { decodeText } from '../../../loaders/readers/decode.ts'
import { CccdSerials } from './citizens.ts'
import { writeDemo, type DemoManifest } from './write-demo.ts'

const catalog = loadCatalog()
const asOf = new Date('2026-11-22T00:00:00Z')

/** Reads a demo file back with the loaders' own reader. */
async function records(file: string): Promise<string[][]> {
  const out: string[][] = []
  for await (const r of readCsv(decodeText(fs.createReadStream(file), file), file)) out.push(r.cells)
  return out
}

function filesDigest(dir: string): string {
  const hash = createHash('sha256')
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const abs = path.join(dir, f)
    if (fs.statSync(abs).isFile()) hash.update(f).update(fs.readFileSync(abs))
  }
  return hash.digest('hex')
}

describe('the demo province', () => {
  const dir = tempDir('kho-demo-')
  let manifest: DemoManifest
  beforeAll(async () => {
    manifest = await writeDemo(catalog, dir, 0.05, asOf)
  })

  it('is deterministic for a scale and date', async () => {
    const again = tempDir('kho-demo-')
    await writeDemo(catalog, again, 0.05, asOf)
    expect(filesDigest(again)).toBe(filesDigest(dir))
  })

  it('gives citizens CCCDs consistent with birth date and gender, except the counted defects', async () => {
    const [header, ...rows] = await records(path.join(dir, 'CA_TINH/dan_cu_2026-10.csv'))
    expect(header).toEqual(['Số định danh cá nhân', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Mã xã', 'Địa chỉ thường trú', 'Ngày cập nhật'])
    expect(rows).toHaveLength(10_000)
    const problems: Record<string, number> = {}
    const oldCodes = new Set(catalog.crosswalk.map((x) => x.oldCode))
    let pre2025 = 0
    for (const [cccd, , birth, gender, commune] of rows as string[][]) {
      const parsed = parseCccd(cccd!, asOf)
      const year = Number(birth!.slice(6))
      const checked = parsed.ok ? checkCccdMatches(parsed.value, { birthYear: year, gender: gender === 'Nam' ? 'nam' : 'nu' }) : parsed
      if (!checked.ok) problems[checked.problem.code] = (problems[checked.problem.code] ?? 0) + 1
      if (oldCodes.has(commune!)) pre2025++
      else expect(parseCommuneCode(commune!, '24').ok).toBe(true)
    }
    expect(pre2025).toBe(manifest.defects.commune_pre2025)
    expect(pre2025).toBeGreaterThan(0)
    const d = manifest.defects
    expect(problems['cccd.leading_zero_lost']).toBe(d.cccd_leading_zero_lost)
    expect(problems['cccd.gender_mismatch']).toBe(d.cccd_gender_mismatch)
    // Invalid CCCDs are either cut short or carry a letter.
    expect((problems['cccd.length'] ?? 0) + (problems['cccd.not_digits'] ?? 0)).toBe(d.cccd_invalid)
    expect(d.cccd_leading_zero_lost! * d.cccd_invalid! * d.duplicate_person!).toBeGreaterThan(0)
  })

  it('gives each resident one CCCD, repeated only by the counted double extracts', async () => {
    const [, ...rows] = await records(path.join(dir, 'CA_TINH/dan_cu_2026-10.csv'))
    const seen = new Map<string, number>()
    for (const [cccd] of rows as string[][]) seen.set(cccd!, (seen.get(cccd!) ?? 0) + 1)
    const repeats = [...seen.values()].filter((n) => n > 1)
    expect(repeats.every((n) => n === 2)).toBe(true)
    // A double extract whose first row lost a zero or broke the CCCD is no repeat of the text.
    expect(repeats.length).toBeLessThanOrEqual(manifest.defects.duplicate_person!)
    expect(repeats.length).toBeGreaterThan(manifest.defects.duplicate_person! * 0.9)
  })

  it('issues every serial of a CCCD prefix once, without remembering them, and says when they run out', () => {
    const serials = new CccdSerials()
    const issued = new Set<string>()
    for (let i = 0; i < 1_000_000; i++) issued.add(serials.take('024001')!)
    expect(issued.size).toBe(1_000_000)
    expect([...issued].every((s) => /^\d{6}$/.test(s))).toBe(true)
    expect(serials.take('024001')).toBeNull()
    expect(serials.take('027001')).toMatch(/^\d{6}$/)
  })

  it('sends the business register as a full copy, then each change after it happened', async () => {
    const sent = manifest.deliveries.filter((d) => d.dataset === 'doanh_nghiep')
    expect(sent.length).toBeGreaterThan(3)
    for (const d of sent) {
      const [, ...rows] = await records(path.join(dir, d.file))
      const day = d.deliveredAt.slice(0, 10)
      for (const row of rows) expect(row[7]!.split('/').reverse().join('-') <= day, `${d.file}: ${row[7]}`).toBe(true)
    }
  })

  it('gives enterprises valid codes, some of them branches, except the counted defects', async () => {
    const rows: string[][] = []
    for (const d of manifest.deliveries.filter((x) => x.dataset === 'doanh_nghiep')) rows.push(...(await records(path.join(dir, d.file))).slice(1))
    let invalid = 0
    let branches = 0
    for (const [code] of rows as string[][]) {
      const parsed = parseEnterpriseCode(code!)
      if (!parsed.ok) invalid++
      else if (parsed.value.branch) branches++
    }
    expect(invalid).toBe(manifest.defects.enterprise_bad_check_digit! + manifest.defects.enterprise_leading_zero_lost!)
    expect(invalid).toBeGreaterThan(0)
    expect(branches).toBeGreaterThan(0)
  })

  it('reports all 48 indicators by their owners over 36 months, with the deliberate delivery defects', () => {
    const kt = manifest.deliveries.filter((d) => d.dataset === 'chi_tieu_kt_xh')
    for (const d of kt) {
      const owners = catalog.indicators.filter((i) => i.owner === d.agency)
      expect(owners.length, d.agency).toBeGreaterThan(0)
    }
    const months = new Set(kt.filter((d) => /^\d{4}-\d{2}$/.test(d.period ?? '')).map((d) => d.period))
    expect(months.size).toBe(36)
    expect([...months].sort()[35]).toBe('2026-10')
    const formats = new Set(kt.map((d) => path.extname(d.file)))
    expect(formats).toEqual(new Set(['.csv', '.json', '.txt', '.xlsx', '.xml']))
    expect(manifest.defects.late_delivery).toBeGreaterThan(0)
    expect(manifest.defects.duplicate_file).toBeGreaterThan(0)
    expect(manifest.defects.missing_delivery).toBeGreaterThan(0)
    const codes = new Set<string>()
    for (const d of kt.filter((x) => x.file.endsWith('.json'))) {
      for (const r of JSON.parse(fs.readFileSync(path.join(dir, d.file), 'utf8')) as { ma_chi_tieu: string }[]) codes.add(r.ma_chi_tieu)
    }
    expect(codes).toContain('ENT_NEW')
    expect(codes).toContain('HI_COVERAGE')
  })
})
