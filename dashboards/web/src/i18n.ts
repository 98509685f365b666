import { createContext, useContext } from 'react'
import { CATALOG_LABELS } from './shared/catalog-labels.ts'

export type Lang = 'vi' | 'en'

/** Every label the dashboards show, Vietnamese first. */
const STRINGS = {
  appName: ['Kho dữ liệu số tỉnh', 'Provincial data warehouse'],
  overview: ['Tổng quan IOC', 'IOC overview'],
  explorer: ['Khám phá chỉ tiêu', 'Indicator explorer'],
  portal: ['Cổng cơ quan', 'Agency portal'],
  quality: ['Chất lượng dữ liệu', 'Data quality'],
  catalog: ['Danh mục', 'Catalogue'],
  admin: ['Quản trị', 'Administration'],
  briefings: ['Báo cáo định kỳ', 'Briefings'],
  login: ['Đăng nhập', 'Sign in'],
  logout: ['Đăng xuất', 'Sign out'],
  username: ['Tên đăng nhập', 'Username'],
  password: ['Mật khẩu', 'Password'],
  loading: ['Đang tải…', 'Loading…'],
  empty: ['Không có dữ liệu', 'No data'],
  error: ['Lỗi', 'Error'],
  retry: ['Thử lại', 'Retry'],
  period: ['Kỳ', 'Period'],
  plan: ['Kế hoạch', 'Plan'],
  ofPlan: ['so với KH', 'of plan'],
  ytdOfPlan: ['Lũy kế so với KH năm', 'Year to date, of plan'],
  vsLastYear: ['so với cùng kỳ', 'vs same period last year'],
  noPlan: ['chưa có kế hoạch', 'no plan'],
  thisYear: ['Năm nay', 'This year'],
  lastYear: ['Năm trước', 'Last year'],
  trend: ['Xu hướng', 'Trend'],
  communesRanked: ['Xếp hạng xã, phường', 'Communes ranked'],
  attachments: ['Tài liệu đính kèm', 'Attached documents'],
  attach: ['Đính kèm tài liệu (PDF, Word, Excel, ảnh, tệp nén; tối đa 50 MB)', 'Attach a document (PDF, Word, Excel, images, archives; up to 50 MB)'],
  documents: ['Tài liệu', 'Documents'],
  changeExisting: ['Đề xuất thay đổi bộ dữ liệu có sẵn', 'Propose a change to an existing dataset'],
  newDataset: ['— Bộ dữ liệu mới —', '— A new dataset —'],
  reconciliation: ['Kho tự tính từ dữ liệu tích hợp', 'Computed by kho from integrated data'],
  reconciliationHelp: [
    'Số kho tính từ CSDL dân cư, đăng ký doanh nghiệp và BHXH (ghép theo số định danh) đặt cạnh số cơ quan báo cáo; chênh lệch quá 2% (0,5 điểm với tỷ lệ) được đánh dấu.',
    'Figures kho computes from the population, business and social-insurance registers (joined on personal ID) beside the reported ones; gaps beyond 2% (half a point for a rate) are flagged.',
  ],
  indicator: ['Chỉ tiêu', 'Indicator'],
  dataPeriod: ['Kỳ dữ liệu', 'Data period'],
  computedByKho: ['Kho tính', 'Computed'],
  reportedFigure: ['Số báo cáo', 'Reported'],
  notReported: ['chưa báo cáo', 'not reported'],
  difference: ['Chênh lệch', 'Difference'],
  communesDisagreeing: ['Xã chênh lệch', 'Communes disagreeing'],
  kiosk: ['Màn hình IOC', 'Wall display'],
  exitKiosk: ['Thoát màn hình IOC', 'Leave wall display'],
  drill: ['Chi tiết', 'Details'],
  byCommune: ['Theo xã, phường', 'By commune'],
  commune: ['Xã, phường', 'Commune'],
  findIndicator: ['Tìm chỉ tiêu theo tên', 'Find an indicator by name'],
  suggestedQuestions: ['Câu hỏi gợi ý', 'Suggested questions'],
  submissionsBehind: ['Báo cáo làm nên số liệu', 'Submissions behind the number'],
  close: ['Đóng', 'Close'],
  agency: ['Cơ quan', 'Agency'],
  status: ['Tình trạng', 'Status'],
  dueOn: ['Hạn nộp', 'Due'],
  receivedAt: ['Ngày nhận', 'Received'],
  daysLate: ['Số ngày trễ', 'Days late'],
  view: ['Khung nhìn', 'View'],
  measures: ['Chỉ số đo', 'Measures'],
  dimensions: ['Chiều phân tích', 'Dimensions'],
  filters: ['Bộ lọc', 'Filters'],
  addFilter: ['Thêm bộ lọc', 'Add filter'],
  timeDimension: ['Chiều thời gian', 'Time dimension'],
  granularity: ['Mức thời gian', 'Granularity'],
  from: ['Từ ngày', 'From'],
  to: ['Đến ngày', 'To'],
  compare: ['So sánh cùng kỳ năm trước', 'Compare with the year before'],
  run: ['Chạy truy vấn', 'Run query'],
  rows: ['dòng', 'rows'],
  exportCsv: ['Tải CSV', 'Download CSV'],
  exportXlsx: ['Tải Excel', 'Download Excel'],
  save: ['Lưu', 'Save'],
  savedQueries: ['Truy vấn đã lưu', 'Saved queries'],
  queryName: ['Tên truy vấn', 'Query name'],
  delete: ['Xóa', 'Delete'],
  copyLink: ['Chép liên kết', 'Copy link'],
  obligations: ['Nghĩa vụ báo cáo', 'Reporting obligations'],
  overdue: ['Quá hạn', 'Overdue'],
  upcoming: ['Sắp đến hạn (3 ngày)', 'Due within 3 days'],
  digest: ['Bản tin nộp báo cáo hôm nay', "Today's submission digest"],
  upload: ['Gửi tệp dữ liệu', 'Upload a file'],
  dataset: ['Bộ dữ liệu', 'Dataset'],
  file: ['Tệp', 'File'],
  send: ['Gửi', 'Send'],
  report: ['Kết quả kiểm tra', 'Validation report'],
  rejectedRows: ['Dòng bị từ chối', 'Rejected rows'],
  downloadRejects: ['Tải các dòng bị từ chối để sửa và gửi lại (Excel)', 'Download the rejected rows to fix and send again (Excel)'],
  templates: ['Mẫu tệp', 'Templates'],
  history: ['Lịch sử gửi dữ liệu', 'Load history'],
  row: ['Dòng', 'Row'],
  column: ['Cột', 'Column'],
  value: ['Giá trị', 'Value'],
  reason: ['Lý do', 'Reason'],
  ranking: ['Xếp hạng', 'Ranking'],
  composite: ['Điểm tổng hợp', 'Composite'],
  completeness: ['Đầy đủ', 'Completeness'],
  validity: ['Hợp lệ', 'Validity'],
  timeliness: ['Kịp thời', 'Timeliness'],
  consistency: ['Nhất quán', 'Consistency'],
  accuracy: ['Chính xác', 'Accuracy'],
  quarter: ['Quý', 'Quarter'],
  issues: ['Vấn đề', 'Issues'],
  outliers: ['Giá trị bất thường', 'Outliers'],
  formulas: ['Cách tính điểm', 'How scores are computed'],
  datasets: ['Bộ dữ liệu', 'Datasets'],
  indicators: ['Từ điển chỉ tiêu', 'Indicator dictionary'],
  owner: ['Cơ quan chủ quản', 'Owner'],
  frequency: ['Tần suất', 'Frequency'],
  method: ['Phương thức', 'Method'],
  scope: ['Phạm vi', 'Scope'],
  columns: ['Các cột', 'Columns'],
  freshness: ['Độ mới', 'Freshness'],
  lineage: ['Dòng dữ liệu', 'Lineage'],
  unit: ['Đơn vị tính', 'Unit'],
  formula: ['Công thức', 'Formula'],
  accounts: ['Tài khoản', 'Accounts'],
  role: ['Vai trò', 'Role'],
  audit: ['Nhật ký truy cập', 'Audit log'],
  search: ['Tìm', 'Search'],
  create: ['Tạo', 'Create'],
  jobs: ['Tác vụ định kỳ', 'Scheduled jobs'],
  runNow: ['Chạy ngay', 'Run now'],
  buildNow: ['Lập báo cáo ngay', 'Build now'],
  schedule: ['Lịch gửi', 'Schedule'],
  covers: ['Kỳ báo cáo', 'Reports on'],
  contents: ['Nội dung', 'Contents'],
  builtAt: ['Lập lúc', 'Built at'],
  size: ['Dung lượng', 'Size'],
  briefingFor: ['Lập cho kỳ', 'Build for'],
  noBriefingFiles: ['Chưa có tệp nào; chọn kỳ rồi bấm "Lập báo cáo ngay"', 'No workbook yet; choose a period and press "Build now"'],
  sheet_kpi_summary: ['Các chỉ tiêu chủ yếu', 'Key indicators'],
  sheet_sectors: ['Theo lĩnh vực', 'By sector'],
  sheet_communes: ['Theo xã, phường', 'By commune'],
  sheet_submissions: ['Tình hình nộp báo cáo', 'Reporting by agencies'],
  sheet_quality: ['Chất lượng dữ liệu', 'Data quality'],
  sheet_usage: ['Khai thác dữ liệu', 'Use of data'],
  all: ['Tất cả', 'All'],
  refreshed: ['Cập nhật lúc', 'Refreshed at'],
  displayName: ['Tên', 'Name'],
  personalData: ['Dữ liệu cá nhân', 'Personal data'],
  disabled: ['Khóa', 'Disabled'],
  outcome: ['Kết quả', 'Outcome'],
  at: ['Thời điểm', 'Time'],
  job: ['Tác vụ', 'Job'],
  scheduledFor: ['Lịch', 'Scheduled for'],
  trigger: ['Kích hoạt', 'Trigger'],
  code: ['Mã', 'Code'],
  yearBefore: ['năm trước', 'year before'],
  afterChange: ['ngày làm việc sau thay đổi', 'working days after a change'],
  afterPeriodEnd: ['cuối kỳ +', 'period end +'],
  days: ['ngày', 'days'],
  sharing: ['Chia sẻ dữ liệu', 'Data sharing'],
  proposeDataset: ['Đăng ký bộ dữ liệu của cơ quan', 'Register a dataset of the agency'],
  proposals: ['Đăng ký, thay đổi danh mục', 'Catalogue registrations and changes'],
  description: ['Mô tả', 'Description'],
  consumers: ['Cơ quan khai thác (mã, cách nhau dấu phẩy)', 'Consumer agencies (codes, comma-separated)'],
  changedOn: ['Cột ngày thay đổi (dữ liệu hằng ngày, theo thay đổi)', 'Date-of-change column (daily, on-change data)'],
  naturalKey: ['Khóa (các cột, cách nhau dấu phẩy)', 'Key (columns, comma-separated)'],
  label: ['Tên cột', 'Column name'],
  type: ['Kiểu', 'Type'],
  identifier: ['Định danh dùng chung', 'Shared identifier'],
  enumValues: ['Giá trị cho phép (a, b, c)', 'Allowed values (a, b, c)'],
  required: ['Bắt buộc', 'Required'],
  provincial: ['Lãnh đạo, chuyên viên cấp tỉnh', 'Provincial leaders and analysts'],
  public: ['Công chúng', 'The public'],
  system: ['Hệ thống', 'System'],
  scopeInternal: ['Nội bộ', 'Internal'],
  scopeShared: ['Dùng chung', 'Shared'],
  scopeOpen: ['Dữ liệu mở', 'Open data'],
  askTitle: ['Đề nghị khai thác dữ liệu', 'Request a dataset'],
  views: ['Khung nhìn', 'Views'],
  members: ['Trường dữ liệu (để trống: tất cả)', 'Members (none ticked: all)'],
  purpose: ['Mục đích', 'Purpose'],
  legalBasis: ['Căn cứ pháp lý', 'Legal basis'],
  startsOn: ['Từ ngày', 'From'],
  endsOn: ['Đến ngày', 'Until'],
  sent: ['Đã gửi đề nghị', 'Request sent'],
  myRequests: ['Đề nghị của cơ quan', 'Our requests'],
  toDecide: ['Đề nghị khai thác dữ liệu của cơ quan', 'Requests for our data'],
  requester: ['Người đề nghị', 'Requested by'],
  decision: ['Quyết định', 'Decision'],
  note: ['Ghi chú / lý do', 'Note / reason'],
  approve: ['Đồng ý', 'Approve'],
  refuse: ['Từ chối', 'Refuse'],
  suspend: ['Tạm dừng', 'Suspend'],
  resume: ['Tiếp tục', 'Resume'],
  end: ['Chấm dứt', 'End'],
  withdraw: ['Rút đề nghị', 'Withdraw'],
  inForce: ['Đang hiệu lực', 'In force'],
  access: ['Quyền hiện có', 'Access now'],
  accessOwner: ['Chủ quản', 'Owner'],
  accessConsumer: ['Được chia sẻ theo danh mục', 'Shared by the catalogue'],
  accessGranted: ['Được cấp theo đề nghị', 'Granted on request'],
  accessNone: ['Chưa có', 'None'],
  usage: ['Thống kê khai thác', 'Usage'],
  consumer: ['Bên khai thác', 'Consumer'],
  queries: ['Lượt khai thác', 'Queries'],
  users: ['Người dùng', 'Users'],
  lastAccess: ['Gần nhất', 'Last access'],
  month: ['Tháng', 'Month'],
  systems: ['Hệ thống khai thác (LGSP)', 'Consuming systems (LGSP)'],
  systemRegister: ['Danh sách hệ thống thông tin kết nối', 'Register of connected systems'],
  direction: ['Chiều', 'Direction'],
  supplies: ['Cung cấp dữ liệu', 'Supplies'],
  consumes: ['Khai thác dữ liệu', 'Consumes'],
  lastExchange: ['Trao đổi thành công gần nhất', 'Last successful exchange'],
  systemId: ['Mã hệ thống', 'System id'],
  contact: ['Liên hệ', 'Contact'],
  addresses: ['Địa chỉ được phép (cách nhau dấu phẩy)', 'Allowed addresses (comma-separated)'],
  expiresOn: ['Hết hạn', 'Expires'],
  register: ['Đăng ký', 'Register'],
  issueKey: ['Cấp khóa', 'Issue key'],
  revoke: ['Thu hồi', 'Revoke'],
  keys: ['Khóa', 'Keys'],
  keyOnce: ['Khóa chỉ hiện một lần — hãy lưu lại', 'The key is shown once — keep it now'],
  email: ['Thư điện tử', 'E-mail'],
  lastSignIn: ['Đăng nhập gần nhất', 'Last sign-in'],
  requestId: ['Mã đề nghị', 'Request id'],
  noMap: ['Chưa có bản đồ ranh giới xã, phường: quản trị dữ liệu tải lên ở trang Quản trị', 'No commune boundaries yet: a data steward uploads them under Administration'],
  illustrativeMap: ['Bản đồ minh họa: ranh giới xã không phải ranh giới thật', 'Illustrative map: the commune shapes are not the real boundaries'],
  communeMap: ['Bản đồ ranh giới xã, phường', 'Commune boundaries map'],
  uploadMap: ['Tải lên ranh giới xã (GeoJSON hoặc TopoJSON, mã xã theo danh mục 2025)', 'Upload commune boundaries (GeoJSON or TopoJSON, commune codes of the 2025 list)'],
  mapMatched: ['Xã khớp danh mục', 'Communes matched'],
  mapMissing: ['Xã chưa có ranh giới', 'Communes without a boundary'],
  mapUnknown: ['Mã không có trong danh mục 2025 của tỉnh (bỏ qua)', 'Codes not in the province\'s 2025 list (skipped)'],
  mapSource: ['Bản đồ đang dùng', 'Map in use'],
  naturalKeyHint: ['mã các cột khóa, cách nhau bởi dấu phẩy', 'codes of the key columns, separated by commas'],
  changedOnHint: ['mã cột ngày thay đổi', 'code of the column with the day of change'],
  codeHint: ['chữ thường không dấu, số và dấu gạch dưới', 'lower-case letters, digits and underscores'],
  keyId: ['Mã khóa', 'Key id'],
  createdAt: ['Ngày tạo', 'Created on'],
  resetPassword: ['Đặt lại mật khẩu', 'Reset password'],
  temporaryPassword: ['Mật khẩu tạm (đổi khi đăng nhập)', 'Temporary password (changed at sign-in)'],
  enable: ['Mở khóa', 'Enable'],
  disable: ['Khóa', 'Disable'],
  review: ['Rà soát tài khoản', 'Account review'],
  unusedAccounts: ['Không đăng nhập 90 ngày', 'Unused for 90 days'],
  personalAccounts: ['Có quyền dữ liệu cá nhân', 'With personal-data access'],
  grantsEnding: ['Quyền hết hạn trong 30 ngày', 'Grants ending within 30 days'],
  oldKeys: ['Khóa hệ thống quá 1 năm', 'System keys over a year old'],
  downloadXlsx: ['Tải Excel', 'Download Excel'],
  verifyLog: ['Kiểm tra tính toàn vẹn', 'Verify integrity'],
  logWhole: ['Nhật ký nguyên vẹn', 'The log is whole'],
  logBroken: ['Nhật ký KHÔNG nguyên vẹn', 'The log is NOT whole'],
  entries: ['bản ghi', 'entries'],
  changePassword: ['Đổi mật khẩu', 'Change password'],
  currentPassword: ['Mật khẩu hiện tại', 'Current password'],
  newPassword: ['Mật khẩu mới (tối thiểu 10 ký tự)', 'New password (10 characters or more)'],
  mustChange: ['Mật khẩu đã được đặt lại: hãy chọn mật khẩu mới', 'Your password was reset: choose a new one'],
} as const satisfies Record<string, readonly [string, string]>

