import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshot, signIn } from './testing/browser.ts'
import { settled } from './testing/page-words.ts'
import { useUiService } from './testing/ui-service.ts'

/*
 * The leaders' overview on the screens they read it on: a phone in a meeting, a tablet, a desk
 * screen — no page wider than its screen, the header a small part of a phone, the pages behind a
 * menu there, the tiles two by two, and one row of navigation on the desk — and the operations
 * centre's wall: the screen exactly, read from across the room, turning its screens on its own.
 */
const ui = useUiService()

/** How far the page runs past the screen's right edge (0: it does not). */
const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>
const headerHeight = (page: Page) => page.$eval('header.top', (el) => el.getBoundingClientRect().height)

async function overviewAt(width: number, height: number): Promise<Page> {
  const page = await ui.newPage()
  await page.setViewportSize({ width, height })
  await signIn(page, ui.url, 'lanhdao')
  await page.waitForSelector('.tiles .tile')
  await settled(page)
  return page
}

describe('the overview on every screen', () => {
  it('on a phone (390×844): no sideways scrolling, a header under a fifth of the screen, pages behind a menu, tiles two by two', async () => {
    const page = await overviewAt(390, 844)
    expect(await overflow(page)).toBeLessThanOrEqual(0)
    expect(await headerHeight(page)).toBeLessThanOrEqual(844 / 5)
    expect(await page.isVisible('nav[aria-label=main]')).toBe(false)
    const tops = await page.$$eval('.tiles .tile', (tiles) => tiles.slice(0, 4).map((t) => Math.round(t.getBoundingClientRect().top)))
    expect(tops[0]).toBe(tops[1])
    expect(tops[2]).toBeGreaterThan(tops[0]!)
    await screenshot(page, 'screens-phone-overview')
    // The menu opens the pages; the page opened closes it.
    await page.click('header.top .menu')
    expect(await page.isVisible('nav[aria-label=main]')).toBe(true)
    await page.click('nav[aria-label=main] a[href="/explorer"]')
    await page.waitForSelector('[data-testid=question-search]')
    await settled(page)
    expect(await page.isVisible('nav[aria-label=main]')).toBe(false)
    expect(await overflow(page)).toBeLessThanOrEqual(0)
    await page.close()
  }, 120_000)

  it.each([
    [768, 1024],
    [1440, 900],
    [1920, 1080],
  ])('at %i×%i: no sideways scrolling, the navigation on one row at a desk', async (width, height) => {
    const page = await overviewAt(width, height)
    expect(await overflow(page)).toBeLessThanOrEqual(0)
    expect(await page.isVisible('nav[aria-label=main]')).toBe(true)
    if (width >= 1440) {
      const rows = await page.$$eval('nav[aria-label=main] a', (links) => new Set(links.map((a) => Math.round(a.getBoundingClientRect().top))).size)
      expect(rows).toBe(1)
    }
    await screenshot(page, `screens-${width}-overview`)
    await page.close()
  }, 120_000)
})

describe('the navigation of the role with most pages', () => {
  it("keeps a steward's ten pages on one row at 1440 px and two at 1280 px, the account in the sign-out button's title", async () => {
    const page = await ui.newPage()
    await signIn(page, ui.url, 'quantri')
    await page.waitForSelector('nav[aria-label=main] a')
    const rows = () => page.$$eval('nav[aria-label=main] a', (links) => new Set(links.map((a) => Math.round(a.getBoundingClientRect().top))).size)
    await page.setViewportSize({ width: 1440, height: 900 })
    expect(await page.$$eval('nav[aria-label=main] a', (links) => links.length)).toBe(10)
    expect(await rows()).toBe(1)
    await page.setViewportSize({ width: 1280, height: 800 })
    expect(await rows()).toBeLessThanOrEqual(2)
    expect(await page.getAttribute('header.top button:has-text("Đăng xuất")', 'title')).toBe('quantri · Quản trị dữ liệu')
    await screenshot(page, 'screens-steward-nav-1280')
    await page.close()
  })
})

/** How far the page runs past the screen's bottom (0: it does not). */
const overflowDown = (page: Page) => page.evaluate('document.documentElement.scrollHeight - window.innerHeight') as Promise<number>

