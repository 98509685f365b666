/**
 * npm run bench:upload-memory — how much memory one upload of the largest accepted size takes, per
 * format: a 512 MB CSV, JSON and XML citizen register (KHO_UPLOAD_MAX_MB's default) and the
 * largest .xlsx kho reads — its table of texts just under the 64 MB limit (≈ 930,000 rows with a new
 * CCCD and name each, near Excel's own 1,048,576 rows a sheet) — loaded into dan_cu with every
 * check, as an upload is.
 *
 * Each format loads in a process of its own (a heap grown by one load would hide the next one's):
 * first a 16 MB file of the same shape — the baseline — then the big one. The figure is the peak
 * RSS above the process's RSS once the warehouse was open; `ratio` is the big file's growth over
 * the baseline's. Bounded memory means a ratio near 1 (the file is 32× larger), whatever the size.
 *
 *   BENCH_UPLOAD_MB=512  size of the CSV, JSON and XML files (MB)
 *   BENCH_XLSX_MB=330    the .xlsx's expanded size (MB)
 *   BENCH_FORMATS=csv,json,xml,xlsx
 *   BENCH_NODE_FLAGS=…  flags for the loading process (e.g. --max-old-space-size=512: is the growth garbage?)
 *
 * Last line: RESULT {"csv": {...}, "json": {...}, "xml": {...}, "xlsx": {...}, "worst_ratio"}
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import { keptUnder } from '../infra/files/sealed-file.ts'

const MB = 1024 * 1024
const here = fileURLToPath(import.meta.url)
type Format = 'csv' | 'json' | 'xml' | 'xlsx'

const COMMUNES = ['07210', '07228', '07246', '09301', '09295', '09253']
/** One resident, the same fields in every format; ~0.5% with a malformed CCCD so rejects have work. */
function resident(n: number) {
  return {
    cccd: n % 200 === 7 ? `27090${String(n % 1e6).padStart(6, '0')}` : `0${n % 2 ? '27' : '24'}${n % 2 ? '1' : '0'}9${n % 10}${String(n % 1e6).padStart(6, '0')}`,
    ho_ten: `Nguyễn Văn An ${n}`,
    ngay_sinh: `${String((n % 28) + 1).padStart(2, '0')}/0${(n % 9) + 1}/199${n % 10}`,
    gioi_tinh: n % 2 ? 'Nữ' : 'Nam',
    ma_xa: COMMUNES[n % 6]!,
    dia_chi: `Thôn ${n % 20}, xã Xuân Lương, tỉnh Bắc Ninh`,
    ngay_cap_nhat: '01/10/2026',
  }
}
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** Writes records until the file reaches `bytes`; returns the number of records. */
function writeText(file: string, format: Exclude<Format, 'xlsx'>, bytes: number): number {
  const fd = fs.openSync(file, 'w')
  const open = { csv: 'cccd,ho_ten,ngay_sinh,gioi_tinh,ma_xa,dia_chi,ngay_cap_nhat\n', json: '[\n', xml: '<?xml version="1.0" encoding="UTF-8"?>\n<danh_sach>\n' }[format]
  const close = { csv: '', json: ']\n', xml: '</danh_sach>\n' }[format]
  let written = Buffer.byteLength(open)
  let buf = open
  let n = 0
  while (written < bytes - close.length - 512) {
    const r = resident(n)
    const line =
      format === 'csv'
        ? `${r.cccd},${r.ho_ten},${r.ngay_sinh},${r.gioi_tinh},${r.ma_xa},"${r.dia_chi}",${r.ngay_cap_nhat}\n`
        : format === 'json'
          ? `${n ? ',' : ''}${JSON.stringify(r)}\n`
          : `<cong_dan>${Object.entries(r).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('')}</cong_dan>\n`
    buf += line
    written += Buffer.byteLength(line)
    n++
    if (buf.length > MB) {
      fs.writeSync(fd, buf)
      buf = ''
    }
  }
  fs.writeSync(fd, buf + close)
  fs.closeSync(fd)
  return n
}

