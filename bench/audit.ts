/**
 * npm run bench:audit — the hash-chained sharing log: writing N entries through AuditLog (hashing
 * each and linking it to the one before) against inserting the same rows without the chain, in the
 * same process and warehouse; then verifying the whole chain (BENCH_ENTRIES, default 200,000).
 *
 * Last line: RESULT {"entries", "chained_write_s", "plain_write_s", "write_ratio", "verify_s", "verify_entries_per_s"}
 */
import { AuditLog, type AuditEntry } from '../infra/access/audit-log.ts'
import { openSyncedWarehouse } from '../infra/testing/temp-warehouse.ts'
import { openAuditSeal } from '../infra/access/audit-seal.ts'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const N = Number(process.env.BENCH_ENTRIES ?? 200_000)
const wh = await openSyncedWarehouse()

const entry = (i: number): AuditEntry => ({
  account: `canbo.${i % 300}`,
  agency: ['SO_TC', 'SO_CT', 'SO_YT'][i % 3]!,
  role: 'agency_officer',
  via: 'session',
  purpose: '',
  client: '10.0.0.1',
  endpoint: 'load',
  members: ['enterprises.count', 'enterprises.commune_code'],
  datasets: ['doanh_nghiep'],
  filters: [{ member: 'enterprises.commune_code', operator: 'equals', values: ['07210'] }],
  query: { measures: ['enterprises.count'], dimensions: ['enterprises.commune_code'] },
  rowCount: i % 97,
  durationMs: 12,
  outcome: 'ok',
  reason: '',
})

// Baseline: the same rows as plain JSON inserts in the same batch size, no hashing, no chain.
let started = performance.now()
for (let from = 0; from < N; from += 200) {
  const batch = Array.from({ length: Math.min(200, N - from) }, (_, k) => {
    const e = entry(from + k)
    return { at: Date.now(), account: e.account, agency: e.agency, role: e.role, via: e.via, purpose: e.purpose, client: e.client, endpoint: e.endpoint, members: e.members, datasets: e.datasets, filters: JSON.stringify(e.filters), query: JSON.stringify(e.query), row_count: e.rowCount, duration_ms: e.durationMs, outcome: e.outcome, reason: e.reason }
  })
  await wh.client.insert({ table: 'meta.audit', values: batch, format: 'JSONEachRow' })
}
const plain = (performance.now() - started) / 1000
await wh.client.command({ query: 'TRUNCATE TABLE meta.audit' })

started = performance.now()
const log = new AuditLog(wh, openAuditSeal(fs.mkdtempSync(path.join(os.tmpdir(), 'kho-audit-seal-'))))
for (let i = 0; i < N; i++) log.record(entry(i))
await log.flush()
const chained = (performance.now() - started) / 1000

started = performance.now()
const report = await log.verify()
const verify = (performance.now() - started) / 1000
if (!report.ok || report.entries !== N) throw new Error(`verification failed: ${JSON.stringify(report)}`)
console.log(`${N} entries: chained write ${chained.toFixed(2)} s, plain ${plain.toFixed(2)} s; verify ${verify.toFixed(2)} s`)
await wh.dispose()
console.log(
  'RESULT ' +
    JSON.stringify({
      entries: N,
      chained_write_s: Number(chained.toFixed(3)),
      plain_write_s: Number(plain.toFixed(3)),
      write_ratio: Number((chained / plain).toFixed(2)),
      verify_s: Number(verify.toFixed(3)),
      verify_entries_per_s: Math.round(N / verify),
    }),
)
