import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from '../warehouse/client.ts'
import { AuditLog, verifyAuditChain, type AuditEntry } from './audit-log.ts'
import { openAuditSeal, type AuditSeal } from './audit-seal.ts'

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
  let seal: AuditSeal
  beforeAll(async () => {
    wh = await openSyncedWarehouse()
    seal = openAuditSeal(tempDir('kho-audit-seal-'))
    const log = new AuditLog(wh, seal)
    for (let i = 1; i <= 5; i++) log.record(entry(i))
    await log.flush()
    // A second writer (a restart) continues the chain from the warehouse.
    const again = new AuditLog(wh, seal)
    for (let i = 6; i <= 8; i++) again.record(entry(i))
    await again.flush()
  })
  afterAll(() => wh.dispose())

  it('verifies a whole log', async () => {
    const r = await verifyAuditChain(wh, seal, { pageSize: 3 })
    expect(r).toMatchObject({ ok: true, entries: 8, firstSeq: 1, lastSeq: 8, broken: null })
  })

  it('names the first entry edited after it was written', async () => {
    await wh.client.command({ query: "ALTER TABLE meta.audit UPDATE row_count = 999 WHERE seq = 4 SETTINGS mutations_sync = 1" })
    const r = await verifyAuditChain(wh, seal, { pageSize: 3 })
    expect(r.ok).toBe(false)
    expect(r.broken).toMatchObject({ seq: 4, reason: 'entry 4 was changed after it was written' })
    expect(r.broken!.reasonVi).toContain('đã bị sửa')
    await wh.client.command({ query: "ALTER TABLE meta.audit UPDATE row_count = 4 WHERE seq = 4 SETTINGS mutations_sync = 1" })
    expect((await verifyAuditChain(wh, seal)).ok).toBe(true)
  })

  it('names entries cut off the end after a restart, from the head written beside the key; a new writer keeps the gap', async () => {
    const log = new AuditLog(wh, seal)
    for (let i = 9; i <= 11; i++) log.record(entry(i))
    expect((await log.verify()).ok).toBe(true)
    // The service stopped, the last three entries deleted; a new process, with no memory of what was written, verifies.
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq >= 9 SETTINGS mutations_sync = 1' })
    expect((await verifyAuditChain(wh, seal)).broken).toMatchObject({ seq: 9, reason: 'entries after 8 are missing (the log wrote up to 11)' })
    // Its first entry does not chain onto the cut end (which would hide the cut): the gap stays.
    const restarted = new AuditLog(wh, seal)
    restarted.record(entry(12))
    expect((await restarted.verify()).broken).toMatchObject({ seq: 9, reason: 'entry 9 is missing (deleted)' })
  })

  it('names a deleted entry', async () => {
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 6 SETTINGS mutations_sync = 1' })
    const r = await verifyAuditChain(wh, seal)
    expect(r.broken).toMatchObject({ seq: 6, reason: 'entry 6 is missing (deleted)' })
  })

  it('names a forged entry put in place of a deleted one', async () => {
    const forged = { seq: 6, account: 'user6', endpoint: 'load', prev_hash: 'x', hash: 'y' }
    await wh.client.insert({ table: 'meta.audit', values: [forged], format: 'JSONEachRow' })
    const r = await verifyAuditChain(wh, seal)
    expect(r.broken).toMatchObject({ seq: 6, reason: 'entry 6 does not follow the entry before it' })
  })

  it('names a missing beginning', async () => {
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq <= 2 SETTINGS mutations_sync = 1' })
    const r = await verifyAuditChain(wh, seal)
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
    const seal = openAuditSeal(tempDir('kho-audit-seal-'))
    const log = new AuditLog(wh, seal, undefined, () => now)
    for (const [day, n] of [['2026-01-15', 3], ['2026-02-15', 2], ['2026-03-15', 2]] as const) {
      now = Date.parse(`${day}T03:00:00Z`)
      for (let i = 0; i < n; i++) log.record(entry(i))
      await log.flush()
    }
    now = Date.parse('2026-03-20T03:00:00Z')
    expect(await log.applyRetention(2)).toBe(3)
    const r = await log.verify()
    expect(r).toMatchObject({ ok: true, firstSeq: 4, lastSeq: 8 })
    // Removing the first kept entry is still caught: the retention record names where the chain starts.
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 4 SETTINGS mutations_sync = 1' })
    expect((await verifyAuditChain(wh, seal)).broken).toMatchObject({ seq: 1, reason: 'entries 1–4 are missing and no retention run removed them' })
  })
})

describe('against an intruder who can write to the warehouse but has not the key', () => {
  let wh: TempWarehouse
  let seal: AuditSeal
  type Row = Record<string, unknown> & { seq: number | string; hash: string; prev_hash: string }
  const FIELDS = ['seq', 'at', 'account', 'agency', 'role', 'via', 'purpose', 'client', 'endpoint', 'members', 'datasets', 'filters', 'query', 'row_count', 'duration_ms', 'outcome', 'reason', 'prev_hash']
  /** What the intruder can compute: SHA-256 over the same fields, as the log hashed them before it had a key. */
  const rehash = (r: Row) =>
    createHash('sha256')
      .update(JSON.stringify(FIELDS.map((k) => (['seq', 'row_count', 'duration_ms'].includes(k) ? Number(r[k]) : k === 'at' ? Number(r.at_ms) : r[k]))))
      .digest('hex')
  const read = () => queryRows<Row>(wh.client, 'SELECT *, toUnixTimestamp64Milli(at) AS at_ms FROM meta.audit ORDER BY seq')
  const put = (rows: Row[]) => wh.client.insert({ table: 'meta.audit', values: rows.map(({ at_ms: _, ...r }) => r), format: 'JSONEachRow' })

  beforeAll(async () => {
    wh = await openSyncedWarehouse()
    seal = openAuditSeal(tempDir('kho-audit-seal-'))
    const log = new AuditLog(wh, seal)
    for (let i = 1; i <= 6; i++) log.record(entry(i))
    expect((await log.verify()).ok).toBe(true)
  })
  afterAll(() => wh.dispose())

  it('names an entry appended with a recomputed hash', async () => {
    const rows = await read()
    const last = rows.at(-1)!
    const appended = { ...last, seq: 7, account: 'ke.gian', prev_hash: last.hash }
    await put([{ ...appended, hash: rehash(appended) }])
    expect((await verifyAuditChain(wh, seal)).broken).toMatchObject({ seq: 7, reason: "entry 7 is not sealed with the log's key" })
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq = 7 SETTINGS mutations_sync = 1' })
    expect((await verifyAuditChain(wh, seal)).ok).toBe(true)
  })

  it('names an entry edited and the chain after it re-hashed', async () => {
    const rows = await read()
    let prev = rows.find((r) => Number(r.seq) === 3)!.hash
    const forged = rows.filter((r) => Number(r.seq) >= 4).map((r) => {
      const edited = { ...r, row_count: Number(r.seq) === 4 ? 0 : r.row_count, prev_hash: prev }
      prev = rehash(edited)
      return { ...edited, hash: prev }
    })
    await wh.client.command({ query: 'ALTER TABLE meta.audit DELETE WHERE seq >= 4 SETTINGS mutations_sync = 1' })
    await put(forged)
    expect((await verifyAuditChain(wh, seal)).broken).toMatchObject({ seq: 4, reason: "entry 4 is not sealed with the log's key" })
  })
})
