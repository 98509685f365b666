import { createHmac } from 'node:crypto'
import type { SendMail } from '../../files/mailer.ts'
import { listAccounts } from '../../access/accounts.ts'
import type { Warehouse } from '../../warehouse/client.ts'
import type { AlertEvent, Delivery } from './alert-keeper.ts'
import { can, type Actor } from '../../access/permissions.ts'

export interface NotifyDeps {
  wh: Warehouse
  /** SMTP, when configured. */
  send: SendMail | null
  /** Where each event is posted as JSON, signed when a secret is set. */
  webhook: { url: string; secret: string | null } | null
  /** The page stewards open, linked from the e-mails. */
  pageUrl: string
  /** An agency's own mailbox from the catalogue (contact.email), told its agency's alerts too. */
  agencyEmail?: (agency: string) => string | undefined
  onError?: (err: Error) => void
  /** Waits between webhook attempts (tests shorten them). */
  retryDelaysMs?: number[]
}

export const SIGNATURE_HEADER = 'x-kho-signature'

/** Stewards and administrators hear of every alert; an agency's officers of their agency's. */
function concerns(account: Actor, event: AlertEvent): boolean {
  return can(account, 'oversee') || can(account, 'manage', event.alert.agency)
}

function mailText(events: AlertEvent[], pageUrl: string): { subject: string; text: string } {
  const opened = events.filter((e) => e.kind === 'opened').length
  const resolved = events.length - opened
  const subject = `[kho] ${opened} cảnh báo mới, ${resolved} đã hết / ${opened} new alert${opened === 1 ? '' : 's'}, ${resolved} resolved`
  const line = (e: AlertEvent) =>
    `${e.kind === 'opened' ? (e.alert.severity === 'critical' ? '[NGHIÊM TRỌNG / CRITICAL]' : '[CẢNH BÁO / WARNING]') : '[ĐÃ HẾT / RESOLVED]'} ${e.alert.title_vi}\n    ${e.alert.title_en}`
  const text = [
    'Kho dữ liệu số tỉnh — cảnh báo vận hành / operations alerts',
    '',
    ...events.map(line),
    '',
    `Xem và theo dõi / See them at: ${pageUrl}`,
  ].join('\n')
  return { subject, text }
}

async function postEvent(url: string, secret: string | null, body: string, delays: number[]): Promise<string> {
  let last = ''
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]))
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'kho-alerts' }
      if (secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
      await res.body?.cancel()
      if (res.ok) return `sent ${res.status}`
      last = `HTTP ${res.status}`
      // A receiver that refuses the request will refuse it again; only its failures are retried.
      if (res.status < 500 && res.status !== 429) break
    } catch (err) {
      last = (err as Error).message
    }
  }
  throw new Error(last)
}

/**
 * Sends one check's events: one e-mail per person concerned listing all of theirs, and one webhook
 * POST per event ({event, alert}), retried on a failure of the receiver's. Nothing here throws: how
 * each went is returned for the alert's record.
 */
export function alertNotifier(deps: NotifyDeps) {
  return async (events: AlertEvent[]): Promise<Map<string, Delivery>> => {
    const out = new Map<string, Delivery>(events.map((e) => [e.alert.id, {}]))
    const send = deps.send
    if (send) {
      /** One e-mail listing `theirs`; how it went is kept under `who` on each of those alerts. */
      const mail = async (address: string, who: string, theirs: AlertEvent[]) => {
        const { subject, text } = mailText(theirs, deps.pageUrl)
        let outcome = 'sent'
        try {
          await send({ to: [address], subject, text })
        } catch (err) {
          outcome = `failed: ${(err as Error).message}`
          deps.onError?.(err as Error)
        }
        for (const e of theirs) {
          const d = out.get(e.alert.id)!
          d.email = { ...(d.email as object), [who]: outcome }
        }
      }
      const accounts = (await listAccounts(deps.wh)).filter((a) => !a.disabled && a.email)
      for (const account of accounts) {
        const theirs = events.filter((e) => concerns(account, e))
        if (theirs.length > 0) await mail(account.email, account.username, theirs)
      }
      // The agency's mailbox, so an agency with no officer account holding an address still hears.
      const told = new Set(accounts.map((a) => a.email.toLowerCase()))
      for (const agency of new Set(events.map((e) => e.alert.agency).filter(Boolean))) {
        const address = deps.agencyEmail?.(agency)
        if (address && !told.has(address.toLowerCase())) await mail(address, `agency:${agency}`, events.filter((e) => e.alert.agency === agency))
      }
    }
    if (deps.webhook) {
      for (const e of events) {
        const body = JSON.stringify({ source: 'kho', event: e.kind, alert: e.alert })
        try {
          out.get(e.alert.id)!.webhook = await postEvent(deps.webhook.url, deps.webhook.secret, body, deps.retryDelaysMs ?? [1_000, 5_000])
        } catch (err) {
          out.get(e.alert.id)!.webhook = `failed: ${(err as Error).message}`
          deps.onError?.(new Error(`alert webhook at ${new URL(deps.webhook.url).origin}: ${(err as Error).message}`))
        }
      }
    }
    return out
  }
}
