import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Dataset } from '../../catalog/schema.ts'
import type { Commune } from '../../identifiers/admin-units.ts'
import { lastPeriods, periodCode, periodEnd, type Period } from '../../time/periods.ts'
import { addDays, ddmmyyyy } from './dates.ts'
import { DelimitedFile, JsonArrayFile } from './delimited.ts'
import { viNumber, type Enterprise } from './enterprises.ts'
import { withFixedZipTimes } from './fixed-zip-time.ts'
import type { Random } from './random.ts'

/**
 * The deliveries of the datasets the demo's agencies register through the catalogue (entries/):
 * public-service dossiers, poor households, health facilities, schools, land-use certificates,
 * traffic accidents and tax payments — keyed by the same CCCDs, enterprise codes and communes as
 * the registers, so they join in the semantic layer. Each file is written with its entry's column
 * labels as the header, in the format its agency's system exports.
 */
type Cells = Record<string, string>
type Style = 'csv' | 'csv_semicolon' | 'json' | 'xlsx'

export interface RegisteredDelivery {
  dataset: string
  agency: string
  period: Period
  /** When the agency sent it. */
  sent: Date
  style: Style
}

/** Residents as the population register has them: [cccd, name, birth dd/mm/yyyy, gender, commune, address, updated]. */
export type Resident = readonly string[]

export const isAdult = (r: Resident, asOf: Date) => !!r[0] && asOf.getUTCFullYear() - Number(r[2]?.slice(-4)) >= 18

const inMonth = (rng: Random, p: Period) => {
  const end = periodEnd(p)
  return addDays(end, -rng.int(0, end.getUTCDate() - 1))
}

const FIELDS = ['ho_tich', 'dat_dai', 'dang_ky_kinh_doanh', 'xay_dung', 'lao_dong', 'y_te'] as const
const CHANNELS = ['truc_tuyen_toan_trinh', 'truc_tuyen_mot_phan', 'truc_tiep', 'buu_chinh'] as const
const PROCEDURES: Record<(typeof FIELDS)[number], string[]> = {
  ho_tich: ['1.001193', '1.000894', '1.004873'],
  dat_dai: ['1.004227', '1.003003'],
  dang_ky_kinh_doanh: ['2.001610', '2.002042'],
  xay_dung: ['1.009972', '1.009973'],
  lao_dong: ['1.001612', '2.000134'],
  y_te: ['1.004616'],
}

/** Dossiers received last month: people by CCCD, businesses by enterprise code; most resolved on time. */
function* dossiers(rng: Random, people: readonly Resident[], enterprises: readonly Enterprise[], month: Period, count: number): Generator<Cells> {
  for (let i = 0; i < count; i++) {
    const field = rng.pick(FIELDS)
    const business = field === 'dang_ky_kinh_doanh' || (field === 'xay_dung' && rng.chance(0.3))
    const who = business ? rng.pick(enterprises) : null
    const person = business ? null : rng.pick(people)
    const received = inMonth(rng, month)
    const days = field === 'ho_tich' ? 3 : field === 'dang_ky_kinh_doanh' ? 5 : 15
    // Nine in ten resolved, most of them on time.
    const done = rng.chance(0.9) ? addDays(received, rng.chance(0.93) ? rng.int(0, days) : days + rng.int(1, 15)) : null
    yield {
      ma_ho_so: `000.00.${String(rng.int(10, 99))}.H06-${periodCode(month).replace('-', '')}-${String(i + 1).padStart(6, '0')}`,
      ma_thu_tuc: rng.pick(PROCEDURES[field]),
      linh_vuc: field,
      cccd: person?.[0] ?? '',
      ma_so_doanh_nghiep: who?.code ?? '',
      ma_xa: who?.commune ?? person![4]!,
      kenh_nop: CHANNELS[rng.weighted([0.45, 0.7, 0.97, 1])]!,
      ngay_tiep_nhan: ddmmyyyy(received),
      han_giai_quyet: ddmmyyyy(addDays(received, days)),
      ngay_tra_ket_qua: done ? ddmmyyyy(done) : '',
    }
  }
}

