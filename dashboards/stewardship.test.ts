import { describe, expect, it } from 'vitest'
import { communesOf } from '../infra/identifiers/admin-units.ts'
import { containing, periodCode, periodLabel, previous } from '../infra/time/periods.ts'
import * as clock from '../infra/time/clock.ts'
import { screenshot, signIn } from './testing/browser.ts'
import { readWorkbook, useUiService } from './testing/ui-service.ts'
import { emptyTables, languageFaults, settled, visibleTexts } from './testing/page-words.ts'
import type { Page } from 'playwright-core'
import type { Alert } from '../infra/contracts/alert.ts'
import type { RankingAnswer } from '../infra/contracts/ranking.ts'

/*
 * The scorecard, catalogue and administration (steward, admin), error reports, and every page in
 * both languages: in Debian's Chromium against the real service with the demo province loaded, each
 * step checked against the API.
 */
const ui = useUiService()

describe('the scorecard, catalogue and administration (steward, admin)', () => {
  it('ranks agencies on the five criteria and drills to their rejected rows; briefings and administration', async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'quantri')
    await page.goto(`${ui.url}/quality`)
    await page.waitForSelector('[data-testid=scorecard] tbody tr')
    const ranks = await page.$$eval('[data-testid=scorecard] tbody tr td:first-child', (tds) => tds.map((td) => Number(td.textContent)))
    expect(ranks[0]).toBe(1)
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks)
    // A score says how many criteria it averages, and "—" is explained under the table.
    const cells = await page.$$eval('[data-testid=scorecard] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
    for (const c of cells) expect(c[2]).toMatch(new RegExp(`\\(${c.slice(3).filter((x) => x !== '—').length}/5\\)$`))
    expect(cells.some((c) => c.includes('—'))).toBe(true)
    expect(await page.textContent('[data-testid=quality-dash]')).toContain('không áp dụng')
    await page.click('[data-testid=scorecard] button.linkish[data-agency="CA_TINH"]')
    await page.waitForSelector('[data-testid=quality-rejects] tbody tr')
    expect(await page.textContent('[data-testid=quality-rejects]')).toMatch(/CCCD|định danh/)
    await screenshot(page, 'quality')

    await page.goto(`${ui.url}/catalog`)
    await page.waitForSelector('[data-testid=datasets] tbody tr')
    expect(await page.textContent('[data-testid=quality-formulas]')).toContain('Kịp thời')
    // A dataset's columns, enumerations with the labels people write for their codes.
    await page.click('[data-testid=datasets] button:has-text("Đăng ký doanh nghiệp")')
    await page.waitForSelector('[data-testid=dataset-columns] tbody tr')
    expect(await page.textContent('[data-testid=dataset-columns]')).toContain('Đang hoạt động (dang_hoat_dong)')
    // A steward may attach the dataset's technical documentation there.
    expect(await page.$('[data-testid=dataset-attachments] input[type=file]')).not.toBeNull()
    await page.click('text=Từ điển chỉ tiêu')
    await page.waitForSelector('[data-testid=indicators] tbody tr')
    expect(await page.textContent('[data-testid=indicators]')).toContain('GRDP')
    await screenshot(page, 'catalog')

    // A leader's first visit: each briefing already built by the demo for its latest period, its
    // schedule in words; a briefing built now for another quarter, then downloaded.
    const leader = await ui.newPage()
    await signIn(leader, ui.url, 'lanhdao')
    await leader.goto(`${ui.url}/briefings`)
    const quarterly = '[data-testid=briefing-kt_xh_quy]'
    await leader.waitForSelector(`${quarterly} tbody tr button.linkish`)
    expect(await leader.textContent(`${quarterly} [data-testid=schedule]`)).toBe('07:00 ngày 5 tháng đầu mỗi quý')
    const thisQuarter = containing('quarter', new Date(`${clock.today()}T00:00:00Z`))
    const lastQuarter = periodCode(previous(thisQuarter))
    const quarterBefore = periodCode(previous(previous(thisQuarter)))
    expect(await leader.$$eval(`${quarterly} tbody tr button.linkish`, (bs) => bs.map((b) => b.getAttribute('title')))).toEqual([`kt_xh_quy_${lastQuarter}.xlsx`])
    expect(await leader.textContent(`${quarterly} tbody`)).toContain(periodLabel(previous(thisQuarter)))
    expect(await leader.$$eval('[data-testid=briefing-kt_xh_thang] tbody tr', (trs) => trs.length)).toBe(1)
    await leader.selectOption(`${quarterly} select`, quarterBefore)
    await leader.click(`${quarterly} button:has-text("Lập báo cáo ngay")`)
    await leader.waitForSelector(`${quarterly} button.linkish[title="kt_xh_quy_${quarterBefore}.xlsx"]`)
    const [workbook] = await Promise.all([leader.waitForEvent('download'), leader.click(`${quarterly} button.linkish[title="kt_xh_quy_${quarterBefore}.xlsx"]`)])
    const sheet = await readWorkbook((await workbook.path())!)
    expect(sheet.getCell('A2').value).toBe('BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI')
    await screenshot(leader, 'briefings')
    await leader.close()

    await page.goto(`${ui.url}/admin`)
    await page.waitForSelector('[data-testid=audit] tbody tr')
    // Days are typed as dd/mm/yyyy whatever the browser's locale; a day that does not exist is refused.
    const from = page.locator('input[aria-label="Từ ngày"]')
    expect(await from.getAttribute('placeholder')).toBe('dd/mm/yyyy')
    await from.fill('31/02/2026')
    expect(await from.getAttribute('aria-invalid')).toBe('true')
    expect(await from.evaluate((i) => (i as unknown as { validationMessage: string }).validationMessage)).toContain('dd/mm/yyyy')
    const tomorrow = new Date(clock.nowMs() + 86_400_000 + 7 * 3600_000)
    await from.fill(`${String(tomorrow.getUTCDate()).padStart(2, '0')}/${String(tomorrow.getUTCMonth() + 1).padStart(2, '0')}/${tomorrow.getUTCFullYear()}`)
    expect(await from.getAttribute('aria-invalid')).toBeNull()
    // Nothing was logged from tomorrow on: the filter took the typed day.
    await page.locator('[data-testid=audit] tbody tr:nth-child(2)').waitFor({ state: 'detached' })
    await from.fill('')
    await page.waitForSelector('[data-testid=audit] tbody tr:nth-child(2)')
    // A steward reviews accounts (with their last sign-in) but does not change them, and verifies the sharing log.
    await page.waitForSelector('[data-testid=accounts] tbody tr')
    expect(await page.$('[data-edit]')).toBeNull()
    await page.waitForSelector('[data-testid=account-review] summary')
    await page.click('text=Kiểm tra tính toàn vẹn')
    expect(await page.getAttribute('[data-testid=verify-result]', 'data-ok')).toBe('true')
    await screenshot(page, 'admin-steward')
    await page.close()

    const admin = await ui.newPage()
    await signIn(admin, ui.url, 'admin')
    await admin.goto(`${ui.url}/admin`)
    await admin.waitForSelector('[data-testid=accounts] tbody tr')
    expect(await admin.textContent('[data-testid=accounts]')).toContain('canbo.sotc')
    await screenshot(admin, 'admin')
    await admin.close()
  })
})


