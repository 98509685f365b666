import type { FastifyRequest } from 'fastify'
import type { Warehouse } from '../warehouse/client.ts'

export interface AuditEntry {
  account: string
  role: string
  purpose: string
  client: string
  endpoint: string
  members: string[]
  filters: unknown
  query: unknown
  rowCount: number
  durationMs: number
  outcome: 'ok' | 'denied' | 'error'
  reason: string
}

/**
 * Writes audit entries to meta.audit (append-only) in small batches off the request path, so
 * logging every query costs a query next to nothing; flush() empties the queue (at shutdown).
 */
export class AuditLog {
  private queue: Record<string, unknown>[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly wh: Warehouse,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** An entry for one request: who is the caller the gate resolved; the rest as given. */
  recordRequest(req: FastifyRequest, e: Partial<AuditEntry> & Pick<AuditEntry, 'endpoint'>): void {
    this.record({
      account: req.caller.account,
      role: req.caller.role,
      purpose: req.caller.purpose,
      client: req.ip,
      members: [],
      filters: null,
      query: null,
      rowCount: 0,
      durationMs: 0,
      outcome: 'ok',
      reason: '',
      ...e,
    })
  }

  record(e: AuditEntry): void {
    this.queue.push({
      at: Date.now(),
      account: e.account,
      role: e.role,
      purpose: e.purpose,
      client: e.client,
      endpoint: e.endpoint,
      members: e.members,
      filters: JSON.stringify(e.filters),
      query: JSON.stringify(e.query),
      row_count: e.rowCount,
      duration_ms: Math.round(e.durationMs),
      outcome: e.outcome,
      reason: e.reason,
    })
    if (this.queue.length >= 200) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), 500)
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = this.queue.splice(0)
    if (batch.length > 0) {
      this.writing = this.writing
        .then(() => this.wh.client.insert({ table: 'meta.audit', values: batch, format: 'JSONEachRow' }))
        .then(
          () => undefined,
          (err: Error) => this.onError(err),
        )
    }
    return this.writing
  }
}
