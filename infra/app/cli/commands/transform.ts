import fs from 'node:fs'
import type { TransformOutcome } from '../../../../transforms/runner/coordinator.ts'
import type { SourceFreshness } from '../../../../transforms/runner/freshness.ts'
import type { Lineage } from '../../../../transforms/runner/lineage.ts'
import { withClient } from '../client.ts'
import { fmt, UsageError, type CommandRun } from '../command-kit.ts'

/** kho transform … (see HELP in main.ts) */
export async function transformCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const action = positionals[1]
  if (action === 'run' || action === 'test') {
    const options = { select: values.select ?? [], fullRefresh: values['full-refresh'] }
    // The same request either way: `test` only tests, `run` builds then tests.
    const r = await withClient(config, (client) =>
      action === 'test'
        ? client.call<TransformOutcome>('POST', '/api/admin/transform/test', { select: options.select })
        : client.call<TransformOutcome>('POST', '/api/admin/transform/run', { select: options.select, full_refresh: options.fullRefresh }),
    )
    out(r, () => {
      for (const m of r.run.results) console.log(`${m.status === 'success' ? 'OK ' : m.status === 'skipped' ? 'BỎ ' : 'LỖI'} ${m.model.padEnd(26)} ${fmt.format(m.rows).padStart(10)} dòng ${(m.durationMs / 1000).toFixed(2)} s ${m.error}`)
      const failing = r.tests.results.filter((t) => t.status !== 'pass')
      console.log(`Kiểm thử: ${r.tests.results.length - failing.length}/${r.tests.results.length} đạt`)
      for (const t of failing) console.log(`  ${t.status === 'fail' ? 'SAI' : 'LỖI'} ${t.model} ${t.test}: ${t.failures} dòng ${t.error}`)
    })
    const bad = r.run.results.some((m) => m.status !== 'success') || r.tests.results.some((t) => t.status !== 'pass')
    return bad ? 1 : 0
  }
  if (action === 'freshness' || action === 'docs') {
    const path_ = action === 'freshness' ? '/api/freshness' : '/api/lineage'
    const r = await withClient(config, async (client) => ({ data: await client.call<unknown>('GET', path_) }))
    if (values.out) fs.writeFileSync(values.out, JSON.stringify(r.data, null, 2))
    out(r.data, () => {
      if (action === 'freshness') {
        for (const f of r.data as SourceFreshness[]) console.log(`${f.status.padEnd(6)} ${f.dataset.padEnd(18)} ${f.ageDays ?? '—'} ngày (cảnh báo sau ${f.warnAfterDays}, lỗi sau ${f.errorAfterDays})`)
      } else {
        const l = r.data as Lineage
        for (const s of l.sources) console.log(`nguồn ${s.dataset} → ${s.feeds.join(', ')}`)
        for (const m of l.models) console.log(`${m.table} ← ${[...m.sources.map((x) => `source:${x}`), ...m.refs].join(', ')}`)
        for (const c of l.cubes) console.log(`view ${c.name} ← ${c.models.join(', ')}`)
        if (values.out) console.log(`Đã ghi ${values.out}`)
      }
    })
    return action === 'freshness' && (r.data as SourceFreshness[]).some((f) => f.status === 'error') ? 1 : 0
  }
  throw new UsageError('Cách dùng: kho transform run|test|freshness|docs')
}
