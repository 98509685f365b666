import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveAccount } from '../../infra/access/accounts.ts'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { httpClient } from '../../infra/testing/http-client.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { queryRows } from '../../infra/warehouse/client.ts'

/*
 * Error reports: anyone signed in reports a value or a dataset; the owner agency sees it, answers,
 * and closes it by a corrected delivery or an explanation; stewards see all with their age; the
 * agency's quarterly report counts them.
 */
const home = tempDir('kho-error-reports-')
let service: RunningService
const api = httpClient(() => service.url)
const PASSWORD = 'mat-khau-dai-du-2026'
const tokens: Record<string, string> = {}

beforeAll(async () => {
  service = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: process.env.T_LOG ?? 'silent', KHO_INBOX_POLL_S: '0' }))
  await service.demoDone
  for (const a of [
    { username: 'pt.loi', display_name: 'Chuyên viên phân tích', role: 'analyst' as const },
    { username: 'ld.loi', display_name: 'Lãnh đạo', role: 'leader' as const },
    { username: 'qt.loi', display_name: 'Quản trị dữ liệu', role: 'steward' as const },
    { username: 'sotc.loi', display_name: 'Cán bộ Sở Tài chính', role: 'agency_officer' as const, agency: 'SO_TC' },
    { username: 'catinh.loi', display_name: 'Cán bộ Công an tỉnh', role: 'agency_officer' as const, agency: 'CA_TINH' },
    { username: 'soyt.loi', display_name: 'Cán bộ Sở Y tế', role: 'agency_officer' as const, agency: 'SO_YT' },
  ]) {
    await saveAccount(service.ctx.wh, { ...a, password: PASSWORD })
    tokens[a.username] = await api.login(a.username, PASSWORD)
  }
}, 120_000)
afterAll(async () => {
  await service?.stop()
})

const report = (who: string, body: unknown) => api.call('POST', '/api/error-reports', tokens[who], body)
const list = async (who: string, state = 'all') => (await api.call('GET', `/api/error-reports?state=${state}`, tokens[who])).body.reports as { id: string; agency: string; status: string; age_days: number; note: string }[]
const answer = (who: string, id: string, body: unknown) => api.call('POST', `/api/error-reports/${id}/answer`, tokens[who], body)

