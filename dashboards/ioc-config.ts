import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Catalog } from '../infra/catalog/load-catalog.ts'

const HERE = path.dirname(fileURLToPath(import.meta.url))

const band = z.strictObject({ good: z.number(), warn: z.number() })
const iocSchema = z.strictObject({
  headline: z.array(z.string()).min(1),
  commune_ranking: z.array(z.string()).min(1),
  status: z.strictObject({ plan_pct: band, growth_pct: band }),
  kiosk_refresh_seconds: z.number().int().min(10).max(3600),
  kiosk_rotate_seconds: z.number().int().min(5).max(600),
})
export type IocConfig = z.infer<typeof iocSchema>

/** dashboards/ioc.yaml, checked against the indicator catalogue (an unknown code stops the start). */
export function loadIocConfig(catalog: Catalog, file = path.join(HERE, 'ioc.yaml')): IocConfig {
  const parsed = iocSchema.safeParse(parse(fs.readFileSync(file, 'utf8')))
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  for (const code of [...parsed.data.headline, ...parsed.data.commune_ranking]) {
    if (!catalog.indicator(code)) throw new Error(`${file}: không có chỉ tiêu "${code}" / no indicator "${code}"`)
  }
  for (const code of parsed.data.commune_ranking) {
    if (catalog.indicator(code)!.level !== 'commune') throw new Error(`${file}: "${code}" không báo cáo theo xã / is not reported by commune`)
  }
  return parsed.data
}
