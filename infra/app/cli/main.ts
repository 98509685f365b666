import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { LoadReport } from '../../../loaders/load-file.ts'
import { CatalogError, loadCatalog } from '../../catalog/load-catalog.ts'
import { datasetTemplate } from '../../../loaders/template.ts'
import type { TransformOutcome } from '../../../transforms/runner/coordinator.ts'
import type { SourceFreshness } from '../../../transforms/runner/freshness.ts'
import type { Lineage } from '../../../transforms/runner/lineage.ts'
import { loadBriefings } from '../../../dashboards/briefings/briefing-definition.ts'
import { periodForRule, periodFromCode } from '../../../dashboards/briefings/briefing-period.ts'
import type { IssuedKey } from '../../access/push-keys.ts'
import { ConfigError, loadConfig, pathsUnder, type KhoConfig } from '../../config.ts'
import type { MigrationResult } from '../../warehouse/migrate.ts'
import type { WarehouseStatus } from '../../warehouse/status.ts'
import { listBackups, restoreBackup, type BackupManifest } from '../backup/backup.ts'
import { openWarehouse } from '../../warehouse/client.ts'
import { readServiceFile } from '../service/service-file.ts'
import { withClient, type Via } from './client.ts'

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
  backup restore <mã> --home <thư mục mới>
                              khôi phục vào thư mục mới và đối chiếu số dòng, tổng kiểm từng bảng

Tùy chọn chung / common options:
  --json                      in kết quả dạng JSON cho script
  -h, --help                  trợ giúp

