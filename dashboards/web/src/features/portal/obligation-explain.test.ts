import { describe, expect, it } from 'vitest'
import { explainObligation, type ObligationFacts } from './obligation-explain.ts'

const periodic: ObligationFacts = { status: 'on_time', due: '16/11/2026', received: '09/11/2026', daysLate: 0, changes: 0, changesLate: 0, rule: { after: 'period_end', days: 15 } }
const register: ObligationFacts = { status: 'late', due: '27/11/2026', received: '25/11/2026', daysLate: 2, changes: 120, changesLate: 3, rule: { after: 'change', working_days: 2 } }

describe('why an obligation has its status', () => {
  it('says each status of a periodic delivery with its dates and rule', () => {
    expect(explainObligation(periodic, 'vi')).toBe('Nhận 09/11/2026, trong hạn 16/11/2026. Hạn: 15 ngày sau khi hết kỳ, lùi sang ngày làm việc nếu trùng ngày nghỉ.')
    expect(explainObligation({ ...periodic, status: 'late', received: '20/11/2026', daysLate: 3 }, 'vi')).toMatch(/^Nhận 20\/11\/2026, sau hạn 16\/11\/2026: trễ 3 ngày làm việc\./)
    expect(explainObligation({ ...periodic, status: 'missing', received: '' }, 'vi')).toMatch(/^Đã quá hạn 16\/11\/2026, chưa nhận được\./)
    expect(explainObligation({ ...periodic, status: 'pending', received: '' }, 'vi')).toMatch(/^Chưa đến hạn 16\/11\/2026\./)
    expect(explainObligation({ ...periodic, status: 'rejected', received: '' }, 'vi')).toMatch(/bị từ chối/)
    expect(explainObligation({ ...periodic, status: 'late', daysLate: 1 }, 'en')).toMatch(/1 working day late\./)
  })

  it('explains a register kept on the change rule: late though sent before the date shown', () => {
    // The case: sent 25/11, "late" because three of the month's changes arrived after their own deadlines.
    expect(explainObligation(register, 'vi')).toBe(
      'Mỗi thay đổi phải gửi trong 2 ngày làm việc kể từ ngày thay đổi. Trong tháng có 120 thay đổi, 3 thay đổi gửi trễ (trễ nhất 2 ngày làm việc). Lần gửi gần nhất: 25/11/2026.',
    )
    expect(explainObligation({ ...register, status: 'on_time', changesLate: 0, daysLate: 0 }, 'en')).toBe(
      'Each change is due within 2 working days of the day it happened. 120 changes this month, all sent on time. Last sent: 25/11/2026.',
    )
    expect(explainObligation({ ...register, status: 'missing', changes: 0, changesLate: 0, received: '' }, 'vi')).toMatch(/Cả tháng không nhận được lần gửi nào\.$/)
  })
})
