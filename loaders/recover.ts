import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { quoteIdent } from '../infra/warehouse/sql.ts'
import { deleteLoadRows, dropTable } from './write-raw.ts'
import * as clock from '../infra/time/clock.ts'

/**
 * Marks loads that were started before `before` and never finished (the process died) as failed,
 * deletes whatever rows they wrote to raw (never visible: readers only see committed loads) and
 * drops their input tables. Returns the ids of the loads it closed.
 */
export async function recoverInterruptedLoads(wh: Warehouse, before: Date): Promise<string[]> {
  const stale = await queryRows<Record<string, unknown> & { load_id: string }>(
    wh.client,
    `SELECT * EXCEPT updated_at FROM meta.loads FINAL WHERE status = 'started' AND started_at < fromUnixTimestamp64Milli({before:Int64})`,
    { before: before.getTime() },
  )
  if (stale.length > 0) {
    await wh.client.insert({
      table: 'meta.loads',
      values: stale.map((l) => ({
        ...l,
        status: 'failed',
        message: 'interrupted: the process stopped before the load committed; deliver the file again',
        finished_at: clock.nowMs(),
        updated_at: Date.now(),
      })),
      format: 'JSONEachRow',
    })
  }
  // Their rows were never visible; a load that did not commit leaves nothing in raw.
  for (const l of stale) await deleteLoadRows(wh, { id: String(l.dataset) }, l.load_id).catch(() => undefined)
  // Input tables of loads no longer running (also the staging tables of kho before 2026-11).
  const inputs = await queryRows<{ name: string }>(
    wh.client,
    "SELECT name FROM system.tables WHERE database = 'raw' AND (startsWith(name, '__input_') OR startsWith(name, '__stage_'))",
  )
  const live = await queryRows<{ id: string }>(wh.client, "SELECT replaceAll(load_id, '-', '') AS id FROM meta.loads FINAL WHERE status = 'started'")
  const liveIds = new Set(live.map((l) => l.id))
  for (const { name } of inputs) {
    const id = name.replace(/^__(input|stage)_/, '').replace(/_input$/, '')
    if (!liveIds.has(id)) await dropTable(wh, `raw.${quoteIdent(name)}`)
  }
  return stale.map((l) => l.load_id)
}

/**
 * Loads started before this instant (kho's clock, as their start was stamped) belong to a dead process. The embedded engine admits one
 * process, so every unfinished load is dead; a shared server may have other kho processes loading.
 */
export function interruptedBefore(wh: Warehouse, now = clock.now()): Date {
  return wh.engine === 'chdb' ? now : new Date(now.getTime() - 6 * 3600_000)
}
