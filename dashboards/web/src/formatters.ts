import { unitText } from '../../../infra/contracts/units.ts'
import { dayText, periodWords } from '../../../infra/contracts/question-words.ts'
import { CATALOG_LABELS } from '../../../infra/contracts/catalog-labels.ts'
import { deliveredByText } from '../../../infra/contracts/delivered-by.ts'
import { LOAD_STATUS_WORDS } from '../../../infra/contracts/delivery.ts'
import type { Lang } from './strings.ts'

/** Statuses, roles, channels and the catalogue's vocabulary in words: what `fmt.status` shows. */
const STATUS: Record<string, readonly [string, string]> = {
  on_time: ['Đúng hạn', 'On time'],
  late: ['Trễ hạn', 'Late'],
  missing: ['Chưa nộp', 'Missing'],
  rejected: ['Bị từ chối', 'Rejected'],
  pending: ['Chưa đến hạn', 'Not yet due'],
  ...LOAD_STATUS_WORDS,
  fresh: ['Mới', 'Fresh'],
  warn: ['Sắp cũ', 'Ageing'],
  error: ['Quá cũ', 'Stale'],
  succeeded: ['Thành công', 'Succeeded'],
  started: ['Đang chạy', 'Running'],
  skipped: ['Bỏ qua', 'Skipped'],
  // Sharing requests (prefixed: "pending" above is a submission not yet due).
  'request.pending': ['Chờ duyệt', 'Awaiting decision'],
  'request.approved': ['Đã duyệt', 'Approved'],
  'request.refused': ['Bị từ chối', 'Refused'],
  'request.suspended': ['Tạm dừng', 'Suspended'],
  'request.ended': ['Đã chấm dứt', 'Ended'],
  'request.withdrawn': ['Đã rút', 'Withdrawn'],
  ...CATALOG_LABELS,
  'jobReason.first_scheduled': ['Lần đầu lên lịch tại đây: lần chạy kế tiếp là lần đầu', 'First time scheduled here: the next run is the first'],
  'trigger.schedule': ['Theo lịch', 'On schedule'],
  'report.open': ['Chờ trả lời', 'Awaiting answer'],
  'report.answered': ['Đã trả lời', 'Answered'],
  'report.closed': ['Đã đóng', 'Closed'],
  'severity.critical': ['Nghiêm trọng', 'Critical'],
  'severity.warning': ['Cảnh báo', 'Warning'],
  'alertRule.connector_failed': ['Kết nối nguồn lỗi', 'Pull connector failed'],
  'alertRule.backup_failed': ['Sao lưu lỗi', 'Backup failed'],
  'alertRule.audit_chain_broken': ['Nhật ký chia sẻ không nguyên vẹn', 'Sharing log broken'],
  'alertRule.job_failed': ['Tác vụ lỗi', 'Job failed'],
  'alertRule.transform_failed': ['Mô hình biến đổi lỗi', 'Transform failed'],
  'alertRule.data_test_failed': ['Kiểm thử dữ liệu không đạt', 'Data test not passing'],
  'alertRule.dataset_overdue': ['Quá hạn nộp', 'Overdue'],
  'alertRule.refusals_spike': ['Nhiều yêu cầu bị từ chối', 'Refusals spike'],
  'alertRule.failed_signins_spike': ['Nhiều lần đăng nhập sai', 'Failed sign-ins spike'],
  'trigger.catch_up': ['Chạy bù', 'Catch-up'],
  'trigger.manual': ['Chạy tay', 'Manual'],
  'outcome.ok': ['Được phép', 'Allowed'],
  'outcome.denied': ['Bị từ chối', 'Denied'],
  'outcome.error': ['Lỗi', 'Error'],
  'role.leader': ['Lãnh đạo', 'Leader'],
  'role.analyst': ['Chuyên viên phân tích', 'Analyst'],
  'role.agency_officer': ['Cán bộ cơ quan', 'Agency officer'],
  'role.steward': ['Quản trị dữ liệu', 'Data steward'],
  'role.admin': ['Quản trị hệ thống', 'Administrator'],
  'channel.lgsp': ['Trục LGSP', 'LGSP platform'],
  'channel.push': ['API đẩy dữ liệu', 'Push API'],
  'channel.pull': ['Kho kéo dữ liệu theo lịch', 'Scheduled pull'],
  'proposal.proposed': ['Chờ duyệt', 'Awaiting review'],
  'proposal.approved': ['Đã duyệt, đang dùng', 'Approved, in use'],
  'proposal.refused': ['Bị từ chối', 'Refused'],
  'proposal.withdrawn': ['Đã rút', 'Withdrawn'],
  'proposal.superseded': ['Đã thay bằng bản mới', 'Superseded'],
}

const ROMAN = ['I', 'II', 'III', 'IV']

export function formatters(lang: Lang) {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB'
  const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 })
  const periodText = (code: unknown) => periodWords(code, lang)
  return {
    number(v: unknown, digits = 2): string {
      if (v === null || v === undefined || v === '') return '—'
      const n = Number(v)
      if (!Number.isFinite(n)) return String(v)
      return digits === 2 ? numberFormat.format(n) : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n)
    },
    pct(v: unknown): string {
      if (v === null || v === undefined) return '—'
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(Number(v))}%`
    },
    /** An indicator's unit in the page's language ("tỷ đồng" / "billion VND"). */
    unit(u: string | null | undefined): string {
      return unitText(u, lang)
    },
    /**
     * A field that is a day (a due date, a grant's first and last day) → 05/11/2026, never with a
     * time: Cube gives a Date column as that day's midnight, which `date` would read as 07:00.
     */
    day(v: unknown): string {
      const s = String(v ?? '')
      return /^\d{4}-\d{2}-\d{2}/.test(s) ? dayText(s) : '—'
    },
    /** 2026-11-05 or a timestamp → 05/11/2026 (vi) or 05/11/2026 (en-GB): the day first either way. */
    date(v: unknown): string {
      if (!v) return '—'
      const s = String(v)
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
      if (!m) return s
      if (s.length <= 10) return `${m[3]}/${m[2]}/${m[1]}`
      const d = new Date(s.includes('T') || s.endsWith('Z') ? s : `${s.replace(' ', 'T')}Z`)
      return d.toLocaleString(locale, { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    },
    /** 2026-10 → "Tháng 10/2026", 2026-Q3 → "Quý III/2026", 2026 → "Năm 2026"; spans too. */
    period: periodText,
    /** A quarter's first day (2026-07-01…) → "Quý III/2026". */
    quarterOf(v: unknown): string {
      const m = /^(\d{4})-(\d{2})/.exec(String(v ?? ''))
      if (!m) return String(v ?? '')
      const q = Math.floor((Number(m[2]) - 1) / 3) + 1
      return lang === 'vi' ? `Quý ${ROMAN[q - 1]}/${m[1]}` : `Q${q} ${m[1]}`
    },
    /** Who delivered a load (meta.loads.delivered_by) in words: an account, the command line's user, a key, a pull source, the inbox. */
    deliveredBy: (v: unknown): string => deliveredByText(v, lang),
    status(s: unknown): string {
      const pair = STATUS[String(s)]
      return pair ? pair[lang === 'vi' ? 0 : 1] : String(s ?? '')
    },
  }
}
export type Formatters = ReturnType<typeof formatters>
