import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../catalog/load-catalog.ts'
import { saveAccount } from '../../access/accounts.ts'
import { AuditLog } from '../../access/audit-log.ts'
import { smtpMailer } from '../../files/mailer.ts'
import { smtpSink } from '../../testing/smtp-sink.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../testing/temp-warehouse.ts'
import { JobScheduler } from '../../scheduler/job-scheduler.ts'
import { loadProject } from '../../../transforms/project/project.ts'
import { runModels } from '../../../transforms/runner/run.ts'
import { runDataTests } from '../../../transforms/runner/data-tests.ts'
import { AlertKeeper } from './alert-keeper.ts'
import { alertNotifier, SIGNATURE_HEADER } from './alert-notify.ts'
import { firingNow } from './alert-rules.ts'
import fs from 'node:fs'
import path from 'node:path'
import * as clock from '../../time/clock.ts'
import { openAuditSeal } from '../../access/audit-seal.ts'

const catalog = loadCatalog()
const SECRET = 'webhook-secret-for-tests'
let wh: TempWarehouse
let sink: Awaited<ReturnType<typeof smtpSink>>
/** A loopback receiver for the webhook: it keeps what it is sent, and fails while told to. */
const received: { body: string; signature: string }[] = []
let failNext = 0
let receiver: http.Server
let receiverUrl = ''

/** A clock the test moves by hand. */
let now = new Date('2026-11-29T02:00:00Z')
const jobs = () => new JobScheduler({ wh, now: () => now })
let pullFails = true
let scheduler: JobScheduler
let models: string[] = []

function keeper(thresholds = { windowMinutes: 15, refusals: 5, failedSignIns: 3 }) {
  return new AlertKeeper({
    wh,
    now: () => now,
    find: (at) => firingNow({ wh, catalog, jobTitles: () => scheduler.titles(), models: () => models, thresholds }, at),
    notify: alertNotifier({ wh, send: smtpMailer({ url: sink.url, from: 'kho@bacninh.gov.vn' }), webhook: { url: receiverUrl, secret: SECRET }, pageUrl: 'https://kho.bacninh.gov.vn/alerts', retryDelaysMs: [10, 10], agencyEmail: (code) => (code === 'SO_TC' ? 'vanthu@sotc.bacninh.gov.vn' : undefined) }),
  })
}

/** The decoded text of the e-mails sent to one address. */
const mailsTo = (address: string) =>
  sink.messages
    .filter((m) => new RegExp(`^To: ${address}`, 'm').test(m))
    .map((m) => {
      const body = m.split('\n\n').slice(1).join('\n\n')
      if (/Content-Transfer-Encoding: base64/i.test(m)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      // Quoted-printable: soft breaks joined, =XX bytes put back, the bytes read as UTF-8.
      return Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
    })

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  sink = await smtpSink()
  receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      if (failNext > 0) {
        failNext--
        res.writeHead(503).end()
        return
      }
      received.push({ body, signature: String(req.headers[SIGNATURE_HEADER] ?? '') })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  for (const a of [
    { username: 'qt.alerts', display_name: 'Quản trị dữ liệu', role: 'steward' as const, email: 'quantri@bacninh.gov.vn' },
    { username: 'sotc.alerts', display_name: 'Cán bộ Sở Tài chính', role: 'agency_officer' as const, agency: 'SO_TC', email: 'canbo@sotc.bacninh.gov.vn' },
    { username: 'soyt.alerts', display_name: 'Cán bộ Sở Y tế', role: 'agency_officer' as const, agency: 'SO_YT', email: 'canbo@soyt.bacninh.gov.vn' },
  ]) {
    await saveAccount(wh, { ...a, password: 'mat-khau-dai-du-2026' })
  }
  scheduler = jobs()
  scheduler.add({
    id: 'pull:doanh_nghiep',
    title: { vi: 'Đồng bộ sổ đăng ký doanh nghiệp', en: 'Pull the business register' },
    schedule: '0 * * * *',
    run: async () => {
      if (pullFails) throw new Error('getaddrinfo ENOTFOUND dkkd.example')
      return '12 records'
    },
  })
}, 60_000)