describe('error reports (analyst reports a value, the owner agency answers and closes it)', () => {
  it('an analyst reports a suspected error on a value; the owner agency sees it, answers and closes it by an explanation', async () => {
    const note = `Số doanh nghiệp mới tháng 10 của phường Bắc Giang cao bất thường ${Date.now()}`
    const analyst = await ui.newPage()
    await signIn(analyst, ui.url, 'phantich')
    await analyst.goto(`${ui.url}/reports`)
    const form = 'form[aria-label="Báo một lỗi trong dữ liệu"]'
    await analyst.waitForSelector(`${form} select[name=indicator_code] option[value=ENT_NEW]`, { state: 'attached' })
    await analyst.selectOption(`${form} select[name=indicator_code]`, 'ENT_NEW')
    // Picked, not typed: the commune by its name, the month by its label.
    await analyst.selectOption(`${form} select[name=unit_code]`, { label: communesOf('24').find((c) => c.code === '07210')!.name })
    await analyst.selectOption(`${form} select[name=period]`, { label: 'Tháng 10/2026' })
    await analyst.fill(`${form} textarea[name=note]`, note)
    await analyst.click(`${form} button[type=submit]`)
    await analyst.waitForSelector('p.state[role=status]:has-text("Đã gửi báo lỗi")')
    await analyst.waitForSelector(`[data-testid=error-reports] tr:has-text("${note}")`)
    await screenshot(analyst, 'error-report-sent')

    const owner = await ui.newPage()
    await signIn(owner, ui.url, 'canbo.sotc')
    // The agency's portal says a report waits for it, and leads to it.
    await owner.goto(`${ui.url}/portal`)
    await owner.click('[data-testid=portal-error-reports] a')
    const row = `[data-testid=error-reports] tr:has-text("${note}")`
    await owner.waitForSelector(row)
    await owner.fill(`${row} textarea[name=answer]`, 'Đúng: tháng 10 có đợt cấp phép dồn từ tháng 9')
    await owner.selectOption(`${row} select`, 'explanation')
    await owner.click(`${row} button[type=submit]`)
    // Closed: gone from the open list, shown among the closed with its answer.
    await owner.waitForSelector(row, { state: 'detached' })
    await owner.click('button:has-text("Đã đóng")')
    await owner.waitForSelector(`${row}:has-text("cấp phép dồn")`)
    await screenshot(owner, 'error-report-closed')

    // The analyst sees the answer; another agency's officer never saw the report.
    const mine = (await ui.apiGet<{ reports: { note: string; status: string; answer: string; unit_code: string; period: string }[] }>('phantich', '/api/error-reports?state=all')).body.reports.find((r) => r.note === note)
    expect(mine).toMatchObject({ unit_code: '07210', period: '2026-10', status: 'closed', answer: 'Đúng: tháng 10 có đợt cấp phép dồn từ tháng 9' })
    const other = (await ui.apiGet<{ reports: { note: string }[] }>('canbo.soyt', '/api/error-reports?state=all')).body.reports
    expect(other.some((r) => r.note === note)).toBe(false)
    await analyst.close()
    await owner.close()
  })
})

