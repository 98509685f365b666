import fs from 'node:fs'
import path from 'node:path'
import { loadCatalog } from '../../../catalog/load-catalog.ts'
import { loadBriefings } from '../../../../dashboards/briefings/briefing-definition.ts'
import { periodForRule, periodFromCode } from '../../../../dashboards/briefings/briefing-period.ts'
import { withClient } from '../client.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'
import * as clock from '../../../time/clock.ts'

/** kho briefing … (see HELP in main.ts) */
export async function briefingCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const catalog = loadCatalog()
  const briefings = loadBriefings(catalog)
  if (positionals[1] === 'list') {
    const list = briefings.map((b) => ({ id: b.id, name: b.name, schedule: b.schedule, period: b.period, sheets: b.sheets.map((s) => s.kind) }))
    out(list, () => list.forEach((b) => console.log(`${b.id}\t${b.schedule}\t${b.period}\t${b.name}`)))
    return 0
  }
  const id = positionals[2]
  if (positionals[1] !== 'run' || !id || !values.out) throw new UsageError('Cách dùng: kho briefing run <id> [--period 2026-Q3] --out <tệp.xlsx> | kho briefing list')
  const briefing = briefings.find((b) => b.id === id)
  if (!briefing) throw new UsageError(`Không có báo cáo "${id}"; có: ${briefings.map((b) => b.id).join(', ')}`)
  const period = values.period ? periodFromCode(values.period) : periodForRule(briefing.period, clock.now())
  if (!period) throw new UsageError(`--period "${values.period}" không hợp lệ; dùng 2026-10, 2026-Q3 hoặc 2026`)
  const target = path.resolve(values.out)
  const r = await withClient(config, async (client) => {
    const built = await client.call<{ file: string }>('POST', `/api/briefings/${encodeURIComponent(id)}/run`, { period: period.code })
    fs.copyFileSync(built.file, target)
    return { period: period.code, file: target }
  })
  out(r, () => console.log(`Đã lập ${briefing.name} — ${period.label}: ${r.file}`))
  return 0
}
