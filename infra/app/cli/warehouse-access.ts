import { loadCatalog, type Catalog } from '../../catalog/load-catalog.ts'
import type { KhoConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import { readServiceFile, type ServiceFile } from '../service/service-file.ts'
import { openWarehouse, type Warehouse } from '../../warehouse/client.ts'

export type Via = { via: 'service'; url: string } | { via: 'direct'; dataDir: string | null }

/** Calls the running service's API, with the admin token from service.json. */
export async function callService<T>(
  service: ServiceFile,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  okStatuses: number[] = [200],
): Promise<T> {
  const isForm = body instanceof FormData
  const res = await fetch(service.url + path, {
    method,
    headers: { [SERVICE_TOKEN_HEADER]: service.token, ...(body === undefined || isForm ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: isForm ? body : JSON.stringify(body) }),
  })
  const json = (await res.json()) as T & { error?: { message: string; message_en: string } }
  if (!okStatuses.includes(res.status)) throw new Error(json.error ? `${json.error.message} / ${json.error.message_en}` : `HTTP ${res.status}`)
  return json
}

/**
 * The embedded warehouse admits one process. When the service runs, a command goes through its
 * HTTP API; otherwise the command opens the warehouse itself and closes it when done.
 */
export async function withWarehouse<T>(
  config: KhoConfig,
  work: {
    service: (service: ServiceFile) => Promise<T>
    direct: (wh: Warehouse, catalog: Catalog) => Promise<T>
  },
): Promise<T & { via: Via }> {
  const service = config.warehouse.kind === 'chdb' ? readServiceFile(config.home) : null
  if (service) {
    const result = await work.service(service)
    return { ...result, via: { via: 'service', url: service.url } }
  }
  const catalog = loadCatalog()
  const wh = openWarehouse(config.warehouse)
  try {
    const result = await work.direct(wh, catalog)
    const dataDir = config.warehouse.kind === 'chdb' ? config.warehouse.dataDir : null
    return { ...result, via: { via: 'direct', dataDir } }
  } finally {
    await wh.close()
  }
}