describe('the ranking on the data rules (Lào Cai Điều 25)', () => {
  it("an officer sees its agency's place and scores itself beside kho's scores, as people write numbers", async () => {
    const owner = await ui.newPage()
    await signIn(owner, ui.url, 'canbo.sotc')
    await owner.goto(`${ui.url}/portal`)
    const form = '[data-testid=self-assessment-form]'
    await owner.waitForSelector(form)
    expect(await owner.textContent('[data-testid=ranking-status]')).toContain('Tạm tính')
    await owner.fill(`${form} input[name=score-quality]`, '95,5')
    await owner.fill(`${form} input[name=note-quality]`, 'Đã rà soát số liệu quý')
    await owner.click(`${form} button[type=submit]`)
    await owner.waitForSelector('[data-testid=ranking-table] tr[data-agency=SO_TC]:has-text("/ 95,5")')
    await screenshot(owner, 'ranking-self-assessment')
    const ranking = (await ui.apiGet<RankingAnswer>('canbo.sotc', '/api/ranking')).body
    const mine = ranking.agencies.find((a) => a.agency === 'SO_TC')!
    expect(mine.criteria.find((c) => c.criterion === 'quality')).toMatchObject({ self_score: 95.5, self_note: 'Đã rà soát số liệu quý' })
    // The rank the page shows is the API's.
    expect(await owner.textContent('[data-testid=ranking-table] tr[data-agency=SO_TC] td:first-child')).toBe(String(mine.rank))
    await owner.close()
  })
})

