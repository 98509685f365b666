import ExcelJS from 'exceljs'
import type { Dataset } from '../../catalog/schema.ts'
import type { Commune } from '../../identifiers/admin-units.ts'
import { lastPeriods, periodCode, periodEnd, type Period } from '../../time/periods.ts'
import { addDays, ddmmyyyy } from './dates.ts'
import { toDelimited } from './delimited.ts'
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
  period: string
  /** When the agency sent it. */
  sent: Date
  style: Style
  rows: Cells[]
}

/** Residents as the population register has them: [cccd, name, birth dd/mm/yyyy, gender, commune, address, updated]. */
type Resident = readonly string[]

const adults = (residents: readonly Resident[], asOf: Date) =>
  residents.filter((r) => r[0] && asOf.getUTCFullYear() - Number(r[2]?.slice(-4)) >= 18)

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
function dossiers(rng: Random, people: readonly Resident[], enterprises: readonly Enterprise[], month: Period, count: number): Cells[] {
  const rows: Cells[] = []
  for (let i = 0; i < count; i++) {
    const field = rng.pick(FIELDS)
    const business = field === 'dang_ky_kinh_doanh' || (field === 'xay_dung' && rng.chance(0.3))
    const who = business ? rng.pick(enterprises) : null
    const person = business ? null : rng.pick(people)
    const received = inMonth(rng, month)
    const days = field === 'ho_tich' ? 3 : field === 'dang_ky_kinh_doanh' ? 5 : 15
    // Nine in ten resolved, most of them on time.
    const done = rng.chance(0.9) ? addDays(received, rng.chance(0.93) ? rng.int(0, days) : days + rng.int(1, 15)) : null
    rows.push({
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
    })
  }
  return rows
}

