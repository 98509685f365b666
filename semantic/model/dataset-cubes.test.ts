import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { signJwt } from '../../infra/access/tokens.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { deliverLines } from '../../loaders/testing/deliver-lines.ts'
import { loadCatalog, withDatasets } from '../../infra/catalog/load-catalog.ts'
import { datasetSchema, DICTIONARY } from '../../infra/catalog/schema.ts'
import { compileSemanticModel } from '../cube/compile-model.ts'
import { generatedCubeFiles } from './dataset-cubes.ts'

/*
 * A dataset registered in the catalogue with no hand-written model or view (bhxh_tham_gia): its
 * std model, cube, view and policy are generated; delivered, it is queried through its view, and
 * joined to the population register on the CCCD they share.
 */
const home = tempDir('kho-generated-view-')
let service: RunningService

async function deliver(name: string, dataset: string, agency: string, lines: string[]) {
  expect((await deliverLines(service.ctx, home, name, dataset, agency, lines)).rejects).toEqual([])
}

const token = (ctx: Record<string, unknown>) => signJwt(ctx, service.ctx.secret)
const { load } = httpClient(() => service.url)

beforeAll(async () => {
  service = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }))
  await service.demoDone
  const people = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Ngày cập nhật'
  // CCCD digits 4–6 say century, gender and birth year: 0 = a man born 19xx, 1 = a woman.
  await deliver('dc.csv', 'dan_cu', 'CA_TINH', [
    people,
    '027090001001,Người A,01/02/1990,Nam,07210,01/10/2026',
    '027190001002,Người B,01/02/1990,Nữ,07210,01/10/2026',
    '027185001003,Người C,01/02/1985,Nữ,07228,01/10/2026',
    '027080001004,Người D,01/02/1980,Nam,07228,01/10/2026',
  ])
  const header = 'Số định danh cá nhân,Loại bảo hiểm,Mã xã,Mức đóng (nghìn đồng/tháng),Tham gia từ ngày,Ngày cập nhật'
  await deliver('bhxh.csv', 'bhxh_tham_gia', 'BHXH_TINH', [
    header,
    '027090001001,bhxh_bat_buoc,07210,1500,01/02/2020,01/10/2026',
    '027090001001,bhyt,07210,100,01/02/2020,01/10/2026',
    '027190001002,bhxh_tu_nguyen,07210,300,01/02/2021,01/10/2026',
    '027185001003,bhxh_bat_buoc,07228,2000,01/02/2019,01/10/2026',
  ])
  await service.ctx.transforms.run()
}, 120_000)
afterAll(() => service?.stop())

