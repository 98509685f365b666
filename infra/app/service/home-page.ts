import fs from 'node:fs'
import { fileURLToPath } from 'node:url'

const STATUS_PAGE = fileURLToPath(new URL('../../../dashboards/status-page/index.html', import.meta.url))

let cached: string | null = null

/** The page at "/": the dashboards' status page (read once; it only calls the public API). */
export function homePage(): string {
  cached ??= fs.readFileSync(STATUS_PAGE, 'utf8')
  return cached
}
