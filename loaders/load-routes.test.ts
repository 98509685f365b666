import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../infra/catalog/load-catalog.ts'
import { loadConfig } from '../infra/config.ts'
import { SERVICE_TOKEN_HEADER } from '../infra/service/service-token.ts'
import { startService, type RunningService } from '../infra/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'

const home = tempDir('kho-upload-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_UPLOAD_MAX_MB: '0.01' }
let service: RunningService

beforeAll(async () => {
  service = await startService(loadConfig(env))
})
afterAll(() => service.stop())

const GOOD = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Vốn điều lệ (triệu đồng),Tình trạng,Ngày cập nhật\n' +
  '0100047516,Công ty A,01/02/2020,07210,2610,"1.500,5",dang_hoat_dong,01/10/2026\n'

function upload(content: string | Buffer, name: string, fields: Record<string, string>, token: string | null = service.ctx.token) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  form.set('file', new Blob([content]), name)
  return fetch(`${service.url}/api/loads`, { method: 'POST', body: form, headers: token ? { [SERVICE_TOKEN_HEADER]: token } : {} })
}

describe('POST /api/loads', () => {
  it('loads an uploaded file and answers with the report', async () => {
    const res = await upload(GOOD, 'dn.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(res.status).toBe(200)
    const report = (await res.json()) as any
    expect(report).toMatchObject({ status: 'committed', source: 'dn.csv', rowsLoaded: 1 })
    const rows = await queryRows<{ _source: string }>(service.ctx.wh.client, 'SELECT _source FROM raw.doanh_nghiep')
    expect(rows).toEqual([{ _source: 'dn.csv' }])
  })

  it('answers a refused delivery with 422 and every reason', async () => {
    const res = await upload(GOOD.replace('0100047516', '0100047517'), 'sai.csv', { dataset: 'doanh_nghiep', agency: 'SO_TC' })
    expect(res.status).toBe(422)
    const report = (await res.json()) as any
    expect(report.refusal.code).toBe('threshold')
    expect(report.rejects[0]).toMatchObject({ row: 2, column: 'ma_so_doanh_nghiep', code: 'enterprise.check_digit' })
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

  it('is what `kho load` uses while the service runs, with exit code 2 for a refusal', async () => {
    const file = path.join(home, 'cli.csv')
    fs.writeFileSync(file, GOOD.replace('Công ty A', 'Công ty A (CLI)').replace('0100047516', '0100047517'))
    const result = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), 'load', file, '--dataset', 'doanh_nghiep', '--agency', 'SO_TC', '--json'], { env }).catch((e) => e)
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'refused', via: { via: 'service' } })
  })
})
