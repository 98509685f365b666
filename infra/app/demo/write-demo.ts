import fs from 'node:fs'
import ExcelJS from 'exceljs'
import path from 'node:path'
import type { Catalog } from '../../catalog/load-catalog.ts'
import { communesOf } from '../../identifiers/admin-units.ts'
import { periodCode, periodEnd } from '../../time/periods.ts'
import { DAN_CU_HEADER, emptyCitizenDefects, generateCitizens } from './citizens.ts'
import { addDays, ddmmyyyy } from './dates.ts'
import { withFixedZipTimes } from './fixed-zip-time.ts'
import { DelimitedFile, toDelimited } from './delimited.ts'
import { DOANH_NGHIEP_HEADER, emptyEnterpriseDefects, generateEnterprises, viNumber, type Enterprise } from './enterprises.ts'
import { Foundings, generateIndicatorReports, type ReportRow } from './indicator-reports.ts'
import { Random, Reservoir } from './random.ts'
import { accidents, FROM_REGISTERS, isAdult, openDeliveryFile, poorHousehold, registeredDeliveries, sampledRows, taxPayment, type DeliveryFile } from './registered-datasets.ts'

export interface DemoDelivery {
  /** Path relative to the demo folder. */
  file: string
  dataset: string
  agency: string
  /** The reporting period, where the delivery covers one. */
  period?: string
  deliveredAt: string
}

export interface DemoManifest {
  asOf: string
  scale: number
  deliveries: DemoDelivery[]
  /** How many of each deliberate defect the files contain. */
  defects: Record<string, number>
}

export const CITIZENS_PER_SCALE = 200_000
export const ENTERPRISES_PER_SCALE = 20_000

/** How each agency delivers its KT-XH reports: the formats and habits the loaders must cope with. */
const DELIVERY_STYLE: Record<string, 'csv' | 'csv_semicolon_vi' | 'utf16_tsv' | 'json' | 'xlsx' | 'xml'> = {
  TK_TINH: 'utf16_tsv',
  SO_VHTTDL: 'xlsx',
  SO_GDDT: 'xlsx',
  SO_YT: 'xml',
  VP_UBND: 'xml',
  SO_TC: 'json',
  BHXH_TINH: 'json',
  SO_CT: 'csv_semicolon_vi',
}

const KTXH_HEADER = ['Mã chỉ tiêu', 'Kỳ báo cáo', 'Mã đơn vị hành chính', 'Giá trị thực hiện', 'Kế hoạch', 'Đơn vị tính', 'Ghi chú']

/** A report as departments make them in Excel: title rows above the header, numbers as numbers. */
async function reportWorkbook(agencyName: string, period: string, cells: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Báo cáo')
  ws.addRow([`BÁO CÁO CHỈ TIÊU KINH TẾ - XÃ HỘI KỲ ${period}`])
  ws.addRow([`Đơn vị báo cáo: ${agencyName}`])
  ws.addRow([])
  ws.addRow(KTXH_HEADER)
  for (const c of cells) ws.addRow([c[0], c[1], c[2], c[3] === '' ? null : Number(c[3]), c[4] === '' ? null : Number(c[4]), c[5], c[6]])
  // A workbook written twice must be byte-identical for the same demo: fix its timestamps.
  wb.created = wb.modified = new Date(Date.UTC(2026, 0, 1))
  return withFixedZipTimes(Buffer.from(await wb.xlsx.writeBuffer()))
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A report as an information system exports it: one <dong> element a row, the indicator as an attribute. */
function reportXml(agency: string, period: string, cells: string[][]): string {
  const rows = cells.map(
    (c) =>
      `  <dong ma_chi_tieu="${xmlText(c[0]!)}">\n    <ky_bao_cao>${xmlText(c[1]!)}</ky_bao_cao>\n    <ma_don_vi>${xmlText(c[2]!)}</ma_don_vi>\n` +
      `    <gia_tri>${xmlText(c[3]!)}</gia_tri>\n    <ke_hoach>${xmlText(c[4]!)}</ke_hoach>\n    <don_vi_tinh>${xmlText(c[5]!)}</don_vi_tinh>\n  </dong>`,
  )
  return `<?xml version="1.0" encoding="UTF-8"?>\n<baocao co_quan="${agency}" ky="${period}">\n${rows.join('\n')}\n</baocao>\n`
}

function writeFile(dir: string, rel: string, content: string | Buffer) {
  const abs = path.join(dir, rel)
  fs.mkdirSync(path.dirname(abs), { recursive: true })
  fs.writeFileSync(abs, content)
}

function utf8WithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
}

