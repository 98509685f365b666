import type { Caller } from './caller.ts'
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import * as clock from '../time/clock.ts'
import { readHead, SEALED, sealedHash, writeHead, type AuditSeal, type ChainHead } from './audit-seal.ts'
import type { ChainReport } from '../contracts/audit.ts'

export interface AuditEntry {
  /** An account's username, a system's `sys:<id>`, or what a credential names. */
  account: string
  /** The agency the caller acts for ('' for provincial roles and the public). */
  agency: string
  role: string
  /** How the caller proved who it is (session, system-key, jwt…). */
  via: string
  purpose: string
  client: string
  endpoint: string
  members: string[]
  /** The catalogue datasets touched. */
  datasets: string[]
  filters: unknown
  query: unknown
  rowCount: number
  durationMs: number
  outcome: 'ok' | 'denied' | 'error'
  reason: string
}

/** The fields an entry leaves empty unless it says otherwise. */
const BLANK: Omit<AuditEntry, 'endpoint'> = {
  account: '', agency: '', role: '', via: '', purpose: '', client: '', members: [], datasets: [], filters: null, query: null, rowCount: 0, durationMs: 0, outcome: 'ok', reason: '',
}

/** An entry as stored (the hash covers these fields, in CHAINED's order). */
type StoredEntry = Omit<AuditEntry, 'filters' | 'query' | 'rowCount' | 'durationMs' | 'outcome'> & {
  seq: number
  /** Milliseconds since the epoch. */
  at: number
  filters: string
  query: string
  row_count: number
  duration_ms: number
  outcome: string
  prev_hash: string
}

const CHAINED: (keyof StoredEntry)[] = ['seq', 'at', 'account', 'agency', 'role', 'via', 'purpose', 'client', 'endpoint', 'members', 'datasets', 'filters', 'query', 'row_count', 'duration_ms', 'outcome', 'reason', 'prev_hash']

const entryText = (e: StoredEntry) => JSON.stringify(CHAINED.map((k) => e[k]))

/**
 * The hash of one entry over its fields (the previous entry's hash among them) as JSON: keyed with
 * the log's seal; plain SHA-256 for entries written before the log had a key (verification only).
 */
export const entryHash = (e: StoredEntry, seal: AuditSeal | null): string => (seal ? sealedHash(seal, entryText(e)) : createHash('sha256').update(entryText(e)).digest('hex'))

/** Text as the warehouse will give it back (UTF-8), so a hash taken now still holds when read. */
const stored = (s: string) => Buffer.from(s, 'utf8').toString('utf8')

/**
 * The sharing log: every access that returns data and every administrative change, one entry each,
 * written to meta.audit (append-only) in small batches off the request path. Entries are
 * hash-chained — each carries a sequence number and the keyed hash of the one before — so an
 * edited, removed or inserted entry shows (verifyAuditChain), and after each batch the chain's head
 * is written beside the key (audit-seal.ts), so a cut tail shows too. One process writes the log at a time (the
 * service, or a CLI command when no service runs); flush() empties the queue (at shutdown).
 */
