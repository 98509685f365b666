import { parseArgs } from 'node:util'
import { CatalogError } from '../../catalog/load-catalog.ts'
import { ConfigError, loadConfig } from '../../config.ts'
import { UsageError, type CommandRun } from './command-kit.ts'
import { statusCommand } from './commands/status.ts'
import { migrateCommand } from './commands/migrate.ts'
import { seedCommand } from './commands/seed.ts'
import { loadCommand } from './commands/load.ts'
import { apikeyCommand } from './commands/api-key.ts'
import { transformCommand } from './commands/transform.ts'
import { templateCommand } from './commands/template.ts'
import { backupCommand } from './commands/backup.ts'
import { briefingCommand } from './commands/briefing.ts'
import { auditCommand } from './commands/audit.ts'
import { keysCommand } from './commands/keys.ts'

const HELP = `kho — Kho dữ liệu số tỉnh (provincial data warehouse)

Cách dùng / usage: kho <lệnh> [tùy chọn]

Lệnh / commands:
  status                      tình trạng kho: engine, lược đồ, số dòng mỗi bảng
  migrate                     áp dụng các migration còn thiếu (idempotent)
  seed --demo [--scale N]     tạo và nạp dữ liệu mẫu tỉnh Bắc Ninh (N × 200.000 công dân)
       [--as-of YYYY-MM-DD]   ngày chốt dữ liệu mẫu (mặc định: hôm nay)
  load <tệp> --dataset <id> --agency <mã> [--sheet <tên>]
                              nạp một tệp (XLSX, CSV, TSV, JSON, XML); mã thoát 0 = nhận, 2 = bị từ chối
  apikey create --agency <mã> [--label <ghi chú>] | apikey revoke <mã khóa>
                              cấp / thu hồi khóa cho API đẩy dữ liệu (POST /api/datasets/<id>/records)
  transform run [--select <chọn>]… [--full-refresh]
                              dựng các mô hình (std, marts) rồi chạy kiểm thử; chọn: tên, tên+, +tên, tag:x
  transform test | freshness | docs [--out <tệp.json>]
                              kiểm thử dữ liệu | độ mới của nguồn | phả hệ nguồn → mô hình
  template <dataset> --out <tệp.xlsx>
                              tạo mẫu Excel để cơ quan điền và nộp
  briefing run <id> [--period 2026-Q3] --out <tệp.xlsx>
                              lập báo cáo định kỳ (Excel) cho một kỳ; mặc định kỳ đầy đủ gần nhất
  briefing list               các báo cáo định kỳ và lịch chạy
  backup create | list        sao lưu toàn bộ kho (bảng, tổng kiểm, tệp gốc) | các bản sao lưu
  backup restore <mã | tệp .kho-backup> --home <thư mục mới>
                              khôi phục vào thư mục mới và đối chiếu số dòng, tổng kiểm từng bảng
  keys list | rotate | reseal  khóa mã hóa dữ liệu lưu trữ (tệp gốc, tài liệu, sao lưu, kho): số tệp mỗi
                              khóa | tạo khóa mới làm khóa hiện hành | mã hóa lại tệp cũ bằng khóa hiện hành
  audit verify                kiểm nhật ký chia sẻ (chuỗi băm) còn nguyên vẹn; mã thoát 1 và tên
                              bản ghi hỏng đầu tiên nếu không / whether the sharing log is whole

Tùy chọn chung / common options:
  --json                      in kết quả dạng JSON cho script
  -h, --help                  trợ giúp

Khi dịch vụ đang chạy (npm start), lệnh được gửi qua API của dịch vụ; nếu không, lệnh tự mở kho.
Cấu hình qua biến môi trường: KHO_HOME, KHO_DATA_DIR, CLICKHOUSE_URL, … (xem README.md).
`

/** One file per command under commands/; each reaches kho through the same client (client.ts). */
const COMMANDS: Record<string, (run: CommandRun) => Promise<number>> = {
  status: statusCommand,
  migrate: migrateCommand,
  seed: seedCommand,
  load: loadCommand,
  apikey: apikeyCommand,
  transform: transformCommand,
  template: templateCommand,
  backup: backupCommand,
  briefing: briefingCommand,
  audit: auditCommand,
  keys: keysCommand,
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      demo: { type: 'boolean', default: false },
      scale: { type: 'string' },
      'as-of': { type: 'string' },
      dataset: { type: 'string' },
      sheet: { type: 'string' },
      out: { type: 'string' },
      label: { type: 'string' },
      select: { type: 'string', multiple: true },
      'full-refresh': { type: 'boolean', default: false },
      agency: { type: 'string' },
      period: { type: 'string' },
      home: { type: 'string' },
    },
  })
  const [command] = positionals
  if (values.help || !command) {
    console.log(HELP)
    return command || values.help ? 0 : 2
  }
  const config = loadConfig()
  const out = (result: unknown, human: () => void) => (values.json ? console.log(JSON.stringify(result, null, 2)) : human())

  const run = COMMANDS[command]
  if (!run) throw new UsageError(`Không có lệnh "${command}" / unknown command. Xem kho --help`)
  return run({ config, values, positionals, out })
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  if (err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
    console.error((err as Error).message)
    process.exitCode = 2
  } else {
    console.error(err instanceof CatalogError || err instanceof ConfigError ? err.message : `kho: ${(err as Error).message}`)
    process.exitCode = 1
  }
}
