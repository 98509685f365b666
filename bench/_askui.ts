import { launchBrowser, signIn } from '../dashboards/testing/browser.ts'
const url = 'http://localhost:8091'
const b = await launchBrowser()
const page = await b.newPage({ viewport: { width: Number(process.env.W ?? 1440), height: 900 } })
await signIn(page, url, process.env.U ?? 'lanhdao')
await page.waitForSelector('[data-testid=ask] input')
await page.fill('[data-testid=ask] input', process.env.Q ?? 'số hộ nghèo năm 2025 theo xã')
await page.press('[data-testid=ask] input', 'Enter')
await page.waitForSelector('[data-testid=ask-answer], .ask .error, [role=alert]', { timeout: 15000 }).catch(() => null)
await page.waitForTimeout(1500)
console.log(await page.textContent('[data-testid=ask]'))
await page.locator('[data-testid=ask]').screenshot({ path: '/tmp/ask1.png' })
if (await page.$('[data-testid=ask-open]')) {
  await page.click('[data-testid=ask-open]')
  await page.waitForURL(/\/explorer/)
  await page.waitForTimeout(3000)
  await page.screenshot({ path: '/tmp/ask2.png', fullPage: false })
  console.log('EXPLORER:', (await page.textContent('main'))?.slice(0, 1500))
}
await b.close()