/** Last year's poverty review: about 3% of households poor, 2% near-poor, headed by adult residents (one resident at a time). */
export function poorHousehold(rng: Random, adult: Resident, year: number, n: number): Cells | null {
  if (!rng.chance(0.05 / 3.4)) return null
  return { ma_ho: `HN${year}-${String(n).padStart(6, '0')}`, cccd_chu_ho: adult[0]!, ma_xa: adult[4]!, phan_loai: rng.chance(0.6) ? 'ho_ngheo' : 'ho_can_ngheo', so_nhan_khau: String(rng.int(1, 7)), nam: String(year) }
}

/** A health station in every commune, hospitals and health centres in the wards, private clinics. */
function healthFacilities(rng: Random, communes: readonly Commune[], enterprises: readonly Enterprise[]): Cells[] {
  const rows: Cells[] = []
  let n = 0
  const add = (kind: string, name: string, commune: string, beds: number, doctors: number, enterprise = '') =>
    rows.push({ ma_co_so: `CS${String(++n).padStart(5, '0')}`, ten_co_so: name, loai_hinh: kind, ma_xa: commune, so_giuong: String(beds), so_bac_si: String(doctors), ma_so_doanh_nghiep: enterprise })
  for (const c of communes) {
    add('tram_y_te', `Trạm Y tế ${c.type} ${c.name}`, c.code, rng.int(3, 8), rng.int(1, 3))
    if (c.type === 'phường' && rng.chance(0.25)) add('benh_vien', `Bệnh viện đa khoa ${c.name}`, c.code, rng.int(150, 800), rng.int(40, 200))
    if (rng.chance(0.15)) add('trung_tam_y_te', `Trung tâm Y tế khu vực ${c.name}`, c.code, rng.int(50, 250), rng.int(15, 60))
    const clinics = rng.int(0, 3)
    for (let i = 0; i < clinics; i++) {
      const owner = rng.pick(enterprises)
      add('phong_kham', `Phòng khám đa khoa tư nhân số ${i + 1} ${c.name}`, c.code, rng.int(0, 10), rng.int(1, 6), owner.code)
    }
  }
  return rows
}

/** Schools at the start of the school year: kindergartens, primary and lower-secondary in every commune. */
function schools(rng: Random, communes: readonly Commune[]): Cells[] {
  const rows: Cells[] = []
  let n = 0
  const add = (level: string, prefix: string, c: Commune, pupils: number, privately = false) =>
    rows.push({
      ma_truong: `T${String(++n).padStart(5, '0')}`,
      ten_truong: `Trường ${prefix} ${c.name}${privately ? ' (tư thục)' : ''}`,
      cap_hoc: level,
      loai_hinh: privately ? 'tu_thuc' : 'cong_lap',
      ma_xa: c.code,
      so_hoc_sinh: String(pupils),
      so_giao_vien: String(Math.max(3, Math.round(pupils / rng.int(16, 24)))),
      so_phong_hoc: String(Math.max(4, Math.round(pupils / rng.int(30, 40)))),
    })
  for (const c of communes) {
    add('mam_non', 'Mầm non', c, rng.int(150, 600))
    add('tieu_hoc', 'Tiểu học', c, rng.int(300, 1200))
    add('thcs', 'THCS', c, rng.int(250, 900))
    if (rng.chance(0.3)) add('thpt', 'THPT', c, rng.int(700, 1800))
    if (c.type === 'phường' && rng.chance(0.3)) add('mam_non', 'Mầm non', c, rng.int(60, 200), true)
  }
  return rows
}

const LAND = ['ont', 'odt', 'lua', 'cln', 'skc', 'tmd'] as const