/** Last year's poverty review: about 3% of households poor, 2% near-poor, headed by adult residents. */
function poorHouseholds(rng: Random, people: readonly Resident[], year: number): Cells[] {
  const rows: Cells[] = []
  let n = 0
  for (const p of people) {
    if (!rng.chance(0.05 / 3.4)) continue
    rows.push({ ma_ho: `HN${year}-${String(++n).padStart(6, '0')}`, cccd_chu_ho: p[0]!, ma_xa: p[4]!, phan_loai: rng.chance(0.6) ? 'ho_ngheo' : 'ho_can_ngheo', so_nhan_khau: String(rng.int(1, 7)), nam: String(year) })
  }
  return rows
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
function landCertificates(rng: Random, people: readonly Resident[], enterprises: readonly Enterprise[], month: Period, count: number): Cells[] {
  const rows: Cells[] = []
  for (let i = 0; i < count; i++) {
    const business = rng.chance(0.08)
    const e = business ? rng.pick(enterprises) : null
    const p = business ? null : rng.pick(people)
    const use = business ? rng.pick(['skc', 'tmd'] as const) : rng.pick(LAND.slice(0, 4))
    const area = use === 'skc' ? rng.int(2000, 50_000) : use === 'lua' ? rng.int(300, 3000) : rng.int(60, 400) + rng.int(0, 9) / 10
    rows.push({
      so_gcn: `D${rng.pick(['A', 'B', 'C', 'D'])} ${rng.digits(6)}`,
      cccd: p?.[0] ?? '',
      ma_so_doanh_nghiep: e?.code ?? '',
      ma_xa: e?.commune ?? p![4]!,
      loai_dat: use,
      dien_tich_m2: viNumber(area, Number.isInteger(area) ? 0 : 1),
      ngay_cap: ddmmyyyy(inMonth(rng, month)),
    })
  }
  return rows
}

const ROADS = ['quoc_lo', 'tinh_lo', 'duong_huyen_xa', 'duong_do_thi', 'cao_toc'] as const

/** Last month's road traffic accidents; one row misdated into the next month is rejected. */
function accidents(rng: Random, communes: readonly Commune[], month: Period): Cells[] {
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

/** Last month's tax due and paid by each active enterprise (not branches); a few paid nothing yet. */
function taxPayments(rng: Random, enterprises: readonly Enterprise[], month: Period): Cells[] {
  return enterprises
    .filter((e) => e.status === 'dang_hoat_dong' || e.status === 'hoat_dong_tro_lai')
    .map((e) => {
      const due = Math.round(Math.max(0.5, e.capital * rng.int(2, 30) / 1000) * 10) / 10
      const paid = rng.chance(0.08) ? 0 : rng.chance(0.15) ? Math.round(due * rng.int(30, 95)) / 100 : due
      return { ma_so_doanh_nghiep: e.code, ky_nop: periodCode(month), thue_phai_nop: String(due), thue_da_nop: String(paid) }
    })
}

export interface RegisteredInput {
  rng: Random
  communes: readonly Commune[]
  residents: readonly Resident[]
  enterprises: readonly Enterprise[]
  asOf: Date
  lastMonth: Period
  scale: number
}

/** The deliveries, for the datasets the catalogue has (a catalogue without them gets none). */
export function registeredDeliveries(input: RegisteredInput, has: (dataset: string) => boolean): RegisteredDelivery[] {
  const { rng, communes, residents, enterprises, asOf, lastMonth, scale } = input
  const people = adults(residents, asOf)
  const [lastYear] = lastPeriods('year', 1, asOf) as [Period]
  const [lastQuarter] = lastPeriods('quarter', 1, asOf) as [Period]
  const monthSent = (days: number) => addDays(periodEnd(lastMonth), days)
  const out: RegisteredDelivery[] = []
  const add = (dataset: string, agency: string, period: Period, sent: Date, style: Style, make: () => Cells[]) => {
    if (has(dataset)) out.push({ dataset, agency, period: periodCode(period), sent: sent < asOf ? sent : asOf, style, rows: make() })
  }
  add('ho_so_tthc', 'VP_UBND', lastMonth, monthSent(3), 'csv', () => dossiers(rng, people, enterprises, lastMonth, Math.round(20_000 * scale)))
  add('ho_ngheo', 'SO_NNMT', lastYear, addDays(periodEnd(lastYear), 20), 'xlsx', () => poorHouseholds(rng, people, lastYear.year))
  add('co_so_kham_chua_benh', 'SO_YT', lastQuarter, addDays(periodEnd(lastQuarter), 12), 'json', () => healthFacilities(rng, communes, enterprises))
  add('truong_hoc', 'SO_GDDT', lastYear, addDays(periodEnd(lastYear), 40), 'xlsx', () => schools(rng, communes))
  add('gcn_quyen_su_dung_dat', 'SO_NNMT', lastMonth, monthSent(6), 'csv_semicolon', () => landCertificates(rng, people, enterprises, lastMonth, Math.round(4_000 * scale)))
  add('tai_nan_giao_thong', 'CA_TINH', lastMonth, monthSent(4), 'csv', () => accidents(rng, communes, lastMonth))
  add('nop_thue', 'SO_TC', lastMonth, monthSent(8), 'json', () => taxPayments(rng, enterprises, lastMonth))
  return out
}

/** A delivery's file: its header the entry's column labels (JSON keys its column ids). */
export async function deliveryFile(d: RegisteredDelivery, dataset: Dataset): Promise<{ ext: string; content: Buffer }> {
  const ids = dataset.columns.map((c) => c.id)
  const cells = d.rows.map((r) => ids.map((id) => r[id] ?? ''))
  const header = dataset.columns.map((c) => c.label)
  if (d.style === 'json') return { ext: 'json', content: Buffer.from(JSON.stringify(d.rows, null, 1)) }
  if (d.style === 'xlsx') {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet(dataset.name.slice(0, 31))
    ws.addRow(header)
    for (const row of cells) ws.addRow(row)
    wb.created = wb.modified = new Date(Date.UTC(2026, 0, 1))
    return { ext: 'xlsx', content: withFixedZipTimes(Buffer.from(await wb.xlsx.writeBuffer())) }
  }
  const text = toDelimited(header, cells, d.style === 'csv_semicolon' ? ';' : ',')
  return { ext: 'csv', content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) }
}
