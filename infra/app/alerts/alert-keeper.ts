import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import { warehouseTime } from '../../warehouse/sql.ts'
import type { AlertRule, Firing } from './alert-rules.ts'
import type { Alert as SharedAlert } from '../../contracts/alert.ts'
import * as clock from '../../time/clock.ts'

/** An alert as stored and shown: a firing, from when it opened until its cause cleared. */
export type Alert = Omit<SharedAlert, 'rule' | 'severity' | 'notified'> & { rule: AlertRule; severity: Firing['severity']; notified: Record<string, unknown> }

export interface AlertEvent {
  kind: 'opened' | 'resolved'
  alert: Alert
}

/** How one event was sent, by channel: kept with the alert and shown on its page. */
export type Delivery = Record<string, unknown>

export interface AlertKeeperDeps {
  wh: Warehouse
  /** What the rules find now (and the rules that could not be checked). */
  find: (now: Date) => Promise<{ firing: Firing[]; unchecked: { rules: AlertRule[]; error: Error }[] }>
  /** Sends the events of one check; how each was sent, by alert id. */
  notify: (events: AlertEvent[]) => Promise<Map<string, Delivery>>
  now?: () => Date
  onError?: (err: Error) => void
}

const COLUMNS = `id, key, rule, severity, agency, title_vi, title_en, detail, toString(opened_at) AS opened_at,
  if(resolved_at IS NULL, NULL, toString(resolved_at)) AS resolved_at, notified`

type StoredAlert = Omit<Alert, 'detail' | 'notified'> & { detail: string; notified: string }

const parsed = (r: StoredAlert): Alert => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown>, notified: JSON.parse(r.notified || '{}') as Record<string, unknown> })

/**
 * Keeps meta.alerts in step with the rules: a firing with no open alert for its key opens one, an
 * open alert whose cause is no longer found is resolved, and both are sent (e-mail, webhook) once.
 * An alert still firing is left as it is: no repeat messages. Checks run one at a time.
 */
export class AlertKeeper {
  private running: Promise<{ opened: number; resolved: number }> | null = null
  private again = false
  /** Rules that could not be checked, with why: told once when it starts or changes, not every check. */
  private failing = new Map<string, string>()

  constructor(private readonly deps: AlertKeeperDeps) {}

  /** Checks the rules now; a check asked for while one runs runs once after it. */
  async check(): Promise<{ opened: number; resolved: number }> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        let result = await this.checkOnce()
        while (this.again) {
          this.again = false
          result = await this.checkOnce()
        }
        return result
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  /** Resolves when no check is running (the service waits for it before closing the warehouse). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined)
  }

  /** Alerts, newest first: open ones, resolved ones or both; for one agency or all (''). */
  async list(opts: { state: 'open' | 'resolved' | 'all'; agency: string; limit: number }): Promise<Alert[]> {
    const rows = await queryRows<StoredAlert>(
      this.deps.wh.client,
      `SELECT ${COLUMNS} FROM meta.alerts FINAL
       WHERE ({state:String} = 'all' OR (resolved_at IS NULL) = ({state:String} = 'open'))
         AND (empty({agency:String}) OR agency = {agency:String})
       ORDER BY opened_at DESC, id LIMIT {limit:UInt32}`,
      opts,
    )
    return rows.map(parsed)
  }

  private async checkOnce(): Promise<{ opened: number; resolved: number }> {
    const now = this.deps.now?.() ?? clock.now()
    const { firing, unchecked } = await this.deps.find(now)
    const failing = new Map(unchecked.map((u) => [u.rules.join(', '), u.error.message]))
    for (const [rules, message] of failing) {
      if (this.failing.get(rules) !== message) this.deps.onError?.(new Error(`alert rules ${rules} not checked: ${message}`))
    }
    this.failing = failing
    const notChecked = new Set(unchecked.flatMap((u) => u.rules))
    const open = await this.list({ state: 'open', agency: '', limit: 100_000 })
    const openKeys = new Set(open.map((a) => a.key))
    const firingKeys = new Set(firing.map((f) => f.key))
    const events: AlertEvent[] = [
      ...firing
        .filter((f) => !openKeys.has(f.key))
        .map((f): AlertEvent => ({
          kind: 'opened',
          alert: { id: `${f.key}@${now.toISOString()}`, key: f.key, rule: f.rule, severity: f.severity, agency: f.agency, title_vi: f.title.vi, title_en: f.title.en, detail: f.detail, opened_at: warehouseTime(now), resolved_at: null, notified: {} },
        })),
      ...open.filter((a) => !firingKeys.has(a.key) && !notChecked.has(a.rule)).map((a): AlertEvent => ({ kind: 'resolved', alert: { ...a, resolved_at: warehouseTime(now) } })),
    ]
    if (events.length === 0) return { opened: 0, resolved: 0 }
    // Sent before it is stored: a crash in between sends it again rather than never.
    const sent = await this.deps.notify(events)
    await this.deps.wh.client.insert({
      table: 'meta.alerts',
      values: events.map(({ kind, alert }) => ({
        ...alert,
        detail: JSON.stringify(alert.detail),
        notified: JSON.stringify({ ...alert.notified, [kind]: sent.get(alert.id) ?? {} }),
        updated_at: warehouseTime(now),
      })),
      format: 'JSONEachRow',
    })
    return { opened: events.filter((e) => e.kind === 'opened').length, resolved: events.filter((e) => e.kind === 'resolved').length }
  }
}
