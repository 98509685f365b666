/**
 * The Vietnamese lunisolar calendar (âm lịch), computed for UTC+7 from astronomical new moons and
 * the sun's longitude (Meeus' formulas, as Vietnam's calendar is defined). Used for Tết and Hùng
 * Kings' day, whose solar dates move every year.
 */
const TZ = 7
const PI = Math.PI
const int = Math.floor

/** Julian day number of a Gregorian date. */
export function julianDay(day: number, month: number, year: number): number {
  const a = int((14 - month) / 12)
  const y = year + 4800 - a
  const m = month + 12 * a - 3
  return day + int((153 * m + 2) / 5) + 365 * y + int(y / 4) - int(y / 100) + int(y / 400) - 32045
}

export function fromJulianDay(jd: number): { day: number; month: number; year: number } {
  const a = jd + 32044
  const b = int((4 * a + 3) / 146097)
  const c = a - int((b * 146097) / 4)
  const d = int((4 * c + 3) / 1461)
  const e = c - int((1461 * d) / 4)
  const m = int((5 * e + 2) / 153)
  return { day: e - int((153 * m + 2) / 5) + 1, month: m + 3 - 12 * int(m / 10), year: b * 100 + d - 4800 + int(m / 10) }
}

/** The k-th new moon after 1900-01-01, as a Julian date (UT). */
function newMoon(k: number): number {
  const T = k / 1236.85
  const T2 = T * T
  const T3 = T2 * T
  const dr = PI / 180
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr)
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M)
  c1 = c1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr)
  c1 = c1 - 0.0004 * Math.sin(dr * 3 * Mpr)
  c1 = c1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr))
  c1 = c1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M))
  c1 = c1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr))
  c1 = c1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M))
  const deltaT = T < -11 ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3 : -0.000278 + 0.000265 * T + 0.000262 * T2
  return jd1 + c1 - deltaT
}

/** The sun's longitude at a Julian date, in radians normalised to [0, 2π). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525
  const T2 = T * T
  const dr = PI / 180
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M)
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M)
  const L = (L0 + DL) * dr
  return L - PI * 2 * int(L / (PI * 2))
}

const newMoonDay = (k: number) => int(newMoon(k) + 0.5 + TZ / 24)
/** Which of the 12 thirty-degree sectors the sun is in on that day (0 = spring equinox). */
const sunSector = (jdn: number) => int((sunLongitude(jdn - 0.5 - TZ / 24) / PI) * 6)

/** The Julian day on which lunar month 11 (the month holding the winter solstice) of `year` starts. */
function lunarMonth11(year: number): number {
  const off = julianDay(31, 12, year) - 2415021
  const k = int(off / 29.530588853)
  const nm = newMoonDay(k)
  return sunSector(nm) >= 9 ? newMoonDay(k - 1) : nm
}

/** In a 13-month lunar year starting at month 11 on day a11: the offset of the leap month. */
function leapMonthOffset(a11: number): number {
  const k = int((a11 - 2415021.076998695) / 29.530588853 + 0.5)
  let last: number
  let i = 1
  let arc = sunSector(newMoonDay(k + i))
  do {
    last = arc
    i++
    arc = sunSector(newMoonDay(k + i))
  } while (arc !== last && i < 14)
  return i - 1
}

/** The Gregorian date (UTC) of a lunar date; `leap` for the intercalary month of that number. */
export function lunarToSolar(day: number, month: number, year: number, leap = false): Date {
  const [a11, b11] = month < 11 ? [lunarMonth11(year - 1), lunarMonth11(year)] : [lunarMonth11(year), lunarMonth11(year + 1)]
  const k = int(0.5 + (a11 - 2415021.076998695) / 29.530588853)
  let off = month - 11
  if (off < 0) off += 12
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11)
    let leapMonth = leapOff - 2
    if (leapMonth < 0) leapMonth += 12
    if (leap && month !== leapMonth) throw new RangeError(`lunar year ${year} has no leap month ${month}`)
    if (leap || off >= leapOff) off += 1
  } else if (leap) {
    throw new RangeError(`lunar year ${year} has no leap month`)
  }
  const d = fromJulianDay(newMoonDay(k + off) + day - 1)
  return new Date(Date.UTC(d.year, d.month - 1, d.day))
}
