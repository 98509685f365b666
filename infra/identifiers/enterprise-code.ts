import { fail, ok, type Parsed } from './problem.ts'

/**
 * Mã số doanh nghiệp: 10 digits whose 10th is a check digit; a branch or dependent unit adds
 * "-NNN" (001–999). The canonical form keeps the dash: "0100047516-001".
 */
export interface EnterpriseCode {
  code: string
  /** The 10-digit code of the enterprise itself (the parent, for a branch). */
  parent: string
  branch: string | null
}

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3]

/** The check digit for the first nine digits, or null when none exists (S mod 11 = 0 gives 10). */
export function enterpriseCheckDigit(first9: string): number | null {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first9[i]), 0)
  const check = 10 - (sum % 11)
  return check === 10 ? null : check
}

export function parseEnterpriseCode(raw: string): Parsed<EnterpriseCode> {
  const s = raw.trim().replace(/\s/g, '')
  if (s === '') return fail('enterprise.empty', 'Thiếu mã số doanh nghiệp', 'enterprise code is empty')
  const m = /^(\d+)(?:-(\d+))?$/.exec(s)
  if (!m) {
    return fail(
      'enterprise.format',
      `Mã số doanh nghiệp "${s}" sai định dạng: cần 10 chữ số, chi nhánh thêm "-NNN"`,
      `Enterprise code "${s}" is malformed: 10 digits, branches add "-NNN"`,
    )
  }
  let main = m[1]!
  let branch = m[2] ?? null
  // 13 digits without the dash is how some systems store a branch.
  if (branch === null && main.length === 13) [main, branch] = [main.slice(0, 10), main.slice(10)]
  if (main.length === 9 && enterpriseCheckDigit('0' + main.slice(0, 8)) === Number(main[8])) {
    return fail(
      'enterprise.leading_zero_lost',
      `Mã số doanh nghiệp "${s}" chỉ có 9 chữ số: có thể Excel đã làm mất số 0 ở đầu. Định dạng cột là Văn bản rồi nạp lại`,
      `Enterprise code "${s}" has 9 digits: Excel probably dropped its leading zero. Format the column as Text and deliver again`,
    )
  }
  if (main.length !== 10) {
    return fail(
      'enterprise.length',
      `Mã số doanh nghiệp "${s}" có ${main.length} chữ số, cần đúng 10`,
      `Enterprise code "${s}" has ${main.length} digits, needs 10`,
    )
  }
  if (branch !== null && (branch.length !== 3 || branch === '000')) {
    return fail(
      'enterprise.branch',
      `Mã chi nhánh "-${branch}" của "${s}" phải là 3 chữ số từ 001 đến 999`,
      `Branch suffix "-${branch}" of "${s}" must be three digits 001–999`,
    )
  }
  const expected = enterpriseCheckDigit(main.slice(0, 9))
  if (expected === null) {
    return fail(
      'enterprise.check_impossible',
      `Mã số doanh nghiệp "${s}" không hợp lệ: 9 chữ số đầu không có chữ số kiểm tra (tổng mod 11 = 0)`,
      `Enterprise code "${s}" is invalid: its first nine digits admit no check digit (sum mod 11 = 0)`,
    )
  }
  if (expected !== Number(main[9])) {
    return fail(
      'enterprise.check_digit',
      `Mã số doanh nghiệp "${s}" sai chữ số kiểm tra: chữ số thứ 10 phải là ${expected}`,
      `Enterprise code "${s}" fails its check digit: the 10th digit should be ${expected}`,
    )
  }
  return ok({ code: branch ? `${main}-${branch}` : main, parent: main, branch })
}
