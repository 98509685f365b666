/**
 * The sharing log in a person's words: what each recorded action was, and each reason in both
 * languages. The log keeps the endpoint's identifier (it is hashed into the chain as written); the
 * pages and the export show these words beside it.
 */
import type { Lang } from './question-words.ts'

export const ENDPOINT_WORDS: Record<string, readonly [vi: string, en: string]> = {
  load: ['Truy vấn số liệu', 'Query'],
  sql: ['Truy vấn SQL', 'SQL query'],
  ask: ['Hỏi đáp', 'Question asked'],
  login: ['Đăng nhập', 'Sign-in'],
  rejects: ['Xem dòng bị từ chối', 'Rejected rows read'],
  outliers: ['Xem giá trị bất thường', 'Unusual values read'],
  'attachment.upload': ['Đính kèm tài liệu', 'Document attached'],
  'attachment.download': ['Tải tài liệu đính kèm', 'Document downloaded'],
  'briefing.build': ['Lập báo cáo định kỳ', 'Briefing made'],
  'briefing.download': ['Tải báo cáo định kỳ', 'Briefing downloaded'],
  'catalog.propose': ['Đề xuất bộ dữ liệu', 'Dataset proposed'],
  'catalog.approve': ['Duyệt bộ dữ liệu', 'Dataset approved'],
  'catalog.refuse': ['Từ chối đề xuất bộ dữ liệu', 'Dataset proposal refused'],
  'catalog.sync': ['Cập nhật danh mục vào kho', 'Catalogue synchronised'],
  'sharing.request': ['Đề nghị khai thác dữ liệu', 'Sharing request'],
  'sharing.decision': ['Quyết định đề nghị khai thác', 'Sharing request decided'],
  'sharing.status': ['Đổi trạng thái quyền khai thác', 'Sharing grant changed'],
  'pull_host.allow': ['Cho phép máy chủ nguồn', 'Source host allowed'],
  'ask_synonyms.set': ['Sửa cách gọi cho Hỏi đáp', 'Question synonyms changed'],
  'pull_host.remove': ['Bỏ máy chủ nguồn', 'Source host removed'],
  'pull.fetch': ['Kéo dữ liệu từ nguồn', 'Data pulled from a source'],
  'secret.set': ['Đặt khóa bí mật', 'Secret set'],
  'secret.delete': ['Xóa khóa bí mật', 'Secret deleted'],
  'push_key.issue': ['Cấp khóa đẩy dữ liệu', 'Push key issued'],
  'push_key.revoke': ['Thu hồi khóa đẩy dữ liệu', 'Push key revoked'],
  'system.register': ['Đăng ký hệ thống khai thác', 'Consuming system registered'],
  'system.change': ['Sửa hệ thống khai thác', 'Consuming system changed'],
  'system.key_issue': ['Cấp khóa cho hệ thống', 'System key issued'],
  'system.key_revoke': ['Thu hồi khóa của hệ thống', 'System key revoked'],
  'open_data.propose': ['Đề xuất công bố dữ liệu mở', 'Open data proposed'],
  'open_data.decide': ['Quyết định công bố dữ liệu mở', 'Open data decided'],
  'open_data.publish': ['Công bố dữ liệu mở', 'Open data published'],
  'open_data.withdraw': ['Rút dữ liệu mở', 'Open data withdrawn'],
  'open_data.download': ['Tải dữ liệu mở', 'Open data downloaded'],
  'map.upload': ['Tải lên ranh giới bản đồ', 'Map boundaries uploaded'],
  'error_report.create': ['Báo lỗi số liệu', 'Error reported'],
  'error_report.answer': ['Trả lời báo lỗi', 'Error report answered'],
  'audit.verify': ['Kiểm tra nhật ký', 'Log verified'],
  'audit.retention': ['Xóa nhật ký quá hạn lưu', 'Old log entries removed'],
  'archive.prune': ['Xóa tệp lưu trữ quá hạn', 'Old archived files removed'],
  'account.create': ['Tạo tài khoản', 'Account created'],
  'account.change': ['Sửa tài khoản', 'Account changed'],
  'account.password': ['Đổi mật khẩu', 'Password changed'],
  'account.reset_password': ['Đặt lại mật khẩu', 'Password reset'],
  'account.review': ['Rà soát tài khoản', 'Account reviewed'],
}

/** An endpoint recorded in words; a refusal at the gate ("GET /api/…") is said as a blocked call. */
export function endpointWords(endpoint: string, lang: Lang): string {
  const words = ENDPOINT_WORDS[endpoint]
  if (words) return words[lang === 'vi' ? 0 : 1]
  if (/^[A-Z]+ \//.test(endpoint)) return lang === 'vi' ? 'Yêu cầu bị chặn tại cổng' : 'Call blocked at the gate'
  return endpoint
}

/** A reason as the log keeps it: both languages in one field (JSON), so the chain hashes both. */
export function reasonText(vi: string, en: string): string {
  return vi || en ? JSON.stringify({ vi, en }) : ''
}

/** Reasons written before they carried both languages, in Vietnamese. */
const EARLIER: Record<string, string> = {
  'wrong username or password': 'Sai tên đăng nhập hoặc mật khẩu',
  'personal values masked': 'Đã che dữ liệu cá nhân',
}

/** A recorded reason in the reader's language (one written in English only is shown as written when unknown). */
export function reasonWords(reason: string, lang: Lang): string {
  if (reason.startsWith('{')) {
    try {
      const r = JSON.parse(reason) as { vi?: string; en?: string }
      return (lang === 'vi' ? r.vi : r.en) ?? reason
    } catch {
      return reason
    }
  }
  return lang === 'vi' ? (EARLIER[reason] ?? reason) : reason
}
