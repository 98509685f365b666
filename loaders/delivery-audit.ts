import type { AuditEntry } from '../infra/access/audit-log.ts'
import { reasonText } from '../infra/contracts/audit-words.ts'
import type { Channel, LoadReport } from './load-report.ts'

/**
 * A delivery as the sharing log keeps it: who (the entry's account is delivered_by), for which
 * agency and dataset, through which channel, the load it became with its file and hash, how many
 * rows, and how it ended — a refusal with its reason, in both languages.
 */
export function deliveryEntry(report: LoadReport, channel: Channel): Partial<AuditEntry> & Pick<AuditEntry, 'endpoint'> {
  return {
    endpoint: 'delivery',
    // Who: the entry's account (delivered_by); no role of its own (an account's, a key's or a folder's).
    role: '',
    agency: report.agency,
    via: channel,
    datasets: [report.dataset],
    query: { load_id: report.loadId, source: report.source, sha256: report.sha256, status: report.status, rows_read: report.rowsRead, rows_rejected: report.rowsRejected },
    rowCount: report.rowsLoaded,
    durationMs: report.durationMs,
    outcome: report.status === 'committed' || report.status === 'duplicate' ? 'ok' : 'error',
    reason: report.refusal ? reasonText(report.refusal.vi, report.refusal.en) : report.status === 'duplicate' ? 'duplicate' : '',
  }
}
