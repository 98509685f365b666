import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshot, signIn } from './testing/browser.ts'
import { settled } from './testing/page-words.ts'
import { useUiService } from './testing/ui-service.ts'

/*
 * The leaders' overview on the screens they read it on: a phone in a meeting, a tablet, a desk
 * screen — no page wider than its screen, the header a small part of a phone, the pages behind a
 * menu there, the tiles two by two, and one row of navigation on the desk.
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
