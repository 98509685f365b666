import type { KhoConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
import { buildApp } from '../service/app.ts'
import { bootstrap } from '../service/bootstrap.ts'
import { readServiceFile, type ServiceFile } from '../service/service-file.ts'

export type Via = { via: 'service'; url: string } | { via: 'direct'; dataDir: string | null }
type Method = 'GET' | 'POST' | 'DELETE'

/**
 * How a CLI command reaches kho: one interface, two transports. With the service running (it owns
 * the embedded warehouse), requests go to it over HTTP with the token from service.json; without
 * it, the command bootstraps the same context and app in-process and sends the same requests to
 * the same routes (fastify's inject) — so a command is written once and cannot drift between paths.
 */
export interface KhoClient {
  via: Via
  call<T>(method: Method, path: string, body?: unknown, okStatuses?: number[]): Promise<T>
  close(): Promise<void>
}

function errorOf(status: number, text: string): Error {
  try {
    const e = (JSON.parse(text) as { error?: { message?: string; message_en?: string } }).error
    if (e?.message) return new Error(`${e.message} / ${e.message_en}`)
  } catch {
    // not JSON
  }
  return new Error(`HTTP ${status}`)
}

const isForm = (body: unknown): body is FormData => body instanceof FormData

function httpClient(service: ServiceFile): KhoClient {
  return {
    via: { via: 'service', url: service.url },
    async call<T>(method: Method, path: string, body?: unknown, okStatuses = [200]) {
      const res = await fetch(service.url + path, {
        method,
        headers: { [SERVICE_TOKEN_HEADER]: service.token, ...(body === undefined || isForm(body) ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: isForm(body) ? body : JSON.stringify(body) }),
      })
      const text = await res.text()
      if (!okStatuses.includes(res.status)) throw errorOf(res.status, text)
      return JSON.parse(text) as T
    },
    close: async () => {},
  }
}

async function inProcessClient(config: KhoConfig): Promise<KhoClient> {
  const { ctx } = await bootstrap({ ...config, logLevel: 'silent' }, () => null, { accounts: false })
  const app = buildApp(ctx)
  await app.ready()
  return {
    via: { via: 'direct', dataDir: config.warehouse.kind === 'chdb' ? config.warehouse.dataDir : null },
    async call<T>(method: Method, path: string, body?: unknown, okStatuses = [200]) {
      const res = await app.inject({
        method,
        url: path,
        headers: { [SERVICE_TOKEN_HEADER]: ctx.token, ...(body === undefined || isForm(body) ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: isForm(body) ? body : JSON.stringify(body) }),
      })
      if (!okStatuses.includes(res.statusCode)) throw errorOf(res.statusCode, res.body)
      return JSON.parse(res.body) as T
    },
    async close() {
      // The marts follow what the command delivered before it exits.
      await ctx.transforms.flush()
      await ctx.audit.flush()
      await app.close()
      await ctx.wh.close()
    },
  }
}

/** The running service if there is one (embedded warehouse), else kho in-process. */
export function openClient(config: KhoConfig): Promise<KhoClient> {
  const service = config.warehouse.kind === 'chdb' ? readServiceFile(config.home) : null
  return service ? Promise.resolve(httpClient(service)) : inProcessClient(config)
}

/** Runs `work` with a client and closes it; the result carries how kho was reached. */
export async function withClient<T extends object>(config: KhoConfig, work: (client: KhoClient) => Promise<T>): Promise<T & { via: Via }> {
  const client = await openClient(config)
  try {
    return { ...(await work(client)), via: client.via }
  } finally {
    await client.close()
  }
}