/** Certificates issued last month, to people (most) and enterprises; areas written with a decimal comma. */
function* landCertificates(rng: Random, people: readonly Resident[], enterprises: readonly Enterprise[], month: Period, count: number): Generator<Cells> {
  for (let i = 0; i < count; i++) {
    const business = rng.chance(0.08)
    const e = business ? rng.pick(enterprises) : null
    const p = business ? null : rng.pick(people)
    const use = business ? rng.pick(['skc', 'tmd'] as const) : rng.pick(LAND.slice(0, 4))
    const area = use === 'skc' ? rng.int(2000, 50_000) : use === 'lua' ? rng.int(300, 3000) : rng.int(60, 400) + rng.int(0, 9) / 10
    yield {
      so_gcn: `D${rng.pick(['A', 'B', 'C', 'D'])} ${rng.digits(6)}`,
      cccd: p?.[0] ?? '',
      ma_so_doanh_nghiep: e?.code ?? '',
      ma_xa: e?.commune ?? p![4]!,
      loai_dat: use,
      dien_tich_m2: viNumber(area, Number.isInteger(area) ? 0 : 1),
      ngay_cap: ddmmyyyy(inMonth(rng, month)),
    }
  }
}

const ROADS = ['quoc_lo', 'tinh_lo', 'duong_huyen_xa', 'duong_do_thi', 'cao_toc'] as const

/** Last month's road traffic accidents; one row misdated into the next month is rejected. */
/** A month's road accidents: made before the reports, so the police report the register's own counts. */
export function accidents(rng: Random, communes: readonly Commune[], month: Period): Cells[] {
  const rows: Cells[] = []
  const count = rng.int(25, 45)
  for (let i = 0; i < count; i++) {
    const deaths = rng.chance(0.35) ? rng.int(1, 2) : 0
    rows.push({
      ma_vu: `TNGT-${periodCode(month)}-${String(i + 1).padStart(3, '0')}`,
      ngay_xay_ra: ddmmyyyy(inMonth(rng, month)),
      ma_xa: rng.pick(communes).code,
      loai_duong: ROADS[rng.weighted([0.3, 0.55, 0.8, 0.95, 1])]!,
      so_nguoi_chet: String(deaths),
      so_nguoi_bi_thuong: String(deaths > 0 ? rng.int(0, 2) : rng.int(1, 3)),
      thiet_hai_trieu_dong: viNumber(rng.int(5, 400), 0),
    })
  }
  return rows
}

/** Last month's tax due and paid by an active enterprise (not a branch); a few paid nothing yet. */
export function taxPayment(rng: Random, e: Enterprise, month: Period): Cells | null {
  if (!(e.status === 'dang_hoat_dong' || e.status === 'hoat_dong_tro_lai')) return null
  const due = Math.round(Math.max(0.5, (e.capital * rng.int(2, 30)) / 1000) * 10) / 10
  const paid = rng.chance(0.08) ? 0 : rng.chance(0.15) ? Math.round(due * rng.int(30, 95)) / 100 : due
  return { ma_so_doanh_nghiep: e.code, ky_nop: periodCode(month), thue_phai_nop: String(due), thue_da_nop: String(paid) }
}

/** The deliveries the agencies make of the datasets they registered, for those the catalogue has. */
export function registeredDeliveries(asOf: Date, lastMonth: Period, has: (dataset: string) => boolean): RegisteredDelivery[] {
  const [lastYear] = lastPeriods('year', 1, asOf) as [Period]
  const [lastQuarter] = lastPeriods('quarter', 1, asOf) as [Period]
  const monthSent = (days: number) => addDays(periodEnd(lastMonth), days)
  const all: RegisteredDelivery[] = [
    { dataset: 'ho_so_tthc', agency: 'VP_UBND', period: lastMonth, sent: monthSent(3), style: 'csv' },
    { dataset: 'ho_ngheo', agency: 'SO_NNMT', period: lastYear, sent: addDays(periodEnd(lastYear), 20), style: 'xlsx' },
    { dataset: 'co_so_kham_chua_benh', agency: 'SO_YT', period: lastQuarter, sent: addDays(periodEnd(lastQuarter), 12), style: 'json' },
    { dataset: 'truong_hoc', agency: 'SO_GDDT', period: lastYear, sent: addDays(periodEnd(lastYear), 40), style: 'xlsx' },
    { dataset: 'gcn_quyen_su_dung_dat', agency: 'SO_NNMT', period: lastMonth, sent: monthSent(6), style: 'csv_semicolon' },
    { dataset: 'tai_nan_giao_thong', agency: 'CA_TINH', period: lastMonth, sent: monthSent(4), style: 'csv' },
    { dataset: 'nop_thue', agency: 'SO_TC', period: lastMonth, sent: monthSent(8), style: 'json' },
  ]
  return all.filter((d) => has(d.dataset)).map((d) => ({ ...d, sent: d.sent < asOf ? d.sent : asOf }))
}

