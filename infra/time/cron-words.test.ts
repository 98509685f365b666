import { describe, expect, it } from 'vitest'
import { describeCron } from './cron-words.ts'

describe('a schedule in words', () => {
  it('reads the schedules kho ships in Vietnamese and English, and leaves what it cannot say as cron', () => {
    const cases: [string, string, string][] = [
      ['0 7 5 1,4,7,10 *', '07:00 ngày 5 tháng đầu mỗi quý', "07:00 on the 5th of each quarter's first month"],
      ['0 7 20 3,6,9,12 *', '07:00 ngày 20 tháng cuối mỗi quý', "07:00 on the 20th of each quarter's last month"],
      ['0 7 16 * *', '07:00 ngày 16 hằng tháng', '07:00 on the 16th of every month'],
      ['45 3 * * *', '03:45 hằng ngày', '03:45 every day'],
      ['30 6 * * 1-5', '06:30 từ thứ Hai đến thứ Sáu', '06:30, Monday to Friday'],
      ['0 8 * * 1', '08:00 thứ Hai hằng tuần', '08:00 every Monday'],
      ['0 7,13 1,15 * *', '07:00 và 13:00 ngày 1 và 15 hằng tháng', '07:00 and 13:00 on the 1st and 15th of every month'],
      ['0 7 10 1 *', '07:00 ngày 10 tháng 1', '07:00 on the 10th, in January'],
      ['*/5 * * * *', '*/5 * * * *', '*/5 * * * *'],
      ['không phải cron', 'không phải cron', 'không phải cron'],
    ]
    for (const [cron, vi, en] of cases) expect(describeCron(cron), cron).toEqual({ vi, en })
  })
})
