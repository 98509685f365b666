/**
 * The quarterly assessment and ranking of agencies on carrying out the data rules (Lào Cai Điều 25,
 * criteria a–g): what `GET /api/ranking` answers, the quality page shows and the open-data
 * publication lists. Each criterion says what it measures and where kho reads it, so an agency can
 * check its own score; each agency's self-assessment stands beside kho's.
 */

/** Vietnamese legal lettering: a, b, c, d, đ, e, g (seven criteria). */
export const RANKING_CRITERIA = ['quality', 'timeliness', 'registers', 'sharing', 'systems', 'use', 'error_reports'] as const
export type RankingCriterion = (typeof RANKING_CRITERIA)[number]

export interface CriterionWords {
  letter: string
  vi: string
  en: string
  /** Where the score comes from and how it is counted. */
  source_vi: string
  source_en: string
}

/** A request, a report: answered within this many days counts as answered on time. */
export const ANSWER_DAYS = 10
/** A quarter's ranking is published by the nightly job this many days after it ends (a steward may publish it sooner). */
export const PUBLISH_AFTER_DAYS = 20

export const CRITERION_WORDS: Record<RankingCriterion, CriterionWords> = {
  quality: {
    letter: 'a',
    vi: 'Chất lượng dữ liệu',
    en: 'Data quality',
    source_vi: 'Trung bình các điểm đầy đủ, hợp lệ, nhất quán, chính xác của quý trong bảng điểm chất lượng dữ liệu',
    source_en: "Mean of the quarter's completeness, validity, consistency and accuracy scores in the data quality scores",
  },
  timeliness: {
    letter: 'b',
    vi: 'Báo cáo chỉ tiêu đúng hạn',
    en: 'Indicator reports on time',
    source_vi: 'Số báo cáo chỉ tiêu kinh tế - xã hội nộp đúng hạn trên số báo cáo đến hạn trong quý',
    source_en: 'Economic and social indicator reports delivered on time out of those due in the quarter',
  },
  registers: {
    letter: 'c',
    vi: 'Cập nhật cơ sở dữ liệu đúng hạn',
    en: 'Registers kept current',
    source_vi: 'Số kỳ gửi bộ dữ liệu của cơ quan đúng hạn trên số kỳ đến hạn trong quý, theo thời hạn của từng bộ dữ liệu trong danh mục',
    source_en: "The agency's dataset deliveries on time out of those due in the quarter, by each dataset's deadline in the catalogue",
  },
  sharing: {
    letter: 'd',
    vi: 'Trả lời yêu cầu chia sẻ',
    en: 'Answering sharing requests',
    source_vi: `Số yêu cầu chia sẻ dữ liệu của cơ quan được cơ quan trả lời trong ${ANSWER_DAYS} ngày trên số yêu cầu nhận trong quý đã đến hạn trả lời`,
    source_en: `Requests for the agency's data it answered within ${ANSWER_DAYS} days out of those received in the quarter and due`,
  },
  systems: {
    letter: 'đ',
    vi: 'Kết nối hệ thống thông tin',
    en: 'Information systems connected',
    source_vi: 'Số hệ thống phải kết nối do cơ quan chịu trách nhiệm đã kết nối (trao đổi trong 90 ngày) trên số hệ thống phải kết nối, tại lúc đánh giá',
    source_en: 'Required systems the agency answers for that are connected (an exchange within 90 days) out of those required, when assessed',
  },
  use: {
    letter: 'e',
    vi: 'Khai thác dữ liệu dùng chung',
    en: 'Use of shared data',
    source_vi: 'Số quyền khai thác dữ liệu của cơ quan khác được cơ quan sử dụng trong quý (theo nhật ký chia sẻ) trên số quyền còn hiệu lực trong quý',
    source_en: "Grants to other agencies' data the agency used in the quarter (by the sharing log) out of its grants in force in the quarter",
  },
  error_reports: {
    letter: 'g',
    vi: 'Xử lý báo lỗi dữ liệu',
    en: 'Handling error reports',
    source_vi: `Số báo lỗi về dữ liệu của cơ quan đã được trả lời hoặc khắc phục trên số báo lỗi nhận trong quý đã quá ${ANSWER_DAYS} ngày`,
    source_en: `Error reports on the agency's data answered or fixed out of those received in the quarter more than ${ANSWER_DAYS} days before`,
  },
}

/** One criterion of one agency: kho's score (0–100; null when nothing of it fell to the agency) and the agency's own. */
export interface CriterionScore {
  criterion: RankingCriterion
  score: number | null
  /** What the score counts (done of due), when it is a count. */
  done: number | null
  of: number | null
  self_score: number | null
  self_note: string
}

export interface AgencyRanking {
  agency: string
  agency_name: string
  /** The mean of the criteria that apply; null when none does. */
  composite: number | null
  /** The mean of the agency's own scores, when it gave any. */
  self_composite: number | null
  rank: number | null
  criteria: CriterionScore[]
}

export interface RankingAnswer {
  /** "2026-Q3". */
  quarter: string
  /** Published (frozen, open data) or provisional (computed at each read). */
  status: 'published' | 'provisional'
  assessed_at: string
  /** Quarters there is something to show for, newest first. */
  quarters: string[]
  /** Whether the caller may publish this quarter now (a steward, once it ended). */
  publishable: boolean
  /** The agency the caller may self-assess for, while the quarter is not published. */
  self_assessor: string | null
  agencies: AgencyRanking[]
}

/** `PUT /api/ranking/self-assessment`. */
export interface SelfAssessmentBody {
  quarter: string
  agency?: string
  scores: { criterion: RankingCriterion; score: number | null; note?: string }[]
}

export const SELF_NOTE_MAX = 2000