afterAll(async () => {
  sink.close()
  receiver.close()
  await wh.dispose()
})

describe('alerts', () => {
  it('open once when a pull connector fails, tell stewards and the owner agency by e-mail and the webhook (signed), and resolve when it succeeds', async () => {
    const alerts = keeper()
    await scheduler.run('pull:doanh_nghiep')
    expect(await alerts.check()).toMatchObject({ opened: 1, resolved: 0 })
    // Checked again while the cause lasts: nothing new, nobody told twice.
    now = new Date(now.getTime() + 60_000)
    expect(await alerts.check()).toEqual({ opened: 0, resolved: 0 })
    const [open] = await alerts.list({ state: 'open', agency: '', limit: 10 })
    expect(open).toMatchObject({ key: 'job:pull:doanh_nghiep', rule: 'connector_failed', severity: 'critical', agency: 'SO_TC', resolved_at: null, title_en: 'Job failed: Pull the business register' })
    expect(open!.detail).toMatchObject({ message: 'getaddrinfo ENOTFOUND dkkd.example' })
    expect(open!.notified).toMatchObject({ opened: { email: { 'qt.alerts': 'sent', 'sotc.alerts': 'sent', 'agency:SO_TC': 'sent' }, webhook: 'sent 204' } })
    // The agency's own mailbox (the catalogue's contact) is told too.
    expect(mailsTo('vanthu@sotc.bacninh.gov.vn')[0]).toContain('Tác vụ thất bại')
    expect(mailsTo('quantri@bacninh.gov.vn')).toHaveLength(1)
    expect(mailsTo('canbo@sotc.bacninh.gov.vn')[0]).toContain('Tác vụ thất bại: Đồng bộ sổ đăng ký doanh nghiệp')
    expect(mailsTo('canbo@sotc.bacninh.gov.vn')[0]).toContain('https://kho.bacninh.gov.vn/alerts')
    // Another agency's officer hears nothing of it.
    expect(mailsTo('canbo@soyt.bacninh.gov.vn')).toEqual([])
    expect(received).toHaveLength(1)
    const event = JSON.parse(received[0]!.body) as { event: string; alert: { key: string; agency: string } }
    expect(event).toMatchObject({ event: 'opened', alert: { key: 'job:pull:doanh_nghiep', agency: 'SO_TC' } })
    expect(received[0]!.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(received[0]!.body).digest('hex')}`)
    expect(await alerts.list({ state: 'open', agency: 'SO_YT', limit: 10 })).toEqual([])

    pullFails = false
    now = new Date(now.getTime() + 3_600_000)
    await scheduler.run('pull:doanh_nghiep')
    failNext = 1 // the receiver fails once: the event is sent again
    expect(await alerts.check()).toEqual({ opened: 0, resolved: 1 })
    expect(await alerts.list({ state: 'open', agency: '', limit: 10 })).toEqual([])
    const [resolved] = await alerts.list({ state: 'resolved', agency: '', limit: 10 })
    expect(resolved).toMatchObject({ key: 'job:pull:doanh_nghiep', resolved_at: expect.stringMatching(/^2026-11-29 /) })
    expect(resolved!.notified).toMatchObject({ opened: { webhook: 'sent 204' }, resolved: { webhook: 'sent 204' } })
    expect(JSON.parse(received[1]!.body)).toMatchObject({ event: 'resolved' })
    expect(mailsTo('canbo@sotc.bacninh.gov.vn')[1]).toContain('[ĐÃ HẾT / RESOLVED]')
  })

  it('open on a spike of failed sign-ins and of refused requests, and resolve when the window has passed', async () => {
    const alerts = keeper()
    const audit = new AuditLog(wh, openAuditSeal(tempDir('kho-audit-seal-')))
    for (let i = 0; i < 3; i++) audit.record({ ...baseEntry(), account: 'khach.la', endpoint: 'login', outcome: 'denied', reason: 'wrong username or password' })
    for (let i = 0; i < 5; i++) audit.record({ ...baseEntry(), account: 'phantich', endpoint: 'GET /api/audit', outcome: 'denied', reason: 'Role analyst may not do this' })
    await audit.flush()
    now = clock.now()
    expect(await alerts.check()).toEqual({ opened: 2, resolved: 0 })
    const open = await alerts.list({ state: 'open', agency: '', limit: 10 })
    expect(open.map((a) => a.rule).sort()).toEqual(['failed_signins_spike', 'refusals_spike'])
    expect(open.find((a) => a.rule === 'failed_signins_spike')!.detail).toMatchObject({ failed: 3, threshold: 3, accounts: ['khach.la'] })
    // Under a higher threshold the same refusals are no spike.
    expect((await firingNow({ wh, catalog, jobTitles: () => ({}), models: () => models, thresholds: { windowMinutes: 15, refusals: 6, failedSignIns: 4 } }, now)).firing.filter((f) => f.key.startsWith('spike:'))).toEqual([])
    now = new Date(now.getTime() + 16 * 60_000)
    expect(await alerts.check()).toEqual({ opened: 0, resolved: 2 })
  })

  it('open on a model that fails to build and on a data test that fails, with counts and never the failing rows', async () => {
    const root = tempDir('kho-alert-project-')
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
      fs.writeFileSync(path.join(root, rel), text)
    }
    write('models/marts/alert_people.sql', `/* config\nmaterialized: table\norder_by: [cccd]\n*/\nselect '027090001234' as cccd, 'Nguyễn Văn A' as full_name`)
    write('models/marts/alert_broken.sql', `/* config\nmaterialized: table\norder_by: [x]\n*/\nselect no_such_column as x`)
    write('models/marts/schema.yaml', 'models:\n  - name: alert_people\n    tests:\n      - expression: "length(full_name) > 20"\n')
    const project = loadProject({}, root)
    models = [...project.models.keys()]
    await runModels(wh, project)
    await runDataTests(wh, project, new Set(['alert_people']))
    const alerts = keeper()
    await alerts.check()
    const open = await alerts.list({ state: 'open', agency: '', limit: 10 })
    expect(open.find((a) => a.key === 'model:alert_broken')).toMatchObject({ rule: 'transform_failed', severity: 'critical' })
    const test = open.find((a) => a.rule === 'data_test_failed')!
    expect(test).toMatchObject({ key: 'test:alert_people:expression(length(full_name) > 20)', severity: 'warning', detail: { failures: 1 } })
    expect(JSON.stringify(open)).not.toContain('027090001234')
    expect(sink.messages.join('\n')).not.toContain('027090001234')
    // The marts' obligations are not built here: that rule is not checked, and nothing of it resolves.
    const found = await firingNow({ wh, catalog, jobTitles: () => ({}), models: () => models, thresholds: { windowMinutes: 15, refusals: 5, failedSignIns: 3 } }, now)
    expect(found.unchecked.map((u) => u.rules)).toEqual([['dataset_overdue']])

    write('models/marts/alert_broken.sql', `/* config\nmaterialized: table\norder_by: [x]\n*/\nselect 1 as x`)
    write('models/marts/schema.yaml', 'models:\n  - name: alert_people\n    tests:\n      - expression: "length(full_name) > 2"\n')
    const fixed = loadProject({}, root)
    await runModels(wh, fixed)
    await runDataTests(wh, fixed, new Set(['alert_people']))
    await alerts.check()
    // Both cleared: the model builds, and the model's latest test run has no failing test.
    expect(await alerts.list({ state: 'open', agency: '', limit: 10 })).toEqual([])
    // A model taken out of the project after failing is no longer an alert either.
    write('models/marts/alert_broken.sql', `/* config\nmaterialized: table\norder_by: [x]\n*/\nselect no_such_column as x`)
    await runModels(wh, loadProject({}, root))
    expect(await alerts.check()).toMatchObject({ opened: 1 })
    models = models.filter((m) => m !== 'alert_broken')
    expect(await alerts.check()).toMatchObject({ resolved: 1 })
  })
})

function baseEntry() {
  return { at: clock.now().toISOString(), agency: '', role: '', via: 'session', purpose: '', client: '127.0.0.1', members: [], datasets: [], filters: null, query: null, rowCount: 0, durationMs: 0 }
}
