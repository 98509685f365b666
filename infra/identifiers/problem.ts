import type { Problem } from '../problem.ts'

/*
 * Why a value is not valid (a Problem), in the two languages kho speaks. Every message is a template in
 * PROBLEMS, filled with {value}, {label} (the column) and {length}; the TypeScript parsers and the
 * SQL checks of the loaders (rules-sql.ts) both render from here, so a reason reads the same
 * wherever it is found.
 */
/**
 * Spaces, tabs and line breaks around a value are dropped, the same way in TypeScript and in SQL
 * (String.trim would also drop Unicode spaces that the SQL twin keeps, and the two would disagree).
 */
export const trimCell = (s: string) => s.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '')
export const trimCellSql = (v: string) => `trimBoth(${v}, ' \\t\\n\\f\\r')`

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem }

const LOST_ZERO_VI = 'có thể Excel đã làm mất số 0 ở đầu. Định dạng cột là Văn bản (Text) rồi gửi lại; kho không tự đoán'
const LOST_ZERO_EN = 'Excel probably dropped a leading zero. Format the column as Text and deliver again; kho does not guess'

export const PROBLEMS = {
  'cccd.empty': ['Thiếu số CCCD', 'CCCD is empty'],
  'cccd.not_digits': ['Số CCCD "{value}" chứa ký tự không phải chữ số', 'CCCD "{value}" contains non-digits'],
  'cccd.leading_zero_lost': [`Số CCCD "{value}" chỉ có 11 chữ số: ${LOST_ZERO_VI}`, `CCCD "{value}" has 11 digits: ${LOST_ZERO_EN}`],
  'cccd.legacy_cmnd': ['"{value}" là số CMND 9 chữ số cũ, không phải số CCCD 12 chữ số', '"{value}" is a legacy 9-digit CMND, not a 12-digit CCCD'],
  'cccd.length': ['Số CCCD "{value}" có {length} chữ số, cần đúng 12', 'CCCD "{value}" has {length} digits, needs 12'],
  'cccd.province': ['Số CCCD "{value}" có mã tỉnh nơi đăng ký khai sinh (3 số đầu) không tồn tại', 'CCCD "{value}" has a birth-province prefix (first 3 digits) that does not exist'],
  'cccd.birth_year_future': ['Số CCCD "{value}" mang năm sinh sau năm hiện tại', 'CCCD "{value}" encodes a birth year after the current year'],
  'cccd.birth_year_mismatch': ['Số CCCD "{value}" mang năm sinh khác với ngày sinh', 'CCCD "{value}" encodes a birth year other than the birth date'],
  'cccd.gender_mismatch': ['Số CCCD "{value}" mang giới tính khác với cột giới tính', 'CCCD "{value}" encodes a gender other than the gender column'],
  'enterprise.empty': ['Thiếu mã số doanh nghiệp', 'enterprise code is empty'],
  'enterprise.format': ['Mã số doanh nghiệp "{value}" sai định dạng: cần 10 chữ số, chi nhánh thêm "-NNN"', 'Enterprise code "{value}" is malformed: 10 digits, branches add "-NNN"'],
  'enterprise.leading_zero_lost': [`Mã số doanh nghiệp "{value}" chỉ có 9 chữ số: ${LOST_ZERO_VI}`, `Enterprise code "{value}" has 9 digits: ${LOST_ZERO_EN}`],
  'enterprise.length': ['Mã số doanh nghiệp "{value}" không có đúng 10 chữ số', 'Enterprise code "{value}" does not have 10 digits'],
  'enterprise.branch': ['Mã chi nhánh của "{value}" phải là 3 chữ số từ 001 đến 999', 'The branch suffix of "{value}" must be three digits 001–999'],
  'enterprise.check_impossible': ['Mã số doanh nghiệp "{value}" không hợp lệ: 9 chữ số đầu không có chữ số kiểm tra (tổng mod 11 = 0)', 'Enterprise code "{value}" is invalid: its first nine digits admit no check digit (sum mod 11 = 0)'],
  'enterprise.check_digit': ['Mã số doanh nghiệp "{value}" sai chữ số kiểm tra (chữ số thứ 10)', 'Enterprise code "{value}" fails its check digit (the 10th digit)'],
  'province.leading_zero_lost': [`Mã tỉnh "{value}" chỉ có 1 chữ số: ${LOST_ZERO_VI}`, `Province code "{value}" has one digit: ${LOST_ZERO_EN}`],
  'province.unknown': ['Mã tỉnh "{value}" không có trong danh mục đơn vị hành chính từ 01/07/2025', 'Province code "{value}" is not among the province-level units in force since 01/07/2025'],
  'province.other': ['Mã tỉnh "{value}" không phải tỉnh của kho này', 'Province code "{value}" is not this warehouse\'s province'],
  'commune.format': ['Mã xã "{value}" phải gồm 5 chữ số', 'Commune code "{value}" must be 5 digits'],
  'commune.leading_zero_lost': [`Mã xã "{value}" thiếu chữ số: ${LOST_ZERO_VI}`, `Commune code "{value}" lacks digits: ${LOST_ZERO_EN}`],
  'commune.unknown': ['Mã xã "{value}" không có trong danh mục đơn vị hành chính từ 01/07/2025 (mã cũ trước sáp nhập?)', 'Commune code "{value}" is not a unit in force since 01/07/2025 (a pre-merger code?)'],
  'commune.other_province': ['Mã xã "{value}" thuộc tỉnh khác', 'Commune code "{value}" belongs to another province'],
  'indicator.unknown': ['Mã chỉ tiêu "{value}" không có trong bộ chỉ tiêu KT-XH', 'Indicator code "{value}" is not in the KT-XH indicator set'],
  'indicator.not_owned': ['Chỉ tiêu "{value}" do cơ quan khác chủ quản; cơ quan gửi không được báo cáo chỉ tiêu này', 'Indicator "{value}" is owned by another agency; the sender may not report it'],
  'value.required': ['Thiếu giá trị bắt buộc ở cột "{label}"', 'Required column "{label}" is empty'],
  'value.too_long': ['Cột "{label}": giá trị dài hơn 10.000 ký tự ({length} ký tự)', 'Column "{label}": the value is longer than 10,000 characters ({length})'],
  'value.integer': ['Cột "{label}": "{value}" không phải số nguyên', 'Column "{label}": "{value}" is not a whole number'],
  'value.decimal': ['Cột "{label}": "{value}" không phải số (viết 1.234,5 hoặc 1234.5)', 'Column "{label}": "{value}" is not a number (write 1.234,5 or 1234.5)'],
  'value.date': ['Cột "{label}": "{value}" không phải ngày hợp lệ (dd/mm/yyyy)', 'Column "{label}": "{value}" is not a valid date (dd/mm/yyyy)'],
  'value.datetime': ['Cột "{label}": "{value}" không phải thời điểm hợp lệ (dd/mm/yyyy hh:mm)', 'Column "{label}": "{value}" is not a valid date and time (dd/mm/yyyy hh:mm)'],
  'value.boolean': ['Cột "{label}": "{value}" phải là có/không', 'Column "{label}": "{value}" must be yes or no'],
  'value.period': ['Cột "{label}": kỳ báo cáo "{value}" phải có dạng 2026-03, 2026-Q1 hoặc 2026', 'Column "{label}": period "{value}" must look like 2026-03, 2026-Q1 or 2026'],
  'value.pattern': ['Cột "{label}": "{value}" không đúng định dạng quy định', 'Column "{label}": "{value}" does not match the required format'],
  'value.enum': ['Cột "{label}": "{value}" không thuộc danh sách giá trị cho phép', 'Column "{label}": "{value}" is not one of the allowed values'],
  'value.min': ['Cột "{label}": {value} nhỏ hơn giá trị tối thiểu', 'Column "{label}": {value} is below the minimum'],
  'value.max': ['Cột "{label}": {value} lớn hơn giá trị tối đa', 'Column "{label}": {value} is above the maximum'],
} as const satisfies Record<string, readonly [string, string]>

export type ProblemCode = keyof typeof PROBLEMS

export interface ProblemVars {
  value?: string
  label?: string
}

export function renderProblem(code: ProblemCode, vars: ProblemVars = {}): Problem {
  const fill = (template: string) =>
    template
      .replaceAll('{value}', vars.value ?? '')
      .replaceAll('{label}', vars.label ?? '')
      .replaceAll('{length}', String([...(vars.value ?? '')].length))
  const [vi, en] = PROBLEMS[code]
  return { code, vi: fill(vi), en: fill(en) }
}

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
export const fail = <T>(code: ProblemCode, value = ''): Parsed<T> => ({ ok: false, problem: renderProblem(code, { value }) })
