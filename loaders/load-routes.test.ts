import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../infra/catalog/load-catalog.ts'
import { loadConfig } from '../infra/config.ts'
import { SERVICE_TOKEN_HEADER } from '../infra/access/gate.ts'
import { startService, type RunningService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { signJwt } from '../infra/access/tokens.ts'
import { archivePath } from './archive.ts'
import { readKept } from '../infra/files/sealed-file.ts'

const home = tempDir('kho-upload-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_UPLOAD_MAX_MB: '0.01' }
let service: RunningService
/** Who meta.loads says delivered a load. */
const deliveredBy = async (loadId: string) =>
  (await queryRows<{ by: string }>(service.ctx.wh.client, 'SELECT delivered_by AS by FROM meta.loads FINAL WHERE load_id = {id:String}', { id: loadId }))[0]?.by

beforeAll(async () => {
  service = await startService(loadConfig(env))
})
afterAll(() => service.stop())

const GOOD = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Vốn điều lệ (triệu đồng),Tình trạng,Ngày cập nhật\n' +
  '0100047516,Công ty A,01/02/2020,07210,2610,"1.500,5",dang_hoat_dong,01/10/2026\n'

function upload(content: string | Buffer, name: string, fields: Record<string, string>, token: string | null = service.ctx.token, authorization?: string) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  form.set('file', new Blob([content]), name)
  const headers: Record<string, string> = token ? { [SERVICE_TOKEN_HEADER]: token } : {}
  if (authorization) headers.authorization = authorization
  return fetch(`${service.url}/api/loads`, { method: 'POST', body: form, headers })
}

describe('POST /api/loads', () => {
  it('loads an uploaded file and answers with the report', async () => {
    const res = await upload(GOOD, 'dn.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(res.status).toBe(200)
    const report = (await res.json()) as any
    expect(report).toMatchObject({ status: 'committed', source: 'dn.csv', rowsLoaded: 1 })
    const rows = await queryRows<{ _source: string }>(service.ctx.wh.client, 'SELECT _source FROM raw.doanh_nghiep')
    expect(rows).toEqual([{ _source: 'dn.csv' }])
    // The upload is archived (sealed) under its hash and the temporary file is gone.
    expect((await readKept(archivePath(path.join(home, 'archive'), report.sha256), service.ctx.keys)).toString('utf8')).toBe(GOOD)
    expect(fs.readdirSync(path.join(home, 'uploads'))).toEqual([])
  })

  it('answers a refused delivery with 422 and every reason', async () => {
    const res = await upload(GOOD.replace('0100047516', '0100047517'), 'sai.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(res.status).toBe(422)
    const report = (await res.json()) as any
    expect(report.refusal.code).toBe('threshold')
    expect(report.rejects[0]).toMatchObject({ row: 2, column: 'ma_so_doanh_nghiep', code: 'enterprise.check_digit' })
  })

  it('gives rejected rows back whole, in a sheet the agency fixes and delivers again as it is', async () => {
    const bad = GOOD.split('\n')[0] + '\n0100233488,Công ty B,31/02/2020,07210,2610,2,dang_hoat_dong,01/10/2026\n' + '0100047516,Công ty C,01/02/2021,7210,2610,3,dang_hoat_dong,01/10/2026\n'
    const officer = `Bearer ${signJwt({ role: 'agency_officer', agency: 'SO_TC', sub: 'canbo.sotc' }, service.ctx.secret)}`
    const refused = (await (await upload(bad, 'hai-dong-sai.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' }, null, officer)).json()) as any
    expect(refused).toMatchObject({ status: 'refused', rowsRejected: 2, refusal: { code: 'threshold' } })
    const res = await fetch(`${service.url}/api/loads/${refused.loadId}/rejects.xlsx`, { headers: { authorization: officer } })
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never)
    const fix = wb.getWorksheet('Sua va gui lai')!
    const header = (fix.getRow(2).values as unknown[]).slice(1)
    expect(header.slice(0, 4)).toEqual(['Mã số doanh nghiệp', 'Tên doanh nghiệp', 'Ngày thành lập', 'Mã xã'])
    expect(header.slice(-2)).toEqual(['Dòng trong tệp gốc', 'Lý do bị từ chối'])
    // The rows as delivered, with why.
    expect([fix.getRow(3).getCell(1).value, fix.getRow(3).getCell(3).value, fix.getRow(4).getCell(4).value]).toEqual(['0100233488', '31/02/2020', '7210'])
    expect(String(fix.getRow(3).getCell(header.length).value)).toContain('Ngày thành lập')
    expect(String(fix.getRow(4).getCell(header.length).value)).toContain('Mã xã')
    // Fixed where the reasons say, and delivered again as it is.
    fix.getRow(3).getCell(3).value = '28/02/2020'
    fix.getRow(4).getCell(4).value = '07210'
    const fixed = (await (await upload(Buffer.from(await wb.xlsx.writeBuffer()), 'da-sua.xlsx', { dataset: 'doanh_nghiep', agency: 'SO_TC' }, null, officer)).json()) as any
    expect(fixed.refusal).toBeNull()
    expect(fixed).toMatchObject({ status: 'committed', rowsRead: 2, rowsLoaded: 2, rowsRejected: 0 })
    expect(fixed.warnings.map((w: { code: string }) => w.code)).toContain('header.unknown')
  })

  it('refuses an upload over the size limit and loads nothing of it', async () => {
    const big = GOOD + '0100233488,B,01/02/2020,07210,2610,1,dang_hoat_dong,01/10/2026\n'.repeat(400)
    const res = await upload(big, 'lon.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(res.status).toBe(413)
    expect(((await res.json()) as any).error.message).toContain('vượt quá giới hạn')
    const [n] = await queryRows<{ n: number }>(service.ctx.wh.client, "SELECT count() AS n FROM raw.doanh_nghiep WHERE _source = 'lon.csv'")
    expect(Number(n!.n)).toBe(0)
    expect(fs.readdirSync(path.join(home, 'uploads'))).toEqual([])
  })

  it('needs the dataset, the agency, a file and the token', async () => {
    expect((await upload(GOOD, 'x.csv', { dataset: 'doanh_nghiep' })).status).toBe(400)
    expect((await upload(GOOD, 'x.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' }, null)).status).toBe(401)
    const plain = await fetch(`${service.url}/api/loads`, { method: 'POST', body: GOOD, headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token, 'content-type': 'text/csv' } })
    expect(plain.status).toBe(415)
    const unknown = await upload(GOOD, 'x.csv', { dataset: 'khong_co', agency: 'SO_TC' })
    expect(unknown.status).toBe(422)
    expect(((await unknown.json()) as any).refusal.code).toBe('dataset.unknown')
  })

  it("lets an agency officer upload its own agency's files only", async () => {
    const officer = `Bearer ${signJwt({ role: 'agency_officer', agency: 'SO_TC', sub: 'canbo.sotc' }, service.ctx.secret)}`
    const own = await upload(GOOD.replace('Công ty A', 'Công ty A (cán bộ)'), 'dn-canbo.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' }, null, officer)
    expect(own.status).toBe(200)
    // The delivery is the account's, in the load history too.
    const ownLoad = ((await own.json()) as any).loadId
    expect(await deliveredBy(ownLoad)).toBe('account:canbo.sotc')
    const history = await fetch(`${service.url}/api/loads?load=${ownLoad}`, { headers: { authorization: officer } })
    expect(((await history.json()) as any[]).map((l) => [l.load_id, l.channel, l.delivered_by])).toEqual([[ownLoad, 'upload', 'account:canbo.sotc']])
    // …and an entry of the sharing log, with its load, file and hash.
    await service.ctx.audit.flush()
    const [entry] = await queryRows<{ account: string; agency: string; via: string; datasets: string[]; query: string; row_count: string; outcome: string }>(
      service.ctx.wh.client,
      "SELECT account, agency, via, datasets, query, row_count, outcome FROM meta.audit WHERE endpoint = 'delivery' AND JSONExtractString(query, 'load_id') = {id:String}",
      { id: ownLoad },
    )
    expect(entry).toMatchObject({ account: 'account:canbo.sotc', agency: 'SO_TC', via: 'upload', datasets: ['doanh_nghiep'], outcome: 'ok' })
    expect(JSON.parse(entry!.query)).toMatchObject({ load_id: ownLoad, source: 'dn-canbo.csv', status: 'committed' })
    expect(Number(entry!.row_count)).toBe(1)
    const other = await upload(GOOD, 'dn-khac.csv', { dataset: 'dan_cu', agency: 'CA_TINH' }, null, officer)
    expect(other.status).toBe(403)
    expect(((await other.json()) as any).error.message).toContain('SO_TC')
  })

  it('is what `kho load` uses while the service runs, with exit code 2 for a refusal', async () => {
    const file = path.join(home, 'cli.csv')
    fs.writeFileSync(file, GOOD.replace('Công ty A', 'Công ty A (CLI)').replace('0100047516', '0100047517'))
    const result = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), 'load', file, '--dataset', 'doanh_nghiep', '--agency', 'SO_TC', '--json'], { env }).catch((e) => e)
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'refused', via: { via: 'service' } })
    // Refused or not, the delivery is recorded as the command line's, with the OS user who ran it.
    expect(await deliveredBy(JSON.parse(result.stdout).loadId)).toBe(`cli:${os.userInfo().username}`)
    // A refused delivery is in the sharing log too, with its reason.
    await service.ctx.audit.flush()
    const [refused] = await queryRows<{ outcome: string; reason: string }>(
      service.ctx.wh.client,
      "SELECT outcome, reason FROM meta.audit WHERE endpoint = 'delivery' AND account = {who:String}",
      { who: `cli:${os.userInfo().username}` },
    )
    expect(refused!.outcome).toBe('error')
    expect(refused!.reason).toMatch(/Từ chối|từ chối/)
  })
})

