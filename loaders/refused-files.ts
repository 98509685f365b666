import fs from 'node:fs'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { archivePath } from './archive.ts'
import * as clock from '../infra/time/clock.ts'

/**
 * Refused files are kept for the audit trail, but not without bound: an officer could otherwise
 * grow the disk by the upload limit with every refused file. Per agency, refused files are kept
 * for `retentionDays` and up to `quotaBytes`; beyond either, the oldest go first. A file any load
 * committed (or is still loading) is never removed; the load history and the rejected rows stay.
 */
export interface RefusedFilesPolicy {
  quotaBytes: number
  retentionDays: number
}

export interface PruneResult {
  removed: number
  bytes: number
  /** Files removed per agency. */
  byAgency: Record<string, number>
}

export async function pruneRefusedFiles(wh: Warehouse, archiveDir: string, policy: RefusedFilesPolicy, now = clock.now()): Promise<PruneResult> {
  const refusedOnly = await queryRows<{ sha256: string; agency: string; last: string }>(
    wh.client,
    `SELECT sha256, any(agency) AS agency, toUnixTimestamp64Milli(max(delivered_at)) AS last
     FROM meta.loads FINAL WHERE sha256 != ''
     GROUP BY sha256 HAVING countIf(status != 'refused') = 0
     ORDER BY agency, last DESC, sha256`,
  )
  const oldest = now.getTime() - policy.retentionDays * 86_400_000
  const kept = new Map<string, number>()
  const result: PruneResult = { removed: 0, bytes: 0, byAgency: {} }
  for (const f of refusedOnly) {
    const file = archivePath(archiveDir, f.sha256)
    let size: number
    try {
      size = fs.statSync(file).size
    } catch {
      continue // already gone
    }
    const used = kept.get(f.agency) ?? 0
    // Newest first: a file stays while it is young enough and fits in what the agency has left.
    if (Number(f.last) >= oldest && used + size <= policy.quotaBytes) {
      kept.set(f.agency, used + size)
      continue
    }
    fs.rmSync(file, { force: true })
    result.removed++
    result.bytes += size
    result.byAgency[f.agency] = (result.byAgency[f.agency] ?? 0) + 1
  }
  return result
}
