import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncedWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { AuditLog, verifyAuditChain, type AuditEntry } from './audit-log.ts'

const entry = (i: number): AuditEntry => ({
  account: `user${i}`,
  agency: 'SO_CT',
  role: 'agency_officer',
  via: 'session',
  purpose: 'kiểm tra',
  client: '127.0.0.1',
  endpoint: 'load',
  members: ['enterprises.count'],
  datasets: ['doanh_nghiep'],
  filters: [{ member: 'enterprises.commune_code', operator: 'equals', values: ['07210'] }],
  query: { measures: ['enterprises.count'] },
  rowCount: i,
  durationMs: 3.4,
  outcome: 'ok',
  // A lone surrogate reaches the warehouse as U+FFFD: the hash must be taken of what is stored.
  reason: i === 2 ? 'bad \ud800 text' : '',
})

describe('the sharing log is hash-chained', () => {
  let wh: TempWarehouse
  beforeAll(async () => {
    wh = await openSyncedWarehouse()
    const log = new AuditLog(wh)
    for (let i = 1; i <= 5; i++) log.record(entry(i))
    await log.flush()
    // A second writer (a restart) continues the chain from the warehouse.
    const again = new AuditLog(wh)
    for (let i = 6; i <= 8; i++) again.record(entry(i))
    await again.flush()
  })
  afterAll(() => wh.dispose())

  it('verifies a whole log', async () => {
    const r = await verifyAuditChain(wh, { pageSize: 3 })
    expect(r).toMatchObject({ ok: true, entries: 8, firstSeq: 1, lastSeq: 8, broken: null })
  })

  it('names the first entry edited after it was written', async () => {
    await wh.client.command({ query: "ALTER TABLE meta.audit UPDATE row_count = 999 WHERE seq = 4 SETTINGS mutations_sync = 1" })
    const r = await verifyAuditChain(wh, { pageSize: 3 })
    expect(r.ok).toBe(false)
    expect(r.broken).toMatchObject({ seq: 4, reason: 'entry 4 was changed after it was written' })
    expect(r.broken!.reasonVi).toContain('đã bị sửa')
    await wh.client.command({ query: "ALTER TABLE meta.audit UPDATE row_count = 4 WHERE seq = 4 SETTINGS mutations_sync = 1" })
    expect((await verifyAuditChain(wh)).ok).toBe(true)
  })

  it('names entries cut off the end, from what the writer knows it wrote', async () => {
    const log = new AuditLog(wh)
    log.record(entry(9))
    await log.flush()
    expect((await verifyAuditChain(wh, { expectedLast: log.lastWritten() })).ok).toBe(true)
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 9 SETTINGS mutations_sync = 1' })
    expect((await verifyAuditChain(wh)).ok).toBe(true)
    const r = await verifyAuditChain(wh, { expectedLast: log.lastWritten() })
    expect(r.broken).toMatchObject({ seq: 9, reason: 'entries after 8 are missing (the log wrote up to 9)' })
  })

  it('names a deleted entry', async () => {
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 6 SETTINGS mutations_sync = 1' })
    const r = await verifyAuditChain(wh)
    expect(r.broken).toMatchObject({ seq: 6, reason: 'entry 6 is missing (deleted)' })
  })

  it('names a forged entry put in place of a deleted one', async () => {
    const forged = { seq: 6, account: 'user6', endpoint: 'load', prev_hash: 'x', hash: 'y' }
    await wh.client.insert({ table: 'meta.audit', values: [forged], format: 'JSONEachRow' })
    const r = await verifyAuditChain(wh)
    expect(r.broken).toMatchObject({ seq: 6, reason: 'entry 6 does not follow the entry before it' })
  })

  it('names a missing beginning', async () => {
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq <= 2 SETTINGS mutations_sync = 1' })
    const r = await verifyAuditChain(wh)
    expect(r.broken).toMatchObject({ seq: 1, reason: 'entries 1–2 are missing and no retention run removed them' })
  })
})

describe('retention', () => {
  let wh: TempWarehouse
  beforeAll(async () => {
    wh = await openSyncedWarehouse()
  })
  afterAll(() => wh.dispose())

  it('removes whole months beyond the kept ones, and the chain still verifies from where it now starts', async () => {
    let now = Date.parse('2026-01-15T03:00:00Z')
    const log = new AuditLog(wh, undefined, () => now)
    for (const [day, n] of [['2026-01-15', 3], ['2026-02-15', 2], ['2026-03-15', 2]] as const) {
      now = Date.parse(`${day}T03:00:00Z`)
      for (let i = 0; i < n; i++) log.record(entry(i))
      await log.flush()
    }
    now = Date.parse('2026-03-20T03:00:00Z')
    expect(await log.applyRetention(2)).toBe(3)
    const r = await verifyAuditChain(wh, { expectedLast: log.lastWritten() })
    expect(r).toMatchObject({ ok: true, firstSeq: 4, lastSeq: 8 })
    // Removing the first kept entry is still caught: the retention record names where the chain starts.
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 4 SETTINGS mutations_sync = 1' })
    expect((await verifyAuditChain(wh)).broken).toMatchObject({ seq: 1, reason: 'entries 1–4 are missing and no retention run removed them' })
  })
})
