import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { WEB_DIST } from '../dashboard-routes.ts'
import { launchBrowser } from './browser.ts'

/**
 * The real service with the demo province loaded and Debian's Chromium, for a file of dashboard
 * tests: started before the file's tests, stopped after; with the API calls the tests check pages
 * against. Each file starts its own (vitest runs files apart), so a file holds one role's story.
 */
export interface UiService {
  readonly service: RunningService
  readonly url: string
  /** A folder of the test's own, for the files it writes. */
  readonly home: string
  tokenOf(username: string): Promise<string>
  apiGet<T>(username: string, p: string): Promise<{ status: number; body: T }>
  cubeLoad(username: string, query: unknown): Promise<Record<string, unknown>[]>
  newPage(): Promise<Page>
}

export function useUiService(): UiService {
  const home = tempDir('kho-ui-')
  let service: RunningService
  let browser: Browser
  const tokens = new Map<string, string>()

  beforeAll(async () => {
    expect(fs.existsSync(path.join(WEB_DIST, 'index.html')), 'run `npm run build` first (npm test does)').toBe(true)
    service = await startService(
      // Every page here signs in through the form from 127.0.0.1, dozens of times within five minutes:
      // the sign-in limits (tested in infra/access/probe-findings.test.ts) are lifted so they do not decide the outcome.
      loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: '1', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'admin', KHO_ADMIN_PASSWORD: 'kho-demo-2026', KHO_LOGIN_ATTEMPTS: '1000', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '10000' }),
    )
    await service.demoDone
    expect(service.ctx.demo.state).toBe('ready')
    browser = await launchBrowser()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await service?.stop()
  })

  const ui: UiService = {
    home,
    get service() {
      return service
    },
    get url() {
      return service.url
    },
    async tokenOf(username) {
      if (!tokens.has(username)) {
        const res = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'kho-demo-2026' }) })
        tokens.set(username, ((await res.json()) as { token: string }).token)
      }
      return tokens.get(username)!
    },
    async apiGet<T>(username: string, p: string) {
      const res = await fetch(service.url + p, { headers: { authorization: await ui.tokenOf(username) } })
      return { status: res.status, body: (await res.json().catch(() => null)) as T }
    },
    async cubeLoad(username, query) {
      const res = await fetch(`${service.url}/cubejs-api/v1/load`, { method: 'POST', headers: { authorization: await ui.tokenOf(username), 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      const body = (await res.json()) as { data: Record<string, unknown>[] }
      expect(res.status).toBe(200)
      return body.data
    },
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
      page.on('pageerror', (err) => {
        throw err
      })
      return page
    },
  }
  return ui
}

export async function readWorkbook(file: string, sheet?: string): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  return sheet ? wb.getWorksheet(sheet)! : wb.worksheets[0]!
}