/** An .xlsx as Excel writes one (shared strings), until its sheet and strings expand to about `bytes`. */
async function writeXlsx(file: string, bytes: number): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false })
  const ws = wb.addWorksheet('Dân cư')
  ws.addRow(['cccd', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa', 'dia_chi', 'ngay_cap_nhat']).commit()
  // A row expands to ≈ 356–375 bytes (sheet XML with shared-string references, plus its strings: every
  // CCCD and name is new); measured on 100k rows, with room so the file stays under the guard.
  const perRow = 380
  let n = 0
  for (; n * perRow < bytes; n++) {
    const r = resident(n)
    ws.addRow([r.cccd, r.ho_ten, r.ngay_sinh, r.gioi_tinh, r.ma_xa, r.dia_chi, r.ngay_cap_nhat]).commit()
  }
  ws.commit()
  await wb.commit()
  return n
}

interface Measured {
  file_mb: number
  rows: number
  status: string
  seconds: number
  rows_per_s: number
  /** Peak RSS above the process's RSS with the warehouse open. */
  growth_mb: number
}

/** In a process of its own: open a warehouse, load the baseline file and then the big one, report both. */
async function child(format: Format, small: string, big: string) {
  const { loadCatalog } = await import('../infra/catalog/load-catalog.ts')
  const { openSyncedWarehouse, tempDir } = await import('../infra/testing/temp-warehouse.ts')
  const { loadFile } = await import('../loaders/load-file.ts')
  const catalog = loadCatalog()
  const wh = await openSyncedWarehouse(catalog)
  const home = tempDir('kho-bench-upload-')
  const measure = async (file: string): Promise<Measured> => {
    globalThis.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
    const started = performance.now()
    const r = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'dan_cu', agency: 'CA_TINH', channel: 'file' }).finally(() => clearInterval(sampler))
    const seconds = (performance.now() - started) / 1000
    const rows = r.rowsLoaded + r.rowsRejected
    return { file_mb: Math.round(fs.statSync(file).size / MB), rows, status: r.status, seconds: Number(seconds.toFixed(1)), rows_per_s: Math.round(rows / seconds), growth_mb: Math.round((peak - before) / MB) }
  }
  const baseline = await measure(small)
  const large = await measure(big)
  await wh.dispose()
  process.stdout.write(`CHILD ${JSON.stringify({ format, baseline, large })}\n`)
}

async function main() {
  const formats = (process.env.BENCH_FORMATS ?? 'csv,json,xml,xlsx').split(',') as Format[]
  const uploadMb = Number(process.env.BENCH_UPLOAD_MB ?? 512)
  const xlsxMb = Number(process.env.BENCH_XLSX_MB ?? 330)
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'kho-upload-memory-'))
  const results: Record<string, { big: Measured; baseline: Measured; ratio: number }> = {}
  try {
    for (const format of formats) {
      const small = path.join(dir, `nho.${format}`)
      const big = path.join(dir, `lon.${format}`)
      const started = performance.now()
      if (format === 'xlsx') {
        await writeXlsx(small, 16 * MB)
        await writeXlsx(big, xlsxMb * MB)
      } else {
        writeText(small, format, 16 * MB)
        writeText(big, format, uploadMb * MB)
      }
      console.log(`${format}: files written in ${((performance.now() - started) / 1000).toFixed(0)} s (${Math.round(fs.statSync(big).size / MB)} MB)`)
      const out = execFileSync(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', '--expose-gc', here, '--child', format, small, big], { encoding: 'utf8', maxBuffer: 64 * MB, stdio: ['ignore', 'pipe', 'inherit'] })
      const line = out.split('\n').find((l) => l.startsWith('CHILD '))
      if (!line) throw new Error(`${format}: the child reported nothing:\n${out}`)
      const { baseline, large } = JSON.parse(line.slice(6)) as { baseline: Measured; large: Measured }
      const ratio = Number((large.growth_mb / Math.max(1, baseline.growth_mb)).toFixed(2))
      results[format] = { big: large, baseline, ratio }
      console.log(`${format}: ${large.file_mb} MB, ${large.rows.toLocaleString('en')} rows, ${large.status} in ${large.seconds} s: RSS +${large.growth_mb} MB (16 MB file: +${baseline.growth_mb} MB; ratio ${ratio})`)
      fs.rmSync(small)
      fs.rmSync(big)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const worst = Math.max(...Object.values(results).map((r) => r.ratio))
  console.log(`RESULT ${JSON.stringify({ ...Object.fromEntries(Object.entries(results).map(([f, r]) => [f, { file_mb: r.big.file_mb, rows: r.big.rows, status: r.big.status, seconds: r.big.seconds, growth_mb: r.big.growth_mb, baseline_growth_mb: r.baseline.growth_mb, ratio: r.ratio }])), worst_ratio: worst })}`)
}

if (process.argv[2] === '--child') {
  const [, , , format, small, big] = process.argv
  await child(format as Format, small!, big!)
  process.exit(0)
} else {
  await main()
}
