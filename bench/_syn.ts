import { launchBrowser, signIn } from '../dashboards/testing/browser.ts'
const url = 'http://localhost:8091'
const b = await launchBrowser()
const page = await b.newPage({ viewport: { width: Number(process.env.W ?? 1440), height: 900 } })
await signIn(page, url, 'quantri')
await page.goto(url + '/admin')
await page.waitForSelector('[data-testid=ask-synonyms] li')
await page.fill('[data-testid=ask-synonyms] input[type=search]', 'ban le')
await page.click('[data-testid=ask-synonyms] li[data-subject=RETAIL_SALES] button')
await page.fill('[data-testid=ask-synonyms] textarea', 'sức mua\nsức mua tiêu dùng')
await page.click('[data-testid=ask-synonyms] form button[type=submit]')
await page.waitForSelector('[data-testid=ask-synonyms] li[data-subject=RETAIL_SALES]:has-text("sức mua tiêu dùng")')
await page.locator('[data-testid=ask-synonyms]').screenshot({ path: '/tmp/syn.png' })
await b.close()