export class AuditLog {
  private queue: Omit<StoredEntry, 'seq' | 'prev_hash'>[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  /** The chain's last entry, read from the warehouse before the first write. */
  private head: ChainHead | null = null

  constructor(
    private readonly wh: Warehouse,
    private readonly seal: AuditSeal,
    private readonly onError: (err: Error) => void = () => {},
    /** The clock (ms); tests pass their own. */
    private readonly now: () => number = clock.nowMs,
  ) {}

  /** An entry for one request: who is the caller the gate resolved; the rest as given. */
  recordRequest(req: FastifyRequest, e: Partial<AuditEntry> & Pick<AuditEntry, 'endpoint'>): void {
    const c = req.caller
    this.record({ ...BLANK, account: c.account, agency: c.agency, role: c.role, via: c.via, purpose: c.purpose, client: req.ip, ...e })
  }

  /** An entry for a caller that came another way than HTTP (the SQL port): who, from where, and what. */
  recordCaller(c: Caller, client: string, e: Partial<AuditEntry> & Pick<AuditEntry, 'endpoint'>): void {
    this.record({ ...BLANK, account: c.account, agency: c.agency, role: c.role, via: c.via, purpose: c.purpose, client, ...e })
  }

  /** An entry for what the service does by itself (a job, a start-up sync), in the name `account` ('kho', 'job:…'). */
  recordService(account: string, e: Partial<AuditEntry> & Pick<AuditEntry, 'endpoint'>): void {
    this.record({ ...BLANK, account, role: 'system', via: 'service', ...e })
  }

  record(e: AuditEntry): void {
    this.queue.push({
      at: this.now(),
      account: stored(e.account),
      agency: stored(e.agency),
      role: stored(e.role),
      via: e.via,
      purpose: stored(e.purpose),
      client: stored(e.client),
      endpoint: stored(e.endpoint),
      members: e.members.map(stored),
      datasets: e.datasets.map(stored),
      filters: stored(JSON.stringify(e.filters) ?? 'null'),
      query: stored(JSON.stringify(e.query) ?? 'null'),
      row_count: e.rowCount,
      duration_ms: Math.round(e.durationMs),
      outcome: e.outcome,
      reason: stored(e.reason),
    })
    if (this.queue.length >= 200) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), 500)
  }

  /** Writes what is queued, then verifies the whole log against the head written beside the key. */
  async verify(pageSize?: number): Promise<ChainReport> {
    await this.flush()
    return verifyAuditChain(this.wh, this.seal, pageSize ? { pageSize } : {})
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = this.queue.splice(0)
    if (batch.length > 0) {
      this.writing = this.writing
        .then(async () => {
          let head = (this.head ??= await this.startingHead())
          const rows = batch.map((e) => {
            const entry: StoredEntry = { ...e, seq: head.seq + 1, prev_hash: head.hash }
            const hash = entryHash(entry, this.seal)
            head = { seq: entry.seq, hash }
            return { ...entry, hash }
          })
          await this.wh.client.insert({ table: 'meta.audit', values: rows, format: 'JSONEachRow' })
          writeHead(this.seal, head)
          this.head = head
        })
        .then(
          () => undefined,
          (err: Error) => {
            // The warehouse may or may not hold the batch: read the head again before the next one.
            this.head = null
            this.onError(err)
          },
        )
    }
    return this.writing
  }

  /**
   * Where the next entry chains on: the table's last entry, unless the head written beside the key
   * is further on — then the table's tail was cut, and the chain goes on from the written head so
   * the gap stays for verification to name (chaining onto the cut end would hide it).
   */
  private async startingHead(): Promise<ChainHead> {
    const inTable = await chainHead(this.wh)
    const written = readHead(this.seal)
    return written && written.seq > inTable.seq ? written : inTable
  }

  /**
   * Keeps `months` whole months of the log (the current one included) and removes older ones, then
   * records where the chain now starts, so verification knows the missing beginning was retention
   * and not tampering. Returns how many entries were removed.
   */
  async applyRetention(months: number): Promise<number> {
    if (months <= 0) return 0
    await this.flush()
    const now = new Date(this.now())
    const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1)).toISOString().slice(0, 10)
    const [old] = await queryRows<{ n: string }>(this.wh.client, 'SELECT count() AS n FROM meta.audit WHERE at < toDateTime64({c:String}, 3, \'UTC\')', { c: cutoff })
    const removed = Number(old!.n)
    if (removed === 0) return 0
    const [kept] = await queryRows<{ first_seq: string; n: string }>(this.wh.client, "SELECT min(seq) AS first_seq, count() AS n FROM meta.audit WHERE seq > 0 AND at >= toDateTime64({c:String}, 3, 'UTC')", { c: cutoff })
    const head = this.head ?? (await this.startingHead())
    // With nothing newer kept, the chain starts again at the entry recorded below.
    const keptFrom = Number(kept!.n) > 0 ? Number(kept!.first_seq) : head.seq + 1
    const partitions = await queryRows<{ partition_id: string }>(
      this.wh.client,
      "SELECT DISTINCT partition_id FROM system.parts WHERE database = 'meta' AND table = 'audit' AND active AND partition_id < {p:String}",
      { p: cutoff.slice(0, 7).replace('-', '') },
    )
    for (const p of partitions) await this.wh.client.command({ query: `ALTER TABLE meta.audit DROP PARTITION ID '${p.partition_id.replace(/[^0-9]/g, '')}'` })
    this.recordService('kho', { endpoint: 'audit.retention', query: { kept_from_seq: keptFrom, before: cutoff, removed }, rowCount: removed })
    await this.flush()
    return removed
  }
}

async function chainHead(wh: Warehouse): Promise<{ seq: number; hash: string }> {
  const [row] = await queryRows<{ seq: string; hash: string }>(wh.client, 'SELECT seq, hash FROM meta.audit ORDER BY seq DESC LIMIT 1')
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: '' }
}

/** Where the chain may start when retention removed older entries: the anchor it recorded. */
async function retentionAnchor(wh: Warehouse, firstSeq: number): Promise<boolean> {
  const rows = await queryRows<{ query: string }>(wh.client, "SELECT query FROM meta.audit WHERE endpoint = 'audit.retention' AND seq > 0")
  return rows.some((r) => {
    try {
      return (JSON.parse(r.query) as { kept_from_seq?: number }).kept_from_seq === firstSeq
    } catch {
      return false
    }
  })
}

/**
 * Walks the log in sequence order and recomputes every hash: an edited entry no longer matches its
 * hash; a removed one leaves a gap in the sequence; an inserted or reordered one breaks the link to
 * the hash before it; an entry added or re-hashed without the key does not match its keyed hash;
 * a tail cut off falls short of the head written beside the key. Names the first entry that does
 * not hold. Reads in pages, so the log can be longer than memory.
 */