describe('the wall', () => {
  it.each([
    [1920, 1080],
    [1440, 900],
  ])('at %i×%i: each screen fits without scrolling, in type read from across a room, with nothing to click', async (width, height) => {
    const page = await ui.newPage()
    await page.setViewportSize({ width, height })
    await signIn(page, ui.url, 'lanhdao')
    for (const screen of ['tiles', 'trend', 'communes']) {
      await page.goto(`${ui.url}/kiosk?screen=${screen}`)
      await page.waitForSelector(`[data-testid=wall][data-screen=${screen}][data-ready=true]`)
      await page.waitForSelector(screen === 'tiles' ? '.tiles .tile' : screen === 'trend' ? '[data-testid=trend] .recharts-line' : '[data-testid=commune-bars] .recharts-bar-rectangle')
      await settled(page)
      expect(await overflow(page), screen).toBeLessThanOrEqual(0)
      expect(await overflowDown(page), screen).toBeLessThanOrEqual(0)
      // Every tile's words inside its box (a box too small clips them, which no scrollbar shows).
      const clipped = await page.$$eval('.tile', (tiles) => tiles.filter((t) => t.scrollHeight > t.clientHeight + 1).map((t) => t.getAttribute('data-testid')))
      expect(clipped, screen).toEqual([])
      // The smallest type on the screen: 16 px and up (the old kiosk had 11 px lines).
      // (Text on the screen only: the chart library measures its labels in a span placed far off it.)
      const smallest = await page.evaluate(
        `Math.min(...[...document.querySelectorAll('body *')].filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) }).map((el) => parseFloat(getComputedStyle(el).fontSize)))`,
      )
      expect(smallest, screen).toBeGreaterThanOrEqual(16)
      // Nothing to touch: no links, pagers, menus or buttons.
      expect(await page.$$eval('a, button, select, input, [role=button]', (els) => els.filter((e) => e.getClientRects().length > 0).length), screen).toBe(0)
      // The period and when its data arrived, in words.
      const head = (await page.textContent('.wall-head'))!
      expect(head).toMatch(/Tháng \d{1,2}\/\d{4}/)
      expect(head).toMatch(/Số liệu nhận lúc \d{2}:\d{2},? \d{2}\/\d{2}\/\d{4}|Số liệu nhận lúc \d{2}\/\d{2}\/\d{4},? \d{2}:\d{2}/)
      if (screen === 'trend') {
        // The year-end forecast, marked as one, inside its range, with how it was made.
        const forecast = page.locator('[data-testid=forecast]')
        expect(await forecast.textContent()).toMatch(/^Dự báo Cả năm \d{4}: .+ \(khoảng .+\).*Cách tính: lũy kế \d+ tháng/)
        const [value, low, high] = await Promise.all(['data-value', 'data-low', 'data-high'].map(async (a) => Number(await forecast.getAttribute(a))))
        expect(low).toBeLessThanOrEqual(value!)
        expect(value).toBeLessThanOrEqual(high!)
      }
      await screenshot(page, `screens-wall-${width}-${screen}`)
    }
    await page.close()
  }, 180_000)

  it('turns its screens on its own, and the trend names its months', async () => {
    const page = await ui.newPage()
    await page.setViewportSize({ width: 1920, height: 1080 })
    await signIn(page, ui.url, 'lanhdao')
    await page.goto(`${ui.url}/kiosk?rotate=2`)
    await page.waitForSelector('[data-testid=wall][data-screen=tiles]')
    await page.waitForSelector('[data-testid=wall][data-screen=trend]', { timeout: 10_000 })
    await page.waitForSelector('[data-testid=trend] .recharts-line')
    const ticks = await page.$$eval('[data-testid=trend] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value', (ts) => ts.map((t) => t.textContent))
    expect(ticks.slice(0, 3)).toEqual(['T1', 'T2', 'T3'])
    await page.waitForSelector('[data-testid=wall][data-screen=communes]', { timeout: 10_000 })
    await page.waitForSelector('[data-testid=wall][data-screen=tiles]', { timeout: 10_000 })
    await page.close()
  }, 60_000)
})
