import type { KhoConfig } from '../../../config.ts'
import type { MigrationResult } from '../../../warehouse/migrate.ts'
import { withClient } from '../client.ts'
import { viaText, type CommandRun } from '../command-kit.ts'

async function migrateVia(config: KhoConfig) {
  return withClient(config, (client) => client.call<MigrationResult>('POST', '/api/admin/migrate'))
}

/** kho migrate … (see HELP in main.ts) */
export async function migrateCommand(run: CommandRun): Promise<number> {
  const { config, out } = run
  const r = await migrateVia(config)
  out(r, () =>
    console.log(
      r.applied.length === 0
        ? `Lược đồ đã ở v${r.version}; không có gì để áp dụng (${viaText(r.via)})`
        : r.applied.map((a) => `áp dụng v${a.version} ${a.name} (${a.durationMs} ms)`).join('\n') + `\nLược đồ v${r.version}`,
    ),
  )
  return 0
}