function utf16leWithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
}

/** Lag in days between a period's end and its delivery, by agency habit. */
function deliveryLag(rng: Random, agency: string, kind: string): number {
  const [lo, hi] = kind === 'month' ? [4, 14] : kind === 'quarter' ? [10, 28] : [30, 85]
  if (agency === 'BHXH_TINH' && rng.chance(0.5)) return hi + rng.int(2, 12) // habitually late
  if (rng.chance(0.04)) return hi + rng.int(3, 20) // anyone can be late now and then
  return rng.int(lo, hi)
}

const BHXH_HEADER = ['Số định danh cá nhân', 'Loại bảo hiểm', 'Mã xã', 'Mức đóng (nghìn đồng/tháng)', 'Tham gia từ ngày', 'Ngày cập nhật']

/** Who of the residents pays social insurance: ~70% of those aged 18–60, compulsory or voluntary (one resident at a time). */
function insuranceRow(rng: Random, resident: readonly string[], asOf: Date): string[] | null {
  const [cccd, , born, , commune] = resident
  const age = asOf.getUTCFullYear() - Number(born?.slice(-4))
  if (!cccd || !commune || !(age >= 18 && age <= 60) || !rng.chance(0.7)) return null
  const compulsory = rng.chance(0.75)
  const since = addDays(asOf, -rng.int(30, 3000))
  return [cccd, compulsory ? 'bhxh_bat_buoc' : 'bhxh_tu_nguyen', commune, String(compulsory ? rng.int(500, 4000) : rng.int(150, 900)), ddmmyyyy(since), ddmmyyyy(addDays(asOf, -rng.int(5, 60)))]
}

/** People and enterprises the other datasets draw from: enough for a demo's variety, bounded at any scale. */
const SAMPLE_SIZE = 200_000
/** Rows between two pauses of a register's pass, so streamed workbooks are written out as they grow. */
const PAUSE_EVERY = 50_000
const pause = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Writes the files Bắc Ninh's agencies would deliver, plus manifest.json saying who delivered
 * which file for which period and when. Deterministic for a given scale and as-of date. The
 * registers are made and written a row at a time, and everything else draws on what was counted
 * or sampled on the way, so memory stays bounded at any scale (scale 100: 20 million residents).
 */