describe('alerts (steward)', () => {
  it("says an overdue report's days as the province writes them, and since when it is overdue", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'quantri')
    // The rules are checked each minute; checked now, as the page's button does.
    expect((await fetch(`${ui.url}/api/alerts/check`, { method: 'POST', headers: { authorization: await ui.tokenOf('quantri') } })).status).toBe(200)
    await page.goto(`${ui.url}/alerts`)
    await page.waitForSelector('[data-testid=alerts] tbody tr')
    const { alerts } = (await ui.apiGet<{ alerts: Alert[] }>('quantri', '/api/alerts?state=open')).body
    const overdue = alerts.filter((a) => a.rule === 'dataset_overdue')
    expect(overdue.length).toBeGreaterThan(0)
    const a = overdue[0]!
    const due = String(a.detail.due_on)
    const day = due.split('-').reverse().join('/')
    expect(a.title_vi).toContain(`(hạn ${day})`)
    expect(a.title_en).toContain(`(due ${day})`)
    expect(a.title_en).not.toMatch(/period \d{4}-/)
    // Shown on the page with the day it fell due, and nobody told said in words.
    const row = page.locator('[data-testid=alerts] tbody tr', { hasText: a.title_vi })
    const cells = await row.locator('td').allTextContents()
    expect(cells[4]).toBe(day)
    expect(cells[7]).toBe('Chưa báo ai: chưa cấu hình thư điện tử hay webhook')
    for (const text of await page.$$eval('[data-testid=alerts] tbody td', (tds) => tds.map((td) => td.textContent ?? ''))) expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/)
    await screenshot(page, 'alerts')
    await page.close()
  })
})

describe('every page in both languages', () => {
  /** Parts a page opens on a click (a request's approval, a proposal read, a delivery's documents): read too. */
  const OPENERS = ['[data-testid=to-decide] button[data-action=approve]', '[data-testid=proposals] button[data-action=read]', '[data-testid=history] button[data-load]', '[data-testid=scorecard] button.linkish']
  it.each([
    ['lanhdao', ['/', '/explorer', '/quality', '/briefings', '/catalog', '/reports', '/alerts', '/commune?code=07210']],
    ['phantich', ['/', '/explorer', '/quality', '/briefings', '/catalog', '/reports']],
    ['canbo.sotc', ['/portal', '/sharing', '/explorer', '/catalog', '/reports', '/alerts']],
    ['canbo.x07210', ['/portal', '/sharing', '/explorer', '/reports', '/alerts']],
    ['quantri', ['/', '/portal', '/sharing', '/quality', '/briefings', '/catalog', '/reports', '/alerts', '/admin']],
  ] as const)('%s: no raw codes, ISO days, bare or headless empty lists or the other language on any page', async (user, paths) => {
    const faults: string[] = []
    const agencies = (await ui.apiGet<{ name: string }[]>(user, '/api/catalog/agencies')).body
    const properNames = new Set([...agencies.map((a) => a.name), ...communesOf('24').map((c) => c.name)])
    const read = async (page: Page, where: string, lang: 'vi' | 'en') => {
      for (const f of languageFaults(await visibleTexts(page), lang, properNames)) faults.push(`${lang} ${where}: ${f}`)
      for (const f of await emptyTables(page)) faults.push(`${lang} ${where}: ${f}`)
    }
    // Both languages side by side, each in its own page: most of the time is waiting for a page to settle.
    const readIn = async (lang: 'vi' | 'en') => {
      const page = await ui.newPage()
      await page.addInitScript(`localStorage.setItem('kho.lang', '${lang}')`)
      await signIn(page, ui.url, user)
      for (const p of paths) {
        await page.goto(ui.url + p)
        await page.waitForSelector('main')
        await settled(page)
        // Each of the page's tabs and open-able parts counts too.
        const tabs = await page.$$('[role=tab]')
        for (const tab of tabs.length > 0 ? tabs : [null]) {
          if (tab) {
            await tab.click()
            await settled(page)
          }
          await read(page, p, lang)
          for (const opener of OPENERS) {
            const button = await page.$(opener)
            if (!button) continue
            await button.click()
            await settled(page)
            await read(page, `${p} (${opener})`, lang)
          }
        }
        if (p === '/') {
          // The overview's drill-down: a commune of the ranking opened.
          await page.click('[data-testid=commune-ranking] button.linkish')
          await page.waitForSelector('[data-testid=drill-submissions] tbody tr')
          await read(page, `${p} (drill)`, lang)
        }
        await screenshot(page, `language-${user}-${lang}-${p.replace(/[^a-z0-9]/gi, '') || 'overview'}`)
      }
      await page.close()
    }
    await Promise.all([readIn('vi'), readIn('en')])
    expect([...new Set(faults)].sort()).toEqual([])
  }, 300_000)
})