Khi dịch vụ đang chạy (npm start), lệnh được gửi qua API của dịch vụ; nếu không, lệnh tự mở kho.
Cấu hình qua biến môi trường: KHO_HOME, KHO_DATA_DIR, CLICKHOUSE_URL, … (xem README.md).
`

class UsageError extends Error {}

const fmt = new Intl.NumberFormat('vi-VN')

function viaText(via: Via): string {
  return via.via === 'service' ? `qua dịch vụ ${via.url}` : `mở trực tiếp ${via.dataDir ?? 'máy chủ ClickHouse'}`
}

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

async function migrateCommand(config: KhoConfig) {
  return withClient(config, (client) => client.call<MigrationResult>('POST', '/api/admin/migrate'))
}

interface SeedSummary {
  loads: Record<string, number>
  rowsLoaded: number
  durationMs: number
  defects: Record<string, number>
}

async function seedCommand(config: KhoConfig, scale: number, asOf: string | undefined) {
  return withClient(config, (client) => client.call<SeedSummary>('POST', '/api/admin/seed', { scale, ...(asOf ? { as_of: asOf } : {}) }))
}

async function loadCommand(config: KhoConfig, file: string, dataset: string, agency: string, sheet: string | undefined) {
  return withClient(config, async (client) => {
    const form = new FormData()
    form.set('dataset', dataset)
    form.set('agency', agency)
    if (sheet) form.set('sheet', sheet)
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

  switch (command) {
    case 'status': {
      const s = await status(config)
      out(s, () => printStatus(s))
      return 0
    }
    case 'migrate': {
      const r = await migrateCommand(config)
      out(r, () =>
        console.log(
          r.applied.length === 0
            ? `Lược đồ đã ở v${r.version}; không có gì để áp dụng (${viaText(r.via)})`
            : r.applied.map((a) => `áp dụng v${a.version} ${a.name} (${a.durationMs} ms)`).join('\n') + `\nLược đồ v${r.version}`,
        ),
      )
      return 0
    }
    case 'seed': {
      if (!values.demo) throw new UsageError('kho seed cần --demo (chỉ dữ liệu mẫu được tạo bằng lệnh này) / kho seed needs --demo')
      const scale = values.scale === undefined ? config.demo.scale : Number(values.scale)
      if (!(scale > 0 && scale <= 100)) throw new UsageError(`--scale phải là số trong (0, 100] / --scale must be in (0, 100]: ${values.scale}`)
      const asOf = values['as-of']
      if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of có dạng YYYY-MM-DD')
      const r = await seedCommand(config, scale, asOf)
      out(r, () =>
        console.log(
          `Đã nạp dữ liệu mẫu (${viaText(r.via)}): ${fmt.format(r.loads.committed ?? 0)} tệp, ${fmt.format(r.rowsLoaded)} dòng, ` +
            `${fmt.format(r.loads.duplicate ?? 0)} tệp trùng bỏ qua, ${(r.durationMs / 1000).toFixed(1)} s`,
        ),
      )
      return 0
    }
    case 'load': {
      const file = positionals[1]
      if (!file || !values.dataset || !values.agency) throw new UsageError('Cách dùng: kho load <tệp> --dataset <id> --agency <mã>')
      if (!fs.existsSync(file)) throw new UsageError(`Không có tệp ${file} / no such file`)
      const r = await loadCommand(config, path.resolve(file), values.dataset, values.agency, values.sheet)
      out(r, () => printLoadReport(r))
      return r.status === 'refused' ? 2 : r.status === 'failed' ? 1 : 0
    }
    case 'apikey': {
      const action = positionals[1]
      if (action === 'create' && values.agency) {
        const body = { agency: values.agency, label: values.label ?? '' }
        const r = await withClient(config, (client) => client.call<IssuedKey>('POST', '/api/admin/api-keys', body))
        out(r, () => console.log(`Khóa API cho ${r.agency} (mã ${r.keyId}); chỉ hiện một lần, hãy lưu lại:\n${r.key}`))
        return 0
      }
      if (action === 'revoke' && positionals[2]) {
        const keyId = positionals[2]
        const r = await withClient(config, (client) => client.call<{ revoked: boolean }>('DELETE', `/api/admin/api-keys/${encodeURIComponent(keyId)}`, undefined, [200, 404]))
        out(r, () => console.log(r.revoked ? `Đã thu hồi khóa ${keyId}` : `Không có khóa ${keyId}`))
        return r.revoked ? 0 : 1
      }
      throw new UsageError('Cách dùng: kho apikey create --agency <mã> [--label …] | kho apikey revoke <mã khóa>')
    }
    case 'transform': {
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
    case 'template': {
      const id = positionals[1]
      if (!id || !values.out) throw new UsageError('Cách dùng: kho template <dataset> --out <tệp.xlsx>')
      const catalog = loadCatalog()
      const dataset = catalog.dataset(id)
      if (!dataset) throw new UsageError(`Không có bộ dữ liệu "${id}"; có: ${catalog.datasets.map((d) => d.id).join(', ')}`)
      fs.writeFileSync(values.out, await datasetTemplate(catalog, dataset))
      out({ dataset: id, file: path.resolve(values.out) }, () => console.log(`Đã tạo mẫu ${values.out} cho bộ dữ liệu ${dataset.name}`))
      return 0
    }
    case 'backup': {
      const action = positionals[1]
      if (action === 'list') {
        const list = listBackups(config.paths.backups)
        out(list, () => list.forEach((b) => console.log(`${b.id}\t${b.tables.length} bảng\t${fmt.format(b.bytes)} byte\t${b.archive_files} tệp gốc`)))
        return 0
      }
      if (action === 'create') {
        const m = await withClient(config, (client) => client.call<BackupManifest>('POST', '/api/admin/backups'))
        out(m, () => console.log(`Đã sao lưu ${m.id}: ${m.tables.length} bảng, ${fmt.format(m.bytes)} byte, ${m.archive_files} tệp gốc (${viaText(m.via)})`))
        return 0
      }
      const id = positionals[2]
      if (action === 'restore' && id && values.home) {
        const target = path.resolve(values.home)
        if (readServiceFile(target)) throw new UsageError(`Dịch vụ đang chạy trên ${target}; khôi phục vào thư mục mới / the service runs on ${target}`)
        const wh = openWarehouse({ kind: 'chdb', dataDir: path.join(target, 'warehouse') })
        try {
          const r = await restoreBackup(wh, path.join(config.paths.backups, id), pathsUnder(target).archive)
          out(r, () => console.log(`Đã khôi phục ${r.id} vào ${target}: ${r.tables.length} bảng khớp số dòng và tổng kiểm, ${r.archive_files} tệp gốc`))
        } finally {
          await wh.close()
        }
        return 0
      }
      throw new UsageError('Cách dùng: kho backup create | kho backup list | kho backup restore <mã> --home <thư mục mới>')
    }
    case 'briefing': {
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
      const period = values.period ? periodFromCode(values.period) : periodForRule(briefing.period, new Date())
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
    default:
      throw new UsageError(`Không có lệnh "${command}" / unknown command. Xem kho --help`)
  }
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