describe('push API: POST /api/datasets/<id>/records', () => {
  const push = (id: string, body: unknown, key: string) =>
    fetch(`${service.url}/api/datasets/${id}/records`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } })

  async function issueKey(agency: string): Promise<{ key: string; keyId: string }> {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), 'apikey', 'create', '--agency', agency, '--json'], { env })
    return JSON.parse(stdout)
  }

  const record = { ma_so_doanh_nghiep: '0100233488-002', ten_doanh_nghiep: 'Chi nhánh C', ngay_thanh_lap: '2021-03-04', ma_xa: '09301', nganh_vsic: '4659', trang_thai: 'dang_hoat_dong', ngay_cap_nhat: '2026-10-01' }

  it("loads the records an agency's system pushes with its key", async () => {
    const { key, keyId } = await issueKey('SO_TC')
    const res = await push('doanh_nghiep', [record, { ...record, ma_so_doanh_nghiep: '0100233488-003' }], key)
    expect(res.status).toBe(200)
    const report = (await res.json()) as any
    expect(report).toMatchObject({ status: 'committed', agency: 'SO_TC', rowsLoaded: 2 })
    expect(await deliveredBy(report.loadId)).toBe(`push-key:${keyId}`)
    const rows = await queryRows<{ n: number }>(service.ctx.wh.client, "SELECT count() AS n FROM raw.doanh_nghiep WHERE _source LIKE 'push doanh_nghiep %'")
    expect(Number(rows[0]!.n)).toBe(2)
  })

  it('refuses a wrong, missing or revoked key, and a key of another agency', async () => {
    expect((await push('doanh_nghiep', [record], 'kho_000000000000_' + 'x'.repeat(32))).status).toBe(401)
    expect((await push('doanh_nghiep', [record], '')).status).toBe(401)
    const { key, keyId } = await issueKey('SO_TC')
    await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), 'apikey', 'revoke', keyId], { env })
    const revoked = await push('doanh_nghiep', [record], key)
    expect(revoked.status).toBe(401)
    expect(((await revoked.json()) as any).error.message).toContain('Khóa API')
    const police = await issueKey('CA_TINH')
    const other = await push('doanh_nghiep', [record], police.key)
    expect(other.status).toBe(422)
    expect(((await other.json()) as any).refusal.code).toBe('agency.not_owner')
  })

  it('answers a body that is not a list of records with 400', async () => {
    const { key } = await issueKey('SO_TC')
    expect((await push('doanh_nghiep', { ma: 1 }, key)).status).toBe(400)
    expect((await push('doanh_nghiep', [], key)).status).toBe(400)
  })
})

describe('the admin seed', () => {
  it('delivers through the one delivery path, so the marts follow the seed', async () => {
    const built = service.ctx.transforms.last?.finishedAt
    const res = await fetch(`${service.url}/api/admin/seed`, {
      method: 'POST',
      headers: { [SERVICE_TOKEN_HEADER]: service.ctx.token, 'content-type': 'application/json' },
      body: JSON.stringify({ scale: 0.01, as_of: '2026-11-20' }),
    })
    expect(res.status).toBe(200)
    // Before, the marts stayed as they were until the 6-hourly rebuild.
    for (let i = 0; i < 120 && service.ctx.transforms.last?.finishedAt === built; i++) await new Promise((r) => setTimeout(r, 250))
    await service.ctx.transforms.stop()
    expect(service.ctx.transforms.last?.finishedAt).not.toBe(built)
    const [people] = await queryRows<{ n: string }>(service.ctx.wh.client, 'SELECT sum(people) AS n FROM marts.fct_population')
    expect(Number(people!.n)).toBeGreaterThan(1000)
  }, 120_000)
})
