import type { Commune } from '../../identifiers/admin-units.ts'
import { cccdBirthDigits, cccdBirthProvinces } from '../../identifiers/cccd.ts'
import { ddmmyyyy } from './dates.ts'
import { cumulativeOf, type Random } from './random.ts'

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Ngô', 'Dương', 'Bùi', 'Đặng', 'Đào', 'Nguyễn', 'Nguyễn', 'Trần', 'Lê', 'Thân', 'Giáp', 'Hà', 'Chu']
const MIDDLE = { nam: ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Công', 'Thanh', 'Xuân'], nu: ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Minh', 'Hồng', 'Phương', 'Thị'] }
const GIVEN = {
  nam: ['Anh', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hải', 'Hiếu', 'Hùng', 'Huy', 'Khánh', 'Long', 'Mạnh', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt', 'Vinh'],
  nu: ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Ngọc', 'Nhung', 'Oanh', 'Phương', 'Thảo', 'Trang', 'Yến'],
}
const STREETS = ['Lý Thái Tổ', 'Trần Hưng Đạo', 'Nguyễn Văn Cừ', 'Ngô Gia Tự', 'Hoàng Hoa Thám', 'Lê Lợi', 'Xương Giang', 'Nguyễn Trãi']

export const DAN_CU_HEADER = ['Số định danh cá nhân', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Mã xã', 'Địa chỉ thường trú', 'Ngày cập nhật']

export interface CitizenDefects {
  cccd_invalid: number
  cccd_leading_zero_lost: number
  duplicate_person: number
  cccd_gender_mismatch: number
  missing_name: number
  impossible_date: number
  commune_pre2025: number
}

export const emptyCitizenDefects = (): CitizenDefects => ({ cccd_invalid: 0, cccd_leading_zero_lost: 0, duplicate_person: 0, cccd_gender_mismatch: 0, missing_name: 0, impossible_date: 0, commune_pre2025: 0 })

/** Birth-registration prefix: the old province the commune belonged to, sometimes elsewhere. */
function birthPrefix(rng: Random, commune: Commune, others: string[]): string {
  if (rng.chance(0.08)) return rng.pick(others)
  return commune.code < '09000' ? '024' : '027'
}

/**
 * The last six digits of CCCDs, unique within their first six (birth province, century and
 * gender, year), without remembering the CCCDs issued — a register of 20 million would not fit:
 * the n-th of a prefix is n scattered over 000000–999999 by a multiplier coprime with 10^6.
 */
export class CccdSerials {
  private readonly issued = new Map<string, number>()

  /** The next serial for the prefix, or null when its million are all issued. */
  take(prefix: string): string | null {
    const n = this.issued.get(prefix) ?? 0
    if (n >= 1_000_000) return null
    this.issued.set(prefix, n + 1)
    const offset = (Number(prefix) * 7_919) % 1_000_000
    return String((n * 738_181 + offset) % 1_000_000).padStart(6, '0')
  }
}

/**
 * The population register as Công an tỉnh would extract it, one row at a time (a province of
 * millions is never held in memory): one row per resident, CCCDs that agree with birth date and
 * gender, and a few realistic defects counted in `defects` as they are made.
 */
export function* generateCitizens(rng: Random, communes: Commune[], count: number, asOf: Date, oldCodes: Map<string, string[]>, defects: CitizenDefects): Generator<string[]> {
  const weights = communes.map((c) => (c.type === 'phường' ? 1.6 : 1) * (0.6 + rng.next()))
  const cumulative = cumulativeOf(weights)
  const others = [...cccdBirthProvinces().keys()].filter((k) => k !== '024' && k !== '027')
  const serials = new CccdSerials()
  let made = 0
  while (made < count) {
    const commune = communes[rng.weighted(cumulative)]!
    const gender = rng.chance(0.5) ? 'nam' : 'nu'
    // A population pyramid, roughly: more young than old, nobody born after the extract.
    const age = Math.min(100, Math.floor(Math.abs(rng.normal()) * 32))
    const birth = new Date(asOf.getTime() - (age * 365 + rng.int(1, 364)) * 86_400_000)
    const birthYear = birth.getUTCFullYear()
    const prefix = birthPrefix(rng, commune, others) + cccdBirthDigits(birthYear, gender)
    const serial = serials.take(prefix)
    if (serial === null) continue
    const cccd = prefix + serial
    const name = `${rng.pick(SURNAMES)} ${rng.pick(MIDDLE[gender])} ${rng.pick(GIVEN[gender])}`
    const address =
      commune.type === 'phường'
        ? `Số ${rng.int(1, 300)} đường ${rng.pick(STREETS)}, ${commune.name}, tỉnh Bắc Ninh`
        : `Thôn ${rng.int(1, 15)}, ${commune.name}, tỉnh Bắc Ninh`
    const updated = new Date(asOf.getTime() - rng.int(20, 700) * 86_400_000)
    const row = [cccd, name, ddmmyyyy(birth), gender === 'nam' ? 'Nam' : 'Nữ', commune.code, address, ddmmyyyy(updated)]

    const roll = rng.next()
    if (roll < 0.001) {
      row[0] = rng.chance(0.5) ? cccd.slice(0, 10) : cccd.slice(0, 6) + 'O' + cccd.slice(7)
      defects.cccd_invalid++
    } else if (roll < 0.003 && cccd.startsWith('0')) {
      row[0] = cccd.slice(1)
      defects.cccd_leading_zero_lost++
    } else if (roll < 0.0035) {
      row[3] = gender === 'nam' ? 'Nữ' : 'Nam'
      defects.cccd_gender_mismatch++
    } else if (roll < 0.004) {
      row[1] = ''
      defects.missing_name++
    } else if (roll < 0.0045) {
      row[2] = `31/02/${birthYear}`
      defects.impossible_date++
    } else if (roll < 0.0065 && oldCodes.has(commune.code)) {
      // Still registered under the commune code from before the 2025 merger.
      row[4] = rng.pick(oldCodes.get(commune.code)!)
      defects.commune_pre2025++
    }
    yield row
    made++
    if (made < count && rng.chance(0.003)) {
      // The same person extracted twice: an older row and a newer one with a changed address.
      const older = new Date(updated.getTime() - rng.int(30, 300) * 86_400_000)
      yield [...row.slice(0, 5), `Thôn ${rng.int(16, 30)}, ${commune.name}, tỉnh Bắc Ninh`, ddmmyyyy(older)]
      made++
      defects.duplicate_person++
    }
  }
}
