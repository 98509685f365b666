import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { UNIT_WORDS } from '../../infra/contracts/units.ts'

/** The units' Vietnamese names that are not also English ("tỷ đồng", "lượt"; not "%" or "ha"). */
const VI_UNITS = Object.values(UNIT_WORDS).filter(([vi, en]) => vi !== en).map(([vi]) => vi)

/** What a page shows a person: its visible text nodes, each with whether it sits in a part marked as another language. */
export async function visibleTexts(page: Page): Promise<{ text: string; vi: boolean; raw: boolean }[]> {
  // A string: this file is type-checked without the DOM's types; the script runs in the page.
  return page.evaluate(`(() => {
    const out = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      const text = (n.textContent || '').trim()
      if (!el || !text || el.closest('script,style,[hidden]')) continue
      const box = el.getBoundingClientRect()
      if (el.tagName !== 'OPTION' && (box.width === 0 || box.height === 0)) continue
      // [lang=vi] inside an English page: a name in the data (a commune, an agency, a dataset);
      // code, kbd, [translate=no]: an identifier shown as itself (a CCCD, a file name).
      out.push({ text, vi: el.closest('html[lang=en] [lang=vi]') !== null, raw: el.closest('code,kbd,[translate=no]') !== null })
    }
    for (const input of document.querySelectorAll('input[placeholder],textarea[placeholder]')) {
      const text = input.getAttribute('placeholder') || ''
      if (text && input.getBoundingClientRect().width > 0) out.push({ text, vi: false, raw: false })
    }
    return out
  })()`)
}

export const settled = async (page: Page) => {
  // Not 'networkidle': the overview keeps its live-changes stream (GET /api/live) open.
  await page.waitForLoadState('load')
  // Polled from here: the page's CSP forbids the string evaluation waitForFunction would need.
  // Twice, a moment apart, so a section that starts loading after the first settles is waited for too.
  for (let i = 0; i < 2; i++) {
    await expect.poll(() => page.locator('.state.loading').count(), { timeout: 30_000 }).toBe(0)
    await page.waitForTimeout(400)
  }
}

/** Cube's operator names, which a person must never read (they read "bằng", "trong khoảng"…). */
const OPERATORS = /\b(notEquals|notContains|startsWith|endsWith|notStartsWith|notEndsWith|notSet|inDateRange|notInDateRange|beforeDate|beforeOrOnDate|afterDate|afterOrOnDate|onTheDate|measureFilter)\b/

/** Tables a person sees with their headers and not one row: an empty list must say what is missing instead. */
export async function emptyTables(page: Page): Promise<string[]> {
  return page.evaluate(`(() => [...document.querySelectorAll('table')]
    .filter((t) => t.getBoundingClientRect().height > 0 && t.tHead && t.tBodies.length > 0 && [...t.tBodies].every((b) => b.rows.length === 0))
    .map((t) => 'empty table: ' + (t.closest('[data-testid]')?.getAttribute('data-testid') || t.tHead.textContent.slice(0, 60))))()`)
}

/** A person's words have no snake_case or UPPER_CASE codes, no ISO days or period codes, and none of the other language's words. */
export function languageFaults(texts: { text: string; vi: boolean; raw: boolean }[], lang: 'vi' | 'en', properNames: Set<string>): string[] {
  const faults: string[] = []
  // Words that are English and never Vietnamese written without marks ("to", "do", "in", "an" are Vietnamese too).
  const english = /\b(the|and|of|with|from|for|is|are|not|this|that|each|every|first|next|last|loading|error|page|sign|your|has|have|was|were|or|at|as|by|its|than|then|when|which|who|will|been|into|only|yet|none|days?|months?|year|rows?|files?|data|dataset|upload|download|agency|indicator|report|run|runs|scheduled|schedule|status|pending|approved|refused|committed|rejected|failed|succeeded|skipped|running|overview|explorer|quality|catalogue?|briefings?|sharing|admin)\b/i
  // Vietnamese words that carry meaning in a sentence, not in a name.
  const vietnamese = /(^|[\s(])(của|và|các|những|được|không|với|trong|theo|đã|chưa|này|một|là|cho|từ|đến|có|bị|chờ|đang|tệp|dòng|ngày|tháng|năm|quý|kỳ|lần|báo cáo|chỉ tiêu|dữ liệu)(?=$|[\s,.:;)])/i
  for (const t of texts) {
    if (t.raw) continue
    // A code beside its label, "Sở Tài chính (SO_TC)", is the label's reference, not a code shown instead of it.
    const bare = t.text.replace(/\(([A-Za-z0-9_.\-]+(, ?[A-Za-z0-9_.\-]+)*)\)/g, '')
    // A proper name inside a sentence ("Overdue: … — Sở Nội vụ (due …)") is the name, not the other language.
    const text = lang === 'en' ? [...properNames].reduce((x, name) => (name.length > 3 ? x.split(name).join('') : x), bare) : bare
    if (/\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b/.test(text) || /\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/.test(text)) faults.push(`code: ${t.text}`)
    if (/\b\d{4}-\d{2}-\d{2}\b/.test(text)) faults.push(`ISO day: ${t.text}`)
    if (OPERATORS.test(text)) faults.push(`operator code: ${t.text}`)
    // A day-valued field written as a moment gets a midnight it never had (07:00, a UTC midnight, is
    // also a real hour at which kho runs its jobs, so only 00:00 is told apart here).
    if (/\b00:00 \d{2}\/\d{2}\/\d{4}\b/.test(text)) faults.push(`time on a day: ${t.text}`)
    // An empty state says what is missing, never a bare "no data".
    if (/^(Không có dữ liệu|No data)\.?$/i.test(text.trim())) faults.push(`bare empty state: ${t.text}`)
    if (/\b\d{4}-(Q[1-4]|\d{2})\b/.test(text)) faults.push(`period code: ${t.text}`)
    if (lang === 'vi' && english.test(text) && !/[à-ỹđ]/i.test(text)) faults.push(`English: ${t.text}`)
    // Agencies and communes have no English names: their Vietnamese names are proper names in either language.
    if (lang === 'en' && !t.vi && !properNames.has(text.trim()) && vietnamese.test(text)) faults.push(`Vietnamese: ${t.text}`)
    // A unit left in Vietnamese ("Value (doanh nghiệp)", "15.418 tỷ đồng") on an English page.
    if (lang === 'en' && !t.vi && !properNames.has(text.trim()) && VI_UNITS.some((u) => new RegExp(`(^|[\\s(])${u.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=$|[\\s,.:;)])`, 'i').test(text))) faults.push(`Vietnamese unit: ${t.text}`)
  }
  return [...new Set(faults)]
}
