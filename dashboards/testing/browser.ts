import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { PROJECT_ROOT } from '../../infra/catalog/load-catalog.ts'

/** Debian's Chromium, installed by .ci/run (`apt-get install -y chromium`); playwright cannot download one here. */
export const CHROMIUM = process.env.KHO_CHROMIUM ?? '/usr/bin/chromium'

/** Where browser tests leave a screenshot of each page they visit. */
export const SCREENSHOTS = path.join(PROJECT_ROOT, 'test-results', 'screenshots')

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`)
  // Without the background-networking flags Chromium keeps trying Google's hosts, which this network refuses.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** Signs in through the login form as one of the demo accounts. */
export async function signIn(page: Page, baseUrl: string, username: string, password = 'kho-demo-2026'): Promise<void> {
  await page.goto(baseUrl + '/')
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForSelector('header.top')
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  const file = path.join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
