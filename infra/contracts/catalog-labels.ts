/**
 * The catalogue's vocabulary in words, Vietnamese and English: the dashboards show it, and the files
 * kho writes (templates, reports) print it, from this one table.
 */
export const CATALOG_LABELS: Record<string, readonly [string, string]> = {
  'frequency.daily': ['Hằng ngày', 'Daily'],
  'frequency.weekly': ['Hằng tuần', 'Weekly'],
  'frequency.monthly': ['Hằng tháng', 'Monthly'],
  'frequency.quarterly': ['Hằng quý', 'Quarterly'],
  'frequency.yearly': ['Hằng năm', 'Yearly'],
  'frequency.school_year': ['Theo năm học', 'By school year'],
  'frequency.on_change': ['Khi có thay đổi', 'On each change'],
  'method.file': ['Gửi tệp', 'Files'],
  'method.sync': ['Đồng bộ qua LGSP', 'Synchronised through the LGSP'],
  'method.api': ['API', 'API'],
  'scope.noi_bo': ['Nội bộ', 'Internal'],
  'scope.dung_chung': ['Dùng chung', 'Shared'],
  'scope.mo': ['Dữ liệu mở', 'Open data'],
  'protection.cot_loi': ['Dữ liệu cốt lõi', 'Core data'],
  'protection.quan_trong': ['Dữ liệu quan trọng', 'Important data'],
  'protection.thong_thuong': ['Dữ liệu thông thường', 'Other data'],
  'columnType.string': ['Văn bản', 'Text'],
  'columnType.integer': ['Số nguyên', 'Whole number'],
  'columnType.decimal': ['Số thập phân', 'Decimal number'],
  'columnType.date': ['Ngày', 'Date'],
  'columnType.datetime': ['Ngày giờ', 'Date and time'],
  'columnType.boolean': ['Có / không', 'Yes / no'],
  'columnType.period': ['Kỳ báo cáo', 'Reporting period'],
  'identifier.cccd': ['Số CCCD', 'Citizen ID (CCCD)'],
  'identifier.enterprise_code': ['Mã số doanh nghiệp', 'Enterprise code'],
  'identifier.commune_code': ['Mã xã, phường', 'Commune code'],
  'identifier.province_code': ['Mã tỉnh', 'Province code'],
  'identifier.admin_unit_code': ['Mã đơn vị hành chính', 'Administrative unit code'],
  'agencyKind.so': ['Sở, ngành', 'Department'],
  'agencyKind.ubnd_tinh': ['UBND tỉnh', 'Provincial People\'s Committee'],
  'agencyKind.ubnd_xa': ['UBND xã, phường', 'Commune People\'s Committee'],
  'agencyKind.co_quan_trung_uong': ['Cơ quan trung ương tại tỉnh', 'Central agency in the province'],
}

/** A catalogue value in words ("frequency", "monthly" → "Hằng tháng"), the value itself when it has none. */
export function catalogLabel(kind: 'frequency' | 'method' | 'scope' | 'protection' | 'columnType' | 'identifier' | 'agencyKind', value: string, lang: 'vi' | 'en' = 'vi'): string {
  return CATALOG_LABELS[`${kind}.${value}`]?.[lang === 'vi' ? 0 : 1] ?? value
}