describe('a dataset with a generated view', () => {
  it('is queried through its view: counts, distinct identifiers and sums equal the std table', async () => {
    const r = await load({ measures: ['bhxh_tham_gia.count', 'bhxh_tham_gia.distinct_cccd', 'bhxh_tham_gia.sum_muc_dong'], dimensions: ['bhxh_tham_gia.loai_bao_hiem'], order: { 'bhxh_tham_gia.loai_bao_hiem': 'asc' } }, token({ role: 'analyst' }))
    expect(r.status).toBe(200)
    const sql = await queryRows<Record<string, unknown>>(
      service.ctx.wh.client,
      'SELECT loai_bao_hiem, count() AS n, uniqExact(cccd) AS people, sum(muc_dong) AS total FROM std.ds_bhxh_tham_gia FINAL GROUP BY loai_bao_hiem ORDER BY loai_bao_hiem',
    )
    expect(r.body.data.map((x: any) => [x['bhxh_tham_gia.loai_bao_hiem'], Number(x['bhxh_tham_gia.count']), Number(x['bhxh_tham_gia.distinct_cccd']), Number(x['bhxh_tham_gia.sum_muc_dong'])])).toEqual(
      sql.map((x) => [x.loai_bao_hiem, Number(x.n), Number(x.people), Number(x.total)]),
    )
    expect(sql).toHaveLength(3)
  })

  it("shows an enumerated column's values by their labels too", async () => {
    const r = await load({ measures: ['bhxh_tham_gia.count'], dimensions: ['bhxh_tham_gia.loai_bao_hiem', 'bhxh_tham_gia.loai_bao_hiem_label'], order: { 'bhxh_tham_gia.loai_bao_hiem': 'asc' } }, token({ role: 'analyst', sub: 'a' }))
    expect(r.status).toBe(200)
    const pairs = r.body.data.map((x: Record<string, string>) => [x['bhxh_tham_gia.loai_bao_hiem'], x['bhxh_tham_gia.loai_bao_hiem_label']])
    expect(pairs.length).toBeGreaterThan(0)
    const labels: Record<string, string> = { bhxh_bat_buoc: 'BHXH bắt buộc', bhxh_tu_nguyen: 'BHXH tự nguyện', bhyt: 'Bảo hiểm y tế' }
    for (const [code, label] of pairs) expect(label).toBe(labels[code])
  })

  it('joins the population register on the CCCD they share, equal to the join written by hand', async () => {
    const r = await load({ measures: ['bhxh_tham_gia.distinct_cccd'], dimensions: ['bhxh_tham_gia.registered_residents_gender'], order: { 'bhxh_tham_gia.registered_residents_gender': 'asc' } }, token({ role: 'analyst' }))
    expect(r.status).toBe(200)
    const sql = await queryRows<{ gender: string; people: string }>(
      service.ctx.wh.client,
      `SELECT c.gender AS gender, uniqExact(p.cccd) AS people
       FROM (SELECT * FROM std.ds_bhxh_tham_gia FINAL) AS p LEFT JOIN marts.dim_citizen AS c ON p.cccd = c.id_number
       GROUP BY gender ORDER BY gender`,
    )
    expect(r.body.data.map((x: any) => [x['bhxh_tham_gia.registered_residents_gender'], Number(x['bhxh_tham_gia.distinct_cccd'])])).toEqual(sql.map((x) => [x.gender, Number(x.people)]))
    expect(sql.map((x) => x.gender)).toEqual(['nam', 'nu'])
  })

  it('follows the catalogue: the owner and named consumers see it, personal members need a grant and a purpose, a commune officer its commune', async () => {
    const count = { measures: ['bhxh_tham_gia.count'] }
    expect((await load(count, token({ role: 'agency_officer', agency: 'BHXH_TINH' }))).status).toBe(200)
    expect((await load(count, token({ role: 'agency_officer', agency: 'SO_YT' }))).status).toBe(200)
    expect((await load(count, token({ role: 'agency_officer', agency: 'SO_CT' }))).status).toBe(403)
    const ids = { measures: ['bhxh_tham_gia.count'], dimensions: ['bhxh_tham_gia.cccd'] }
    expect((await load(ids, token({ role: 'analyst' }))).status).toBe(403)
    expect((await load(ids, token({ role: 'analyst', personal_data: true }), 'Đối soát người tham gia bảo hiểm')).status).toBe(200)
    const commune = await load({ measures: ['bhxh_tham_gia.count'], dimensions: ['bhxh_tham_gia.ma_xa'] }, token({ role: 'agency_officer', agency: 'UBND_X07228', commune_code: '07228' }))
    expect(commune.body.data).toEqual([{ 'bhxh_tham_gia.ma_xa': '07228', 'bhxh_tham_gia.count': 1 }])
  })
})

describe('the shared data dictionary in the semantic layer', () => {
  it('joins every element that has a home to a cube holding each member the element names', async () => {
    // The demo's first registration through the product failed on this: the enterprise code's home
    // named a member (name) its cube does not have, and every dataset holding it failed to compile.
    const homed = DICTIONARY.filter((e) => e.home)
    const entry = datasetSchema.parse({
      id: 'every_element',
      name: 'Mọi phần tử',
      owner: 'SO_KHCN',
      description: 'Một cột cho mỗi phần tử có nơi chứa',
      personal_data: true,
      sharing: { scope: 'noi_bo', method: 'file' },
      update_frequency: 'monthly',
      format_standard: 'CSV',
      formats: ['csv'],
      // Keyed by all of them: a record of its own (one dataset, one source).
      natural_key: homed.map((e) => e.id),
      columns: homed.map((e) => ({ id: e.id, element: e.id })),
    })
    const model = await compileSemanticModel(undefined, generatedCubeFiles(withDatasets(loadCatalog(), [entry])))
    for (const e of homed) {
      for (const member of e.home!.includes) expect(model.members.has(`every_element.${e.home!.cube}_${member}`), `${e.id} → ${e.home!.cube}.${member}`).toBe(true)
    }
  })
})
