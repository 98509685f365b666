import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { LoadReport } from '../../../../loaders/load-file.ts'
import type { KhoConfig } from '../../../config.ts'
import { withClient } from '../client.ts'
import { fmt, UsageError, type CommandRun } from '../command-kit.ts'

async function loadVia(config: KhoConfig, file: string, dataset: string, agency: string, sheet: string | undefined) {
  return withClient(config, async (client) => {
    const form = new FormData()
    form.set('dataset', dataset)
    form.set('agency', agency)
    if (sheet) form.set('sheet', sheet)
    // Who ran the command: the service records the delivery as theirs (delivered_by cli:<user>).
    form.set('os_user', os.userInfo().username)
    form.set('file', await fs.openAsBlob(file), path.basename(file))
    return client.call<LoadReport>('POST', '/api/loads', form, [200, 422])
  })
}

function printLoadReport(r: LoadReport) {
  const verdict = { committed: 'ĐÃ NHẬN', duplicate: 'TRÙNG, BỎ QUA', refused: 'BỊ TỪ CHỐI', failed: 'LỖI' }[r.status]
  const lines = [
    `${verdict}: ${r.source} → ${r.dataset} (${r.agency}), lần nạp ${r.loadId}`,
    `  ${fmt.format(r.rowsRead)} dòng đọc, ${fmt.format(r.rowsLoaded)} dòng nạp, ${fmt.format(r.rowsRejected)} dòng bị từ chối (${(r.durationMs / 1000).toFixed(1)} s)`,
  ]
  if (r.refusal) lines.push(`  Lý do: ${r.refusal.vi}`)
  for (const w of r.warnings) lines.push(`  Lưu ý: ${w.vi}`)
  for (const x of r.rejects.slice(0, 20)) lines.push(`  dòng ${x.row}, cột ${x.column}: ${x.vi}`)
  if (r.rowsRejected > 20) lines.push(`  … và ${fmt.format(r.rowsRejected - 20)} dòng khác (kho load --json để xem tất cả trong báo cáo)`)
  console.log(lines.join('\n'))
}

/** kho load … (see HELP in main.ts) */
export async function loadCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const file = positionals[1]
  if (!file || !values.dataset || !values.agency) throw new UsageError('Cách dùng: kho load <tệp> --dataset <id> --agency <mã>')
  if (!fs.existsSync(file)) throw new UsageError(`Không có tệp ${file} / no such file`)
  const r = await loadVia(config, path.resolve(file), values.dataset, values.agency, values.sheet)
  out(r, () => printLoadReport(r))
  return r.status === 'refused' ? 2 : r.status === 'failed' ? 1 : 0
}