export type Key = keyof typeof STRINGS

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({ lang: 'vi', setLang: () => undefined })

export function useLang() {
  const { lang, setLang } = useContext(LangContext)
  const t = (k: Key) => STRINGS[k][lang === 'vi' ? 0 : 1]
  return { lang, setLang, t, fmt: formatters(lang) }
}

const STATUS: Record<string, readonly [string, string]> = {
  on_time: ['Đúng hạn', 'On time'],
  late: ['Trễ hạn', 'Late'],
  missing: ['Chưa nộp', 'Missing'],
  rejected: ['Bị từ chối', 'Rejected'],
  pending: ['Chưa đến hạn', 'Not yet due'],
  committed: ['Đã nạp', 'Loaded'],
  refused: ['Bị từ chối', 'Refused'],
  duplicate: ['Trùng tệp đã gửi', 'Duplicate file'],
  failed: ['Lỗi', 'Failed'],
  fresh: ['Mới', 'Fresh'],
  warn: ['Sắp cũ', 'Ageing'],
  error: ['Quá cũ', 'Stale'],
  succeeded: ['Thành công', 'Succeeded'],
  started: ['Đang chạy', 'Running'],
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
  /** 2026-10 → "Tháng 10/2026", 2026-Q3 → "Quý III/2026", 2026 → "Năm 2026"; spans too. */
  const periodText = (code: unknown): string => {
    const s = String(code ?? '')
    // A span: a quarter to a day ("2026-Q4..2026-11-20"), or months ("2026-05..2026-10").
    const span = /^(.+)\.\.(.+)$/.exec(s)
    if (span) {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(span[2]!)
      if (day) return `${periodText(span[1])} (${lang === 'vi' ? 'đến' : 'to'} ${day[3]}/${day[2]}/${day[1]})`
      return `${periodText(span[1])} – ${periodText(span[2])}`
    }
    let m = /^(\d{4})-(\d{2})$/.exec(s)
    if (m) return lang === 'vi' ? `Tháng ${Number(m[2])}/${m[1]}` : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)).toLocaleString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' })
    m = /^(\d{4})-Q([1-4])$/.exec(s)
    if (m) return lang === 'vi' ? `Quý ${ROMAN[Number(m[2]) - 1]}/${m[1]}` : `Q${m[2]} ${m[1]}`
    if (/^\d{4}$/.test(s)) return lang === 'vi' ? `Năm ${s}` : s
    return s
  }
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
    status(s: unknown): string {
      const pair = STATUS[String(s)]
      return pair ? pair[lang === 'vi' ? 0 : 1] : String(s ?? '')
    },
  }
}
export type Formatters = ReturnType<typeof formatters>