/** Made one row per resident (poor households) or per enterprise (tax payments) as the registers are. */
export const FROM_REGISTERS = new Set(['ho_ngheo', 'nop_thue'])

export interface Samples {
  rng: Random
  communes: readonly Commune[]
  /** Adult residents and enterprises drawn from the registers (a bounded sample). */
  people: readonly Resident[]
  enterprises: readonly Enterprise[]
  scale: number
  /** The accident register's rows, made before the reports (accidents()). */
  accidents: readonly Cells[]
}

/** The rows of a delivery not made from the registers: drawn from the samples. */
export function sampledRows(d: RegisteredDelivery, s: Samples): Iterable<Cells> {
  const { rng, communes, people, enterprises, scale } = s
  switch (d.dataset) {
    case 'ho_so_tthc':
      return dossiers(rng, people, enterprises, d.period, Math.round(20_000 * scale))
    case 'co_so_kham_chua_benh':
      return healthFacilities(rng, communes, enterprises)
    case 'truong_hoc':
      return schools(rng, communes)
    case 'gcn_quyen_su_dung_dat':
      return landCertificates(rng, people, enterprises, d.period, Math.round(4_000 * scale))
    case 'tai_nan_giao_thong':
      return s.accidents
    default:
      throw new Error(`${d.dataset} is made from the registers`)
  }
}

/** A delivery's file, written a row at a time: its header the entry's column labels (JSON keys its column ids). */
export interface DeliveryFile {
  /** Path relative to the demo folder. */
  file: string
  row(cells: Cells): void
  close(): Promise<void>
}

export function openDeliveryFile(dir: string, d: RegisteredDelivery, dataset: Dataset): DeliveryFile {
  const ext = d.style === 'csv_semicolon' ? 'csv' : d.style
  const file = `${d.agency}/${d.dataset}_${periodCode(d.period)}.${ext}`
  const abs = path.join(dir, file)
  const ids = dataset.columns.map((c) => c.id)
  const header = dataset.columns.map((c) => c.label)
  if (d.style === 'json') {
    const out = new JsonArrayFile(abs)
    return { file, row: (cells) => out.row(cells), close: async () => out.close() }
  }
  if (d.style === 'xlsx') {
    // Streamed (a province's poverty review runs to hundreds of thousands of rows); the zip's times
    // fixed afterwards so the same demo is the same bytes.
    fs.mkdirSync(path.dirname(abs), { recursive: true })
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: abs, useSharedStrings: false, useStyles: false })
    wb.created = wb.modified = new Date(Date.UTC(2026, 0, 1))
    const ws = wb.addWorksheet(dataset.name.slice(0, 31))
    ws.addRow(header).commit()
    return {
      file,
      row: (cells) => ws.addRow(ids.map((id) => cells[id] ?? '')).commit(),
      close: async () => {
        ws.commit()
        await wb.commit()
        fs.writeFileSync(abs, withFixedZipTimes(fs.readFileSync(abs)))
      },
    }
  }
  const out = new DelimitedFile(abs, header, { delimiter: d.style === 'csv_semicolon' ? ';' : ',' })
  return { file, row: (cells) => out.row(ids.map((id) => cells[id] ?? '')), close: async () => out.close() }
}
