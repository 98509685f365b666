import type { KhoConfig } from '../../../config.ts'
import { withClient } from '../client.ts'
import { fmt, UsageError, viaText, type CommandRun } from '../command-kit.ts'

interface SeedSummary {
  loads: Record<string, number>
  rowsLoaded: number
  durationMs: number
  defects: Record<string, number>
}

async function seedDemoVia(config: KhoConfig, scale: number, asOf: string | undefined) {
  return withClient(config, (client) => client.call<SeedSummary>('POST', '/api/admin/seed', { scale, ...(asOf ? { as_of: asOf } : {}) }))
}

/** kho seed … (see HELP in main.ts) */
export async function seedCommand(run: CommandRun): Promise<number> {
  const { config, values, out } = run
  if (!values.demo) throw new UsageError('kho seed cần --demo (chỉ dữ liệu mẫu được tạo bằng lệnh này) / kho seed needs --demo')
  const scale = values.scale === undefined ? config.demo.scale : Number(values.scale)
  if (!(scale > 0 && scale <= 100)) throw new UsageError(`--scale phải là số trong (0, 100] / --scale must be in (0, 100]: ${values.scale}`)
  const asOf = values['as-of']
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of có dạng YYYY-MM-DD')
  const r = await seedDemoVia(config, scale, asOf)
  out(r, () =>
    console.log(
      `Đã nạp dữ liệu mẫu (${viaText(r.via)}): ${fmt.format(r.loads.committed ?? 0)} tệp, ${fmt.format(r.rowsLoaded)} dòng, ` +
        `${fmt.format(r.loads.duplicate ?? 0)} tệp trùng bỏ qua, ${(r.durationMs / 1000).toFixed(1)} s`,
    ),
  )
  return 0
}
