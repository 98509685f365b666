import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTempWarehouse, tempDir, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from '../warehouse/client.ts'
import { migrate } from '../warehouse/migrate.ts'
import { headerKey } from './header-key.ts'
import { CATALOG_PATHS, CatalogError, loadCatalog, PROJECT_ROOT, type CatalogProblem } from './load-catalog.ts'
import { syncCatalog } from './sync-catalog.ts'
import { columnSchema } from './schema.ts'

/** A copy of the project's catalogue in a temp folder, to break one file at a time. */
function catalogCopy(): string {
  const root = tempDir('kho-catalog-')
  for (const rel of [...Object.values(CATALOG_PATHS), 'infra/reference']) {
    fs.cpSync(path.join(PROJECT_ROOT, rel), path.join(root, rel), { recursive: true })
  }
  return root
}

function edit(root: string, rel: string, change: (text: string) => string) {
  const file = path.join(root, rel)
  const before = fs.readFileSync(file, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`edit of ${rel} changed nothing`)
  fs.writeFileSync(file, after)
}

function problemsOf(root: string): CatalogProblem[] {
  try {
    loadCatalog(root)
  } catch (err) {
    if (err instanceof CatalogError) return err.problems
    throw err
  }
  throw new Error('the catalogue loaded, a CatalogError was expected')
}

describe('the project catalogue', () => {
  const catalog = loadCatalog()

  it('holds the 48 KT-XH indicators, each owned by a known agency', () => {
    expect(catalog.indicators).toHaveLength(48)
    for (const i of catalog.indicators) expect(catalog.agency(i.owner), i.code).toBeDefined()
    expect(catalog.indicator('GRDP_GROWTH')).toMatchObject({ aggregation: 'ratio', multiplier: 100, offset: -100 })
    expect(catalog.indicator('RETAIL_SALES')).toMatchObject({ frequency: 'monthly', deadline: { after: 'period_end', days: 15 } })
  })

  it('has the demo datasets with the agreed column ids', () => {
    expect(catalog.dataset('dan_cu')!.columns.map((c) => c.id)).toEqual([
      'cccd', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa', 'dia_chi', 'ngay_cap_nhat',
    ])
    expect(catalog.dataset('doanh_nghiep')!.columns.map((c) => c.id)).toEqual([
      'ma_so_doanh_nghiep', 'ten_doanh_nghiep', 'ngay_thanh_lap', 'ma_xa', 'nganh_vsic', 'von_dieu_le', 'trang_thai', 'ngay_cap_nhat',
    ])
    expect(catalog.dataset('chi_tieu_kt_xh')!.columns.map((c) => c.id)).toEqual([
      'ma_chi_tieu', 'ky_bao_cao', 'ma_don_vi', 'gia_tri', 'ke_hoach', 'don_vi_tinh', 'ghi_chu',
    ])
    expect(catalog.dataset('dan_cu')).toMatchObject({ owner: 'CA_TINH', personal_data: true })
  })

  it('generates one UBND agency per commune of Bắc Ninh', () => {
    expect(catalog.province.code).toBe('24')
    const communeAgencies = catalog.agencies.filter((a) => a.kind === 'ubnd_xa')
    expect(communeAgencies).toHaveLength(99)
    expect(catalog.agency('UBND_X07210')).toMatchObject({ name: 'UBND Phường Bắc Giang', commune_code: '07210', parent: 'UBND_TINH' })
  })

  it('compares headers without case or diacritics', () => {
    expect(headerKey('Số định danh cá nhân')).toBe('so_dinh_danh_ca_nhan')
    expect(headerKey('  SỐ ĐỊNH DANH  cá nhân ')).toBe('so_dinh_danh_ca_nhan')
    expect(headerKey('Mã xã/phường')).toBe('ma_xa_phuong')
  })
})