describe('error reports', () => {
  let valueReport = ''
  let datasetReport = ''

  it('take a value or a dataset with a note from anyone signed in, sent to the agency that owns it', async () => {
    const owner = service.ctx.model.now.catalog.indicator('ENT_NEW')!.owner
    const value = await report('pt.loi', { kind: 'value', indicator_code: 'ENT_NEW', unit_code: '07210', period: '2026-10', note: 'Số doanh nghiệp mới tháng 10 gấp ba tháng 9' })
    expect(value.status).toBe(201)
    expect(value.body).toMatchObject({ kind: 'value', dataset: 'chi_tieu_kt_xh', indicator_code: 'ENT_NEW', unit_code: '07210', period: '2026-10', agency: owner, reported_by: 'pt.loi', status: 'open' })
    valueReport = value.body.id
    const dataset = await report('ld.loi', { kind: 'dataset', dataset: 'dan_cu', note: 'Dân số xã Tân Yên giảm một nửa so với tháng trước' })
    expect(dataset.body).toMatchObject({ kind: 'dataset', dataset: 'dan_cu', agency: 'CA_TINH', status: 'open' })
    datasetReport = dataset.body.id
    // A note is stored as written, whatever it looks like.
    const sqlish = "'); DROP TABLE meta.error_reports; --"
    expect((await report('pt.loi', { kind: 'dataset', dataset: 'doanh_nghiep', note: sqlish })).status).toBe(201)
    expect((await list('qt.loi')).some((r) => r.note === sqlish)).toBe(true)
  })

  it('refuse what names nothing real, with the reason in both languages', async () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: 'value', indicator_code: 'KHONG_CO', unit_code: '07210', period: '2026-10', note: 'số liệu lạ' }, /No indicator "KHONG_CO"/],
      [{ kind: 'value', indicator_code: 'ENT_NEW', unit_code: '99999', period: '2026-10', note: 'số liệu lạ' }, /Unit code "99999"/],
      [{ kind: 'value', indicator_code: 'ENT_NEW', unit_code: '07210', period: '2026-13', note: 'số liệu lạ' }, /Period "2026-13" is not valid/],
      [{ kind: 'dataset', dataset: 'khong_co', note: 'số liệu lạ' }, /No dataset "khong_co"/],
      [{ kind: 'dataset', dataset: 'dan_cu', note: 'sai' }, /5 characters/],
      [{ kind: 'thu_khac', note: 'số liệu lạ' }, /./],
    ]
    for (const [body, reason] of cases) {
      const res = await report('pt.loi', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.message).toBeTruthy()
      expect(`${res.body.error.message} / ${res.body.error.message_en}`).toMatch(reason)
    }
    expect((await api.call('POST', '/api/error-reports', undefined, { kind: 'dataset', dataset: 'dan_cu', note: 'không đăng nhập' })).status).toBe(401)
  })

  it('are seen by the owner agency, the reporter and stewards (with their age), and by no other agency', async () => {
    const steward = await list('qt.loi')
    expect(steward.map((r) => r.id)).toEqual(expect.arrayContaining([valueReport, datasetReport]))
    expect(steward.every((r) => r.age_days === 0)).toBe(true)
    expect((await list('sotc.loi')).map((r) => r.id)).toContain(valueReport)
    expect((await list('sotc.loi')).map((r) => r.id)).not.toContain(datasetReport)
    expect((await list('catinh.loi')).map((r) => r.id)).toEqual([datasetReport])
    expect(await list('soyt.loi')).toEqual([])
    expect((await list('ld.loi')).map((r) => r.id)).toEqual([datasetReport])
  })

  it('are answered by the owner agency and closed by an explanation or by a corrected delivery made after the report', async () => {
    // Another agency's officer cannot answer, nor learn the report exists; a leader cannot answer at all.
    expect((await answer('soyt.loi', valueReport, { answer: 'Không phải của chúng tôi' })).status).toBe(404)
    expect((await answer('ld.loi', valueReport, { answer: 'Lãnh đạo trả lời' })).status).toBe(403)
    const answered = await answer('sotc.loi', valueReport, { answer: 'Đang kiểm tra lại với phòng đăng ký kinh doanh' })
    expect(answered.body).toMatchObject({ status: 'answered', answered_by: 'sotc.loi' })
    const closed = await answer('sotc.loi', valueReport, { answer: 'Đúng: tháng 10 có đợt cấp phép dồn từ tháng 9', close: 'explanation' })
    expect(closed.body).toMatchObject({ status: 'closed', closed_by: 'explanation' })
    expect((await answer('sotc.loi', valueReport, { answer: 'Trả lời lần nữa' })).status).toBe(409)
    expect((await list('pt.loi', 'closed')).find((r) => r.id === valueReport)).toMatchObject({ status: 'closed' })

    // A delivery that does not exist, or is not the owner's of this dataset: refused.
    const noLoad = await answer('catinh.loi', datasetReport, { answer: 'Đã gửi lại', close: 'delivery', load_id: 'khong-co' })
    expect(noLoad.status).toBe(400)
    expect(noLoad.body.error.message_en).toMatch(/committed delivery of dan_cu by CA_TINH, made after the report/)
    const file = path.join(home, 'dan_cu_sua.csv')
    fs.writeFileSync(file, ['Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật', '027090001234,Nguyễn Văn An,12/05/1990,Nam,07210,Thôn 3,28/11/2026'].join('\n'))
    const delivered = await service.ctx.deliver.file({ file, dataset: 'dan_cu', agency: 'CA_TINH', channel: 'file' })
    expect(delivered.status).toBe('committed')
    const fixed = await answer('catinh.loi', datasetReport, { answer: 'Đã gửi lại bản trích xuất đúng', close: 'delivery', load_id: delivered.loadId })
    expect(fixed.body).toMatchObject({ status: 'closed', closed_by: 'delivery', load_id: delivered.loadId })
    const [row] = await queryRows<{ n: string }>(service.ctx.wh.client, 'SELECT toString(count()) AS n FROM meta.error_reports FINAL')
    expect(Number(row!.n)).toBe(3)
  })

  it("are counted in each agency's quarterly report", async () => {
    const res = await api.call('POST', '/api/briefings/co_quan_quy/run', tokens['qt.loi'], { period: '2026-Q4' })
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(res.body.file)
    const ws = wb.getWorksheet('Bao loi du lieu')!
    expect(ws).toBeDefined()
    const rows: Record<string, unknown[]> = {}
    ws.eachRow((r) => {
      const name = String(r.getCell(1).value)
      if (['Cơ quan chủ quản', 'BÁO CÁO'].some((h) => name.startsWith(h))) return
      rows[name] = [2, 3, 4, 5, 6].map((c) => r.getCell(c).value)
    })
    const name = (code: string) => service.ctx.model.now.catalog.agency(code)!.name
    // SO_TC: two reports (one closed by explanation, one open); CA_TINH: one, closed by a delivery.
    expect(rows[name('SO_TC')]).toEqual([2, 0, 1, 1, 0])
    expect(rows[name('CA_TINH')]).toEqual([1, 1, 0, 0, '—'])
  })
})
