import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../infra/catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../infra/testing/temp-warehouse.ts'
import { InboxWatcher } from './inbox.ts'
import { deliverer } from './deliver.ts'
import { pathsUnder } from '../infra/config.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { isSealed, readKept } from '../infra/files/sealed-file.ts'
import { Keyring } from '../infra/keys/keyring.ts'

const catalog = loadCatalog()
const home = tempDir('kho-inbox-')
let wh: TempWarehouse
let inbox: InboxWatcher

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  const deliver = deliverer({ wh, catalog: () => catalog, paths: pathsUnder(home), onCommitted: () => {} })
  inbox = new InboxWatcher({ catalog: () => catalog, deliver, inboxDir: path.join(home, 'inbox') })
  inbox.prepareFolders()
})
afterAll(() => wh.dispose())

const DN = 'Mã số doanh nghiệp,Tên doanh nghiệp,Ngày thành lập,Mã xã,Ngành kinh tế (VSIC),Vốn điều lệ (triệu đồng),Tình trạng,Ngày cập nhật\n0100047516,Công ty A,01/02/2020,07210,2610,1,dang_hoat_dong,01/10/2026\n'

describe('inbox folders', () => {
  it('has a folder for each agency and each dataset it delivers', () => {
    expect(fs.existsSync(path.join(home, 'inbox/SO_TC/doanh_nghiep'))).toBe(true)
    expect(fs.existsSync(path.join(home, 'inbox/CA_TINH/dan_cu'))).toBe(true)
    expect(fs.existsSync(path.join(home, 'inbox/SO_YT/chi_tieu_kt_xh'))).toBe(true)
    expect(fs.existsSync(path.join(home, 'inbox/CA_TINH/doanh_nghiep'))).toBe(false)
  })

  it('loads a file once it stops growing, then files its report under .done (the file itself only in the archive, sealed)', async () => {
    const dir = path.join(home, 'inbox/SO_TC/doanh_nghiep')
    fs.writeFileSync(path.join(dir, 'dn.csv'), DN)
    expect(await inbox.scanOnce()).toEqual([])
    const [report] = await inbox.scanOnce()
    expect(report).toMatchObject({ status: 'committed', agency: 'SO_TC', dataset: 'doanh_nghiep', source: 'dn.csv', rowsLoaded: 1 })
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([])
    const done = fs.readdirSync(path.join(dir, '.done'))
    expect(done.filter((f) => f.endsWith('_dn.csv'))).toHaveLength(0)
    expect(done.filter((f) => f.endsWith('_dn.csv.report.json'))).toHaveLength(1)
    const kept = path.join(home, 'archive', report!.sha256.slice(0, 2), report!.sha256)
    expect(isSealed(kept)).toBe(true)
    expect((await readKept(kept, Keyring.open(path.join(home, 'keys')))).toString('utf8')).toBe(DN)
    const saved = JSON.parse(fs.readFileSync(path.join(dir, '.done', done.find((f) => f.endsWith('.report.json'))!), 'utf8'))
    expect(saved.loadId).toBe(report!.loadId)
    const [by] = await queryRows<{ by: string }>(wh.client, 'SELECT delivered_by AS by FROM meta.loads FINAL WHERE load_id = {id:String}', { id: report!.loadId })
    expect(by!.by).toBe('inbox')
  })

  it('files a refused delivery under .refused with the reasons', async () => {
    const dir = path.join(home, 'inbox/SO_TC/doanh_nghiep')
    fs.writeFileSync(path.join(dir, 'sai.csv'), DN.replace('0100047516', '0100047517'))
    await inbox.scanOnce()
    const [report] = await inbox.scanOnce()
    expect(report!.status).toBe('refused')
    const refused = fs.readdirSync(path.join(dir, '.refused'))
    const saved = JSON.parse(fs.readFileSync(path.join(dir, '.refused', refused.find((f) => f.endsWith('.report.json'))!), 'utf8'))
    expect(saved.rejects[0].code).toBe('enterprise.check_digit')
  })

  it('waits while a file is still being written', async () => {
    const dir = path.join(home, 'inbox/CA_TINH/dan_cu')
    const file = path.join(dir, 'dang_ghi.csv')
    fs.writeFileSync(file, 'Số định danh cá nhân,Họ và tên')
    await inbox.scanOnce()
    fs.appendFileSync(file, ',Ngày sinh,Giới tính,Mã xã,Ngày cập nhật\n')
    expect(await inbox.scanOnce()).toEqual([])
    expect(fs.existsSync(file)).toBe(true)
  })
})