export async function verifyAuditChain(wh: Warehouse, seal: AuditSeal, opts: { pageSize?: number } = {}): Promise<ChainReport> {
  const pageSize = opts.pageSize ?? 50_000
  const [counts] = await queryRows<{ unchained: string; chained: string; first: string; last: string }>(
    wh.client,
    'SELECT countIf(seq = 0) AS unchained, countIf(seq > 0) AS chained, minIf(seq, seq > 0) AS first, max(seq) AS last FROM meta.audit',
  )
  const report: ChainReport = {
    entries: Number(counts!.unchained) + Number(counts!.chained),
    unchained: Number(counts!.unchained),
    firstSeq: Number(counts!.chained) > 0 ? Number(counts!.first) : null,
    lastSeq: Number(counts!.chained) > 0 ? Number(counts!.last) : null,
    ok: true,
    broken: null,
  }
  // The head the writer left beside the key after its last append.
  const written = readHead(seal)
  if (report.firstSeq === null) {
    const last = written
    return last && last.seq > 0 ? { ...report, ok: false, broken: { seq: 1, at: '', reason: `the log is empty but had ${last.seq} entries`, reasonVi: `nhật ký trống nhưng đã ghi ${last.seq} bản ghi` } } : report
  }
  const fail = (seq: number, at: string, reason: string, reasonVi: string) => ({ ...report, ok: false, broken: { seq, at, reason, reasonVi } })
  if (report.firstSeq > 1 && !(await retentionAnchor(wh, report.firstSeq))) {
    return fail(1, '', `entries 1–${report.firstSeq - 1} are missing and no retention run removed them`, `thiếu các bản ghi 1–${report.firstSeq - 1} mà không do lưu trữ có thời hạn xóa`)
  }
  let expectedSeq = report.firstSeq
  let prevHash: string | null = null
  let sealedFrom: number | null = null
  let hashAtHead: string | null = null
  for (let from = report.firstSeq; from <= report.lastSeq!; from += pageSize) {
    const rows = await queryRows<Omit<StoredEntry, 'at' | 'seq' | 'row_count' | 'duration_ms'> & { seq: string; at: string; at_text: string; row_count: string; duration_ms: string; hash: string }>(
      wh.client,
      `SELECT seq, toUnixTimestamp64Milli(at) AS at, toString(at) AS at_text, account, agency, role, via, purpose, client, endpoint, members, datasets,
              filters, query, row_count, duration_ms, outcome, reason, prev_hash, hash
       FROM meta.audit WHERE seq >= {from:UInt64} AND seq < {to:UInt64} ORDER BY seq, at`,
      { from, to: from + pageSize },
    )
    for (const r of rows) {
      const seq = Number(r.seq)
      if (seq < expectedSeq) return fail(seq, r.at_text, `entry ${seq} appears twice`, `bản ghi ${seq} xuất hiện hai lần`)
      if (seq > expectedSeq) return fail(expectedSeq, r.at_text, `entry ${expectedSeq} is missing (deleted)`, `thiếu bản ghi ${expectedSeq} (đã bị xóa)`)
      const entry: StoredEntry = { ...r, seq, at: Number(r.at), row_count: Number(r.row_count), duration_ms: Number(r.duration_ms) }
      if (prevHash !== null && r.prev_hash !== prevHash) return fail(seq, r.at_text, `entry ${seq} does not follow the entry before it`, `bản ghi ${seq} không nối tiếp bản ghi trước`)
      // Once entries are sealed, every later one must be: a plain hash after that was made without the key.
      const sealed = r.hash.startsWith(SEALED)
      if (sealed) sealedFrom ??= seq
      else if (sealedFrom !== null) return fail(seq, r.at_text, `entry ${seq} is not sealed with the log's key`, `bản ghi ${seq} không được ký bằng khóa của nhật ký`)
      if (entryHash(entry, sealed ? seal : null) !== r.hash) return fail(seq, r.at_text, `entry ${seq} was changed after it was written`, `bản ghi ${seq} đã bị sửa sau khi ghi`)
      if (written && seq === written.seq) hashAtHead = r.hash
      prevHash = r.hash
      expectedSeq = seq + 1
    }
  }
  // The chain cannot show its own end cut off; the head written beside the key can.
  if (written && written.seq > report.lastSeq!) {
    return fail(report.lastSeq! + 1, '', `entries after ${report.lastSeq} are missing (the log wrote up to ${written.seq})`, `thiếu các bản ghi sau ${report.lastSeq} (nhật ký đã ghi đến ${written.seq})`)
  }
  if (written && written.seq >= report.firstSeq && hashAtHead !== written.hash) {
    return fail(written.seq, '', `entry ${written.seq} is not the one the log wrote`, `bản ghi ${written.seq} không phải bản nhật ký đã ghi`)
  }
  if (!written && sealedFrom !== null) return fail(report.lastSeq!, '', "the chain's head written beside the key is missing", 'thiếu tệp đầu chuỗi ghi cạnh khóa')
  return report
}