describe('a broken catalogue stops start-up with file, line, path and reason', () => {
  it('names the column whose type is unknown', () => {
    const root = catalogCopy()
    edit(root, 'loaders/datasets/dan_cu.yaml', (t) => t.replace('type: date\n    required: true\n    personal: true', 'type: ngay\n    required: true\n    personal: true'))
    const [p, ...rest] = problemsOf(root)
    expect(rest).toEqual([])
    expect(p).toMatchObject({ file: 'loaders/datasets/dan_cu.yaml', path: 'columns[2].type' })
    expect(p!.line).toBe(fs.readFileSync(path.join(root, 'loaders/datasets/dan_cu.yaml'), 'utf8').split('\n').indexOf('    type: ngay') + 1)
  })

  it('reports a misspelt key instead of ignoring it', () => {
    const root = catalogCopy()
    edit(root, 'loaders/datasets/doanh_nghiep.yaml', (t) => t.replace('reject_threshold:', 'reject_treshold:'))
    expect(problemsOf(root)).toEqual([
      expect.objectContaining({ file: 'loaders/datasets/doanh_nghiep.yaml', message: expect.stringContaining('reject_treshold') }),
    ])
  })

  it('reports YAML syntax errors with their line', () => {
    const root = catalogCopy()
    edit(root, 'infra/catalog/agencies.yaml', (t) => t.replace('  - code: SO_YT\n', '  - code: SO_YT\n   bad: [unclosed\n'))
    const problems = problemsOf(root)
    expect(problems[0]).toMatchObject({ file: 'infra/catalog/agencies.yaml', message: expect.stringMatching(/^YAML: /) })
    expect(problems[0]!.line).toBeGreaterThan(1)
  })

  it('checks references across files: owners, ratio operands, natural keys', () => {
    const root = catalogCopy()
    edit(root, 'loaders/datasets/dan_cu.yaml', (t) => t.replace('owner: CA_TINH', 'owner: CA_HUYEN').replace('natural_key: [cccd]', 'natural_key: [so_cccd]'))
    edit(root, 'semantic/indicators/moi_truong_nong_thon.yaml', (t) => t.replace('numerator: forest_cover_area_ha', 'numerator: forest_area'))
    const problems = problemsOf(root)
    expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual([
      'loaders/datasets/dan_cu.yaml owner',
      'loaders/datasets/dan_cu.yaml natural_key[0]',
      'semantic/indicators/moi_truong_nong_thon.yaml indicators[0].numerator',
    ])
    expect(problems[0]!.message).toContain('CA_HUYEN')
  })

  it('refuses a second dataset recording what another records, and a system that must connect naming nothing known', () => {
    const root = catalogCopy()
    // A second register of people by CCCD, under another name and owner: one dataset, one official source.
    const copy = fs.readFileSync(path.join(root, 'loaders/datasets/dan_cu.yaml'), 'utf8').replace('id: dan_cu', 'id: dan_cu_ban_sao').replace(/^name: .*$/m, 'name: Công dân').replace('owner: CA_TINH', 'owner: SO_YT')
    fs.writeFileSync(path.join(root, 'loaders/datasets/dan_cu_ban_sao.yaml'), copy)
    edit(root, 'infra/catalog/agencies.yaml', (t) => t.replace('datasets: [bhxh_tham_gia]', 'datasets: [khong_co]'))
    const problems = problemsOf(root)
    expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual(['loaders/datasets/dan_cu_ban_sao.yaml natural_key', 'infra/catalog/agencies.yaml required_systems[2].datasets[0]'])
    expect(problems[0]!.message).toContain('cùng khóa bản ghi (cccd)')
  })

  it('records how much protecting each dataset matters, and keeps core and important data from being open data (Lào Cai Điều 6.2–6.3)', () => {
    const catalog = loadCatalog()
    expect(['dan_cu', 'doanh_nghiep', 'bhxh_tham_gia', 'chi_tieu_kt_xh'].map((id) => catalog.dataset(id)!.protection)).toEqual(['cot_loi', 'quan_trong', 'quan_trong', 'thong_thuong'])
    const root = catalogCopy()
    edit(root, 'loaders/datasets/doanh_nghiep.yaml', (t) => t.replace('scope: dung_chung', 'scope: mo'))
    const problems = problemsOf(root)
    expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual(['loaders/datasets/doanh_nghiep.yaml protection'])
    expect(problems[0]!.message).toContain('core or important data may not be open data')
  })

  it('needs a change date column for the change rule, and a period for the period-end rule', () => {
    const root = catalogCopy()
    edit(root, 'loaders/datasets/doanh_nghiep.yaml', (t) => t.replace('changed_on: ngay_cap_nhat', 'changed_on: ten_doanh_nghiep'))
    edit(root, 'loaders/datasets/dan_cu.yaml', (t) => t.replace('update_frequency: monthly', 'update_frequency: weekly\ndeadline: { after: period_end, days: 3 }'))
    const problems = problemsOf(root)
    expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual(['loaders/datasets/dan_cu.yaml deadline', 'loaders/datasets/doanh_nghiep.yaml changed_on'])
    expect(problems[1]!.message).toContain('changed_on')
  })

  it('checks the commune crosswalk row by row', () => {
    const root = catalogCopy()
    fs.writeFileSync(
      path.join(root, 'infra/reference/commune_crosswalk_demo.tsv'),
      'old_code\told_name\tnew_code\tnew_name\teffective_from\tbasis\n07212\tA\t07210\tB\t2025-07-01\tx\n07210\tA\t07228\tB\t2025-07-01\tx\n07215\tA\t00004\tB\t2025-07-01\tx\n',
    )
    expect(problemsOf(root).map((p) => p.message)).toEqual([
      expect.stringMatching(/commune_crosswalk_demo.tsv:3: mã cũ "07210"/),
      expect.stringMatching(/commune_crosswalk_demo.tsv:4: mã mới "00004"/),
    ])
  })

  it('refuses a header alias that two columns claim', () => {
    const root = catalogCopy()
    edit(root, 'loaders/datasets/dan_cu.yaml', (t) => t.replace('aliases: [Họ tên]', 'aliases: [Họ tên, so cccd]'))
    expect(problemsOf(root)).toEqual([
      expect.objectContaining({ path: 'columns[1].aliases', message: expect.stringContaining('"cccd"') }),
    ])
  })
})

