import type { KhoConfig } from '../../../config.ts'
import type { WarehouseStatus } from '../../../warehouse/status.ts'
import { withClient, type Via } from '../client.ts'
import { fmt, viaText, type CommandRun } from '../command-kit.ts'

async function status(config: KhoConfig) {
  return withClient(config, async (client) => {
    const h = await client.call<WarehouseStatus>('GET', '/healthz')
    return { engine: h.engine, version: h.version, cluster: h.cluster, schemaVersion: h.schemaVersion, tables: h.tables, loads: h.loads }
  })
}

function printStatus(s: WarehouseStatus & { via: Via }) {
  const lines = [
    `engine     ${s.engine} ${s.version}${s.cluster ? ` (cluster ${s.cluster})` : ''} — ${viaText(s.via)}`,
    `lược đồ    v${s.schemaVersion}`,
    `lần nạp    ${fmt.format(s.loads.committed)} đã ghi nhận, ${fmt.format(s.loads.refused)} bị từ chối, ${fmt.format(s.loads.failed)} lỗi`,
    'bảng',
    ...Object.entries(s.tables).map(([t, n]) => `  ${t.padEnd(28)} ${fmt.format(n).padStart(12)}`),
  ]
  console.log(lines.join('\n'))
}

/** kho status … (see HELP in main.ts) */
export async function statusCommand(run: CommandRun): Promise<number> {
  const { config, out } = run
  const s = await status(config)
  out(s, () => printStatus(s))
  return 0
}
