import type { Catalog } from '../catalog/load-catalog.ts'
import type { KhoConfig } from '../config.ts'
import type { Warehouse } from '../warehouse/client.ts'

export interface DemoProgress {
  state: 'off' | 'pending' | 'seeding' | 'ready' | 'failed'
  done: number
  total: number
  error: string | null
}

/** What every route handler may use; built once by the service bootstrap. */
export interface ServiceContext {
  config: KhoConfig
  catalog: Catalog
  wh: Warehouse
  /** Shared secret for local admin commands (see service-file.ts). */
  token: string
  demo: DemoProgress
  startedAt: Date
}