describe('catalogue sync into the warehouse', () => {
  let wh: TempWarehouse
  beforeAll(async () => {
    wh = openTempWarehouse()
    await migrate(wh)
  })
  afterAll(() => wh.dispose())

  it('fills meta tables and creates raw tables with provenance; a re-sync replaces, not appends', async () => {
    const catalog = loadCatalog()
    await syncCatalog(wh, catalog)
    await syncCatalog(wh, catalog)
    const counts = await queryRows<{ t: string; n: string }>(
      wh.client,
      `SELECT 'agencies' t, count() n FROM meta.agencies UNION ALL SELECT 'indicators', countIf(aggregation != 'component') FROM meta.indicators
       UNION ALL SELECT 'datasets', count() FROM meta.datasets UNION ALL SELECT 'bn_communes', count() FROM meta.admin_units WHERE province_code = '24'`,
    )
    expect(Object.fromEntries(counts.map((c) => [c.t, Number(c.n)]))).toEqual({
      agencies: catalog.agencies.length,
      indicators: 48,
      datasets: 4,
      bn_communes: 99,
    })
    const columns = await queryRows<{ name: string; type: string }>(
      wh.client,
      "SELECT name, type FROM system.columns WHERE database = 'raw' AND table = 'dan_cu' ORDER BY position",
    )
    expect(columns.map((c) => c.name)).toEqual([
      'cccd', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa', 'dia_chi', 'ngay_cap_nhat',
      '_load_id', '_agency', '_source', '_sha256', '_row', '_loaded_at', '_problems',
    ])
    expect(columns[0]!.type).toBe('String')
  })

  it('adds a column the catalogue gained to the existing raw table, keeping its rows', async () => {
    const catalog = loadCatalog()
    await wh.client.insert({ table: 'raw.doanh_nghiep', values: [{ ma_so_doanh_nghiep: '0100047516', _row: 2 }], format: 'JSONEachRow' })
    const dn = catalog.dataset('doanh_nghiep')!
    dn.columns.push({ ...dn.columns[1]!, id: 'so_lao_dong', label: 'Số lao động', aliases: [] })
    await syncCatalog(wh, catalog)
    const rows = await queryRows<{ ma_so_doanh_nghiep: string; so_lao_dong: string }>(
      wh.client,
      'SELECT ma_so_doanh_nghiep, so_lao_dong FROM raw.doanh_nghiep',
    )
    expect(rows).toEqual([{ ma_so_doanh_nghiep: '0100047516', so_lao_dong: '' }])
  })

  it('brings a raw table from an older kho up to date: provenance types and the problems column, keeping its rows', async () => {
    await wh.client.command({ query: 'ALTER TABLE raw.dan_cu DROP COLUMN _problems' })
    await wh.client.command({ query: 'ALTER TABLE raw.dan_cu MODIFY COLUMN _load_id String, MODIFY COLUMN _sha256 String' })
    await wh.client.insert({ table: 'raw.dan_cu', values: [{ cccd: '027090001234', _load_id: 'cu', _sha256: 'ab', _row: 2 }], format: 'JSONEachRow' })
    await syncCatalog(wh, loadCatalog())
    const types = await queryRows<{ name: string; type: string }>(
      wh.client,
      "SELECT name, type FROM system.columns WHERE database = 'raw' AND table = 'dan_cu' AND name IN ('_load_id', '_sha256', '_problems') ORDER BY name",
    )
    expect(types).toEqual([
      { name: '_load_id', type: 'LowCardinality(String)' },
      { name: '_problems', type: 'Array(Tuple(String, String, String))' },
      { name: '_sha256', type: 'LowCardinality(String)' },
    ])
    expect(await queryRows(wh.client, 'SELECT cccd, _load_id, _sha256, _problems FROM raw.dan_cu')).toEqual([
      { cccd: '027090001234', _load_id: 'cu', _sha256: 'ab', _problems: [] },
    ])
  })
})