export async function writeDemo(catalog: Catalog, dir: string, scale: number, asOf: Date): Promise<DemoManifest> {
  const seed = 240_000 + Math.round(scale * 1000)
  // One stream of draws per thing made, so each is the same whatever is made beside it.
  const stream = (i: number) => new Random(seed + i * 7_777_777)
  const [citizenRng, insuranceRng, povertyRng, enterpriseRng, taxRng, sampleRng, rng, registeredRng] = [0, 1, 2, 3, 4, 5, 6, 7].map(stream) as [Random, Random, Random, Random, Random, Random, Random, Random]
  const communes = communesOf(catalog.province.code)
  const deliveries: DemoDelivery[] = []
  const defects: Record<string, number> = {}
  const tally = (counts: object) => {
    for (const [k, v] of Object.entries(counts)) defects[k] = (defects[k] ?? 0) + (v as number)
  }
  /**
   * When a file arrived: its day, at a working hour of that day in Vietnam (08:00–15:59, the same
   * for the same file each time), never after asOf. A file stamped at midnight UTC read "07:00" on
   * every page, a time nobody sent anything at.
   */
  const stamp = (day: Date, file: string) => {
    let h = 0
    for (const c of file) h = (h * 31 + c.charCodeAt(0)) % 480
    const at = new Date(day.getTime() + (60 + h) * 60_000)
    return (at > asOf ? asOf : at).toISOString()
  }
  fs.rmSync(dir, { recursive: true, force: true })

  const oldCodes = new Map<string, string[]>()
  for (const x of catalog.crosswalk) oldCodes.set(x.newCode, [...(oldCodes.get(x.newCode) ?? []), x.oldCode])
  const newCode = new Map(catalog.crosswalk.map((x) => [x.oldCode, x.newCode]))
  /** People counted by their 2025 commune, for the figures agencies report from the registers. */
  const countIn = (counts: Map<string, number>, commune: string) => {
    const c = newCode.get(commune) ?? commune
    counts.set(c, (counts.get(c) ?? 0) + 1)
  }
  const lastMonth = { kind: 'month' as const, year: asOf.getUTCFullYear(), index: asOf.getUTCMonth() + 1 }
  if (--lastMonth.index === 0) Object.assign(lastMonth, { year: lastMonth.year - 1, index: 12 })
  const snapshot = periodCode(lastMonth)

  // The datasets the agencies registered through the catalogue, where the catalogue has them; the
  // poverty review and tax payments are made beside the registers, the others from their samples.
  const registered = registeredDeliveries(asOf, lastMonth, (id) => !!catalog.dataset(id))
  const registeredFiles = new Map<string, DeliveryFile>()
  for (const d of registered) registeredFiles.set(d.dataset, openDeliveryFile(dir, d, catalog.dataset(d.dataset)!))
  const poverty = registeredFiles.get('ho_ngheo')
  const tax = registeredFiles.get('nop_thue')

  // The population register: last month's snapshot, sent on the 5th (due on the 15th). Social-
  // insurance participants, keyed by the same CCCD, in the same month's snapshot, sent by the
  // social-insurance office a day after it.
  const danCuFile = `CA_TINH/dan_cu_${snapshot}.csv`
  const bhxhFile = `BHXH_TINH/bhxh_tham_gia_${snapshot}.csv`
  const danCu = new DelimitedFile(path.join(dir, danCuFile), DAN_CU_HEADER)
  const bhxh = new DelimitedFile(path.join(dir, bhxhFile), BHXH_HEADER)
  const citizenDefects = emptyCitizenDefects()
  const residents = new Map<string, number>()
  const insured = new Map<string, number>()
  const adults = new Reservoir<readonly string[]>(sampleRng, SAMPLE_SIZE)
  let poor = 0
  for (const row of generateCitizens(citizenRng, communes, Math.round(CITIZENS_PER_SCALE * scale), asOf, oldCodes, citizenDefects)) {
    danCu.row(row)
    countIn(residents, row[4]!)
    const participant = insuranceRow(insuranceRng, row, asOf)
    if (participant) {
      bhxh.row(participant)
      countIn(insured, participant[2]!)
    }
    if (isAdult(row, asOf)) {
      adults.offer(row)
      const household = poverty && poorHousehold(povertyRng, row, lastMonth.year - 1, poor + 1)
      if (household) {
        poverty.row(household)
        poor++
      }
    }
    if (danCu.rows % PAUSE_EVERY === 0) await pause()
  }
  danCu.close()
  bhxh.close()
  tally(citizenDefects)
  const snapshotSent = addDays(periodEnd(lastMonth), 5)
  deliveries.push({ file: danCuFile, dataset: 'dan_cu', agency: 'CA_TINH', period: snapshot, deliveredAt: stamp(snapshotSent < asOf ? snapshotSent : asOf, danCuFile) })
  const bhxhSent = addDays(snapshotSent, 1)
  deliveries.push({ file: bhxhFile, dataset: 'bhxh_tham_gia', agency: 'BHXH_TINH', period: snapshot, deliveredAt: stamp(bhxhSent < asOf ? bhxhSent : asOf, bhxhFile) })

  // The business register: a full copy three weeks ago, then the changes since, sent every three
  // days — but for one six-day gap. The rule is two working days, so the changes made early in the
  // gap arrive late and the scorecard shows it.
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  const sendDays = [-21, -18, -15, -12, -6, -3, 0].map((n) => addDays(asOf, n))
  const batchFile = (sent: Date) => `SO_TC/doanh_nghiep_${sent.toISOString().slice(0, 10)}.csv`
  const batches = sendDays.map((sent) => new DelimitedFile(path.join(dir, batchFile(sent)), DOANH_NGHIEP_HEADER, { delimiter: ';' }))
  const enterpriseDefects = emptyEnterpriseDefects()
  const foundings = new Foundings()
  const enterprises = new Reservoir<Enterprise>(sampleRng, SAMPLE_SIZE)
  let made = 0
  for (const { enterprise, rows } of generateEnterprises(enterpriseRng, communes, Math.round(ENTERPRISES_PER_SCALE * scale), asOf, oldCodes, enterpriseDefects)) {
    for (const row of rows) {
      const [dd, mm, yyyy] = row[7]!.split('/').map(Number)
      const changed = Date.UTC(yyyy!, mm! - 1, dd!)
      batches[Math.max(0, sendDays.findIndex((d) => day(d) >= changed))]!.row(row)
    }
    foundings.add(enterprise)
    enterprises.offer(enterprise)
    const payment = tax && taxPayment(taxRng, enterprise, lastMonth)
    if (payment) tax.row(payment)
    if (++made % PAUSE_EVERY === 0) await pause()
  }
  tally(enterpriseDefects)
  sendDays.forEach((sent, i) => {
    batches[i]!.close()
    if (batches[i]!.rows === 0) fs.rmSync(path.join(dir, batchFile(sent)))
    else {
      const file = batchFile(sent)
      deliveries.push({ file, dataset: 'doanh_nghiep', agency: 'SO_TC', deliveredAt: stamp(sent, file) })
    }
  })

  // The accident register (when the police registered it) from its own stream, before the reports:
  // the accidents and deaths the police report for its month are the register's own counts.
  const accidentRows = registered.some((d) => d.dataset === 'tai_nan_giao_thong') ? accidents(stream(8), communes, lastMonth) : []
  const accidentCounts = new Map<string, { cases: number; deaths: number }>()
  for (const a of accidentRows) {
    const c = accidentCounts.get(String(a.ma_xa)) ?? { cases: 0, deaths: 0 }
    accidentCounts.set(String(a.ma_xa), { cases: c.cases + 1, deaths: c.deaths + Number(a.so_nguoi_chet) })
  }
  const reports = generateIndicatorReports(rng, catalog.indicators, communes, catalog.province.code, foundings, asOf, {
    residents,
    insured,
    ...(accidentRows.length ? { accidents: { month: periodCode(lastMonth), byCommune: accidentCounts } } : {}),
  })
  const ownerOf = new Map(catalog.indicators.map((i) => [i.code, i.owner]))
  for (const ind of catalog.indicators) {
    if (ind.numerator) ownerOf.set(ind.numerator, ownerOf.get(ind.numerator) ?? ind.owner)
    if (ind.denominator) ownerOf.set(ind.denominator, ownerOf.get(ind.denominator) ?? ind.owner)
  }
  const groups = new Map<string, ReportRow[]>()
  for (const r of reports) {
    const key = `${ownerOf.get(r.indicator)}|${periodCode(r.period)}`
    const list = groups.get(key)
    if (list) list.push(r)
    else groups.set(key, [r])
  }
  const counts = { file_over_reject_threshold: 0, missing_delivery: 0, late_delivery: 0, duplicate_file: 0, resubmission: 0, unknown_indicator: 0, commune_code_leading_zero_lost: 0 }
  for (const [key, rows] of groups) {
    const [agency, period] = key.split('|') as [string, string]
    const p = rows[0]!.period
    if (agency === 'SO_VHTTDL' && p.kind === 'month' && rng.chance(0.06)) {
      counts.missing_delivery++
      continue
    }
    const lag = deliveryLag(rng, agency, p.kind)
    const deliveredAt = addDays(periodEnd(p), lag)
    if (deliveredAt > asOf) continue
    const dueDays = p.kind === 'month' ? 15 : p.kind === 'quarter' ? 30 : 90
    if (lag > dueDays) counts.late_delivery++
    const style = DELIVERY_STYLE[agency] ?? 'csv'
    // Now and then a whole file saved from Excel with the codes as numbers: too many bad rows, refused.
    const wholeFileLostZeros = agency === 'SO_NV' && p.kind === 'month' && rng.chance(0.06)
    if (wholeFileLostZeros) counts.file_over_reject_threshold++
    const cells = rows.map((r) => {
      let unit = r.unit
      if (wholeFileLostZeros) unit = unit.replace(/^0+/, '')
      else if (agency === 'SO_NV' && unit.startsWith('0') && rng.chance(0.01)) {
        unit = unit.replace(/^0+/, '')
        counts.commune_code_leading_zero_lost++
      }
      let code = r.indicator
      if (agency === 'SO_NV' && rng.chance(0.004)) {
        code = code.replace(/D$/, '')
        counts.unknown_indicator++
      }
      const num = (x: number | null) => (x === null ? '' : style === 'csv_semicolon_vi' ? viNumber(x, Number.isInteger(x) ? 0 : 2) : String(x))
      return [code, period, unit, num(r.value), num(r.plan), r.unitOfMeasure, '']
    })
    const base = `${agency}/chi_tieu_${period}`
    let file: string
    if (style === 'json') {
      file = `${base}.json`
      const objects = cells.map((c) => ({
        ma_chi_tieu: c[0],
        ky_bao_cao: c[1],
        ma_don_vi: c[2],
        gia_tri: c[3] === '' ? null : Number(c[3]),
        ke_hoach: c[4] === '' ? null : Number(c[4]),
        don_vi_tinh: c[5],
      }))
      writeFile(dir, file, JSON.stringify(objects, null, 1))
    } else if (style === 'xlsx') {
      file = `${base}.xlsx`
      writeFile(dir, file, await reportWorkbook(catalog.agency(agency)?.name ?? agency, period, cells))
    } else if (style === 'xml') {
      file = `${base}.xml`
      writeFile(dir, file, reportXml(agency, period, cells))
    } else if (style === 'utf16_tsv') {
      file = `${base}.txt`
      writeFile(dir, file, utf16leWithBom(toDelimited(KTXH_HEADER, cells, '\t')))
    } else {
      file = `${base}.csv`
      writeFile(dir, file, utf8WithBom(toDelimited(KTXH_HEADER, cells, style === 'csv_semicolon_vi' ? ';' : ',')))
    }
    deliveries.push({ file, dataset: 'chi_tieu_kt_xh', agency, period, deliveredAt: stamp(deliveredAt, file) })
    if (agency === 'SO_CT' && p.kind === 'month' && rng.chance(0.15)) {
      // A corrected report sent a few days later: the newer values must win downstream.
      const corrected = cells.map((c, i) => (i === 0 ? [c[0]!, c[1]!, c[2]!, viNumber(Number(rows[0]!.value) * 1.02, 2), ...c.slice(4), 'Số liệu điều chỉnh'] : c))
      const fixFile = `${base}_dieu_chinh.csv`
      writeFile(dir, fixFile, utf8WithBom(toDelimited(KTXH_HEADER, corrected, ';')))
      deliveries.push({ file: fixFile, dataset: 'chi_tieu_kt_xh', agency, period, deliveredAt: stamp(addDays(deliveredAt, 4), fixFile) })
      counts.resubmission++
    }
    if (agency === 'TK_TINH' && p.kind === 'quarter' && rng.chance(0.3)) {
      // The same file sent again: must be recognised, not loaded twice.
      deliveries.push({ file, dataset: 'chi_tieu_kt_xh', agency, period, deliveredAt: stamp(addDays(deliveredAt, 2), file) })
      counts.duplicate_file++
    }
  }
  tally(counts)

  const samples = { rng: registeredRng, communes, people: adults.items, enterprises: enterprises.items, scale, accidents: accidentRows }
  for (const d of registered) {
    const out = registeredFiles.get(d.dataset)!
    if (!FROM_REGISTERS.has(d.dataset)) for (const cells of sampledRows(d, samples)) out.row(cells)
    await out.close()
    deliveries.push({ file: out.file, dataset: d.dataset, agency: d.agency, period: periodCode(d.period), deliveredAt: stamp(d.sent, out.file) })
  }
  deliveries.sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt) || a.file.localeCompare(b.file))
  const manifest: DemoManifest = { asOf: asOf.toISOString(), scale, deliveries, defects }
  writeFile(dir, 'manifest.json', JSON.stringify(manifest, null, 2))
  return manifest
}
