import type { Lang } from '../../strings.ts'
import type { DeadlineAnswer } from '../../../../../infra/contracts/catalog.ts'

/** A deadline rule as the catalogue gives it (GET /api/catalog/datasets, /api/catalog/indicators). */
export type DeadlineRule = DeadlineAnswer

/** One obligation's facts, with its days already written for the reader ("16/11/2026"). */
export interface ObligationFacts {
  status: string
  due: string
  received: string
  daysLate: number
  /** For a register kept on the change rule: the month's changes and those that arrived late. */
  changes: number
  changesLate: number
  rule: DeadlineRule | undefined
}

const n = (x: number, lang: Lang) => x.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')
const plural = (x: number, one: string, many: string) => (x === 1 ? one : many)

/**
 * Why an obligation has its status, in a sentence with its rule and its days: an officer reads
 * "Trễ hạn" beside a delivery made before the date shown and must be able to tell why.
 */
export function explainObligation(f: ObligationFacts, lang: Lang): string {
  const vi = lang === 'vi'
  if (f.rule?.after === 'change') {
    const w = f.rule.working_days ?? 0
    const rule = vi ? `Mỗi thay đổi phải gửi trong ${w} ngày làm việc kể từ ngày thay đổi.` : `Each change is due within ${w} working ${plural(w, 'day', 'days')} of the day it happened.`
    const month =
      f.changes > 0
        ? f.changesLate > 0
          ? vi
            ? `Trong tháng có ${n(f.changes, lang)} thay đổi, ${n(f.changesLate, lang)} thay đổi gửi trễ (trễ nhất ${n(f.daysLate, lang)} ngày làm việc).`
            : `${n(f.changes, lang)} ${plural(f.changes, 'change', 'changes')} this month, ${n(f.changesLate, lang)} sent late (the latest by ${n(f.daysLate, lang)} working ${plural(f.daysLate, 'day', 'days')}).`
          : vi
            ? `Trong tháng có ${n(f.changes, lang)} thay đổi, đều gửi đúng hạn.`
            : `${n(f.changes, lang)} ${plural(f.changes, 'change', 'changes')} this month, all sent on time.`
        : f.status === 'missing'
          ? vi
            ? 'Cả tháng không nhận được lần gửi nào.'
            : 'Nothing arrived in the whole month.'
          : f.status === 'pending'
            ? vi
              ? 'Tháng chưa kết thúc.'
              : 'The month is not over.'
            : f.status === 'rejected'
              ? vi
                ? 'Các tệp gửi trong tháng đều bị từ chối.'
                : 'Every file sent this month was refused.'
              : vi
                ? 'Trong tháng không có thay đổi mới.'
                : 'No new changes this month.'
    const last = f.received ? (vi ? ` Lần gửi gần nhất: ${f.received}.` : ` Last sent: ${f.received}.`) : ''
    return `${rule} ${month}${last}`
  }
  const rule = f.rule?.days !== undefined ? (vi ? ` Hạn: ${f.rule.days} ngày sau khi hết kỳ, lùi sang ngày làm việc nếu trùng ngày nghỉ.` : ` Due ${f.rule.days} days after the period ends, moved to a working day if it falls on a day off.`) : ''
  switch (f.status) {
    case 'on_time':
      return (vi ? `Nhận ${f.received}, trong hạn ${f.due}.` : `Received ${f.received}, by the due date ${f.due}.`) + rule
    case 'late':
      return (
        (vi
          ? `Nhận ${f.received}, sau hạn ${f.due}: trễ ${n(f.daysLate, lang)} ngày làm việc.`
          : `Received ${f.received}, after the due date ${f.due}: ${n(f.daysLate, lang)} working ${plural(f.daysLate, 'day', 'days')} late.`) + rule
      )
    case 'pending':
      return (vi ? `Chưa đến hạn ${f.due}.` : `Not due until ${f.due}.`) + rule
    case 'rejected':
      return (vi ? `Tệp đã gửi bị từ chối; chưa có tệp đạt. Hạn ${f.due}.` : `The file sent was refused; none has passed yet. Due ${f.due}.`) + rule
    case 'missing':
      return (vi ? `Đã quá hạn ${f.due}, chưa nhận được.` : `Past its due date ${f.due}, not received.`) + rule
    default:
      return rule.trim()
  }
}