describe('the shared data dictionary', () => {
  it('gives a column naming an element its type, check, label, aliases and personal flag', () => {
    const c = columnSchema.parse({ id: 'so_dinh_danh', element: 'cccd', required: true, aliases: ['Số ĐD'] })
    expect(c).toMatchObject({ type: 'string', identifier: 'cccd', personal: true, label: 'Số định danh cá nhân', required: true })
    expect(c.aliases).toEqual(expect.arrayContaining(['CCCD', 'Số ĐD']))
  })

  it('refuses a column that contradicts its element, or names none that exists', () => {
    const contradicts = columnSchema.safeParse({ id: 'cccd', element: 'cccd', type: 'integer' })
    expect(contradicts.success).toBe(false)
    expect(contradicts.error!.issues[0]).toMatchObject({ path: ['type'], message: expect.stringContaining('the element "cccd" has type string') })
    const unknown = columnSchema.safeParse({ id: 'x', element: 'khong_co' })
    expect(unknown.error!.issues[0]).toMatchObject({ path: ['element'] })
  })

  it('is the same element in every dataset that holds it: bhxh_tham_gia and dan_cu check their CCCD alike', () => {
    const catalog = loadCatalog()
    const a = catalog.dataset('bhxh_tham_gia')!.columns.find((c) => c.id === 'cccd')!
    const b = catalog.dataset('dan_cu')!.columns.find((c) => c.id === 'cccd')!
    expect([a.type, a.identifier, a.personal]).toEqual([b.type, b.identifier, b.personal])
  })
})
