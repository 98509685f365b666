import type { ChainReport } from '../../../contracts/audit.ts'
import { withClient } from '../client.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'

/** kho audit verify: whether the sharing log is whole; exit 1 naming the first broken entry if not. */
export async function auditCommand(run: CommandRun): Promise<number> {
  const { config, positionals, out } = run
  if (positionals[1] !== 'verify') throw new UsageError('Cách dùng: kho audit verify')
  const r = await withClient(config, (client) => client.call<ChainReport>('GET', '/api/audit/verify'))
  out(r, () => {
    if (r.ok) {
      console.log(`Nhật ký chia sẻ nguyên vẹn / the sharing log is whole: ${r.entries} bản ghi${r.lastSeq ? ` (chuỗi ${r.firstSeq}–${r.lastSeq})` : ''}`)
      if (r.unchained > 0) console.log(`  ${r.unchained} bản ghi trước khi có chuỗi băm không được kiểm / written before the chain began, not covered`)
    } else {
      console.log(`Nhật ký chia sẻ KHÔNG nguyên vẹn / the sharing log is NOT whole`)
      console.log(`  bản ghi ${r.broken!.seq}${r.broken!.at ? ` (${r.broken!.at} UTC)` : ''}: ${r.broken!.reasonVi} / ${r.broken!.reason}`)
    }
  })
  return r.ok ? 0 : 1
}
