import https from 'node:https'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import tls from 'node:tls'
import type { KhoConfig } from '../../config.ts'
import { SERVICE_TOKEN_HEADER } from '../../access/gate.ts'
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
  /** A file the service serves (a template, an export), as its bytes. */
  download(path: string): Promise<Buffer>
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

/**
 * A request to a service serving HTTPS, trusting exactly the certificate its service.json names:
 * verified as a chain (the usual roots, or the certificate itself when self-signed), then held to
 * the fingerprint instead of the host name, which is 127.0.0.1 here, not the name it was issued to.
 */
function pinnedRequest(url: string, pin: NonNullable<ServiceFile['tls']>, init: { method: Method; headers: Record<string, string>; body?: string | FormData }): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers }
    let stream: Readable | null = null
    if (init.body instanceof FormData) {
      // Multipart as fetch would send it, streamed: an uploaded file is not held in memory.
      const encoded = new Response(init.body)
      headers['content-type'] = encoded.headers.get('content-type')!
      stream = Readable.fromWeb(encoded.body as unknown as NodeReadableStream)
    }
    const req = https.request(
      url,
      {
        method: init.method,
        headers,
        ca: [...tls.rootCertificates, pin.cert],
        checkServerIdentity: (_host, cert) => (cert.fingerprint256 === pin.fingerprint256 ? undefined : new Error(`fingerprint ${cert.fingerprint256}`)),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(/CERT|SELF_SIGNED|TLS|SIGNATURE/.test(err.code ?? '') || err.message.startsWith('fingerprint') ? new Error(`${url}: the service's certificate is not the one service.json names (${err.message})`) : err),
    )
    if (stream) stream.on('error', reject).pipe(req)
    else req.end(init.body)
  })
}

function httpClient(service: ServiceFile): KhoClient {
  const send = async (method: Method, path: string, body: unknown, okStatuses: number[]): Promise<Buffer> => {
    const init = {
      method,
      headers: { [SERVICE_TOKEN_HEADER]: service.token, ...(body === undefined || isForm(body) ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: isForm(body) ? body : JSON.stringify(body) }),
    }
    let status: number
    let bytes: Buffer
    if (service.tls) ({ status, bytes } = await pinnedRequest(service.url + path, service.tls, init))
    else {
      const res = await fetch(service.url + path, init)
      ;[status, bytes] = [res.status, Buffer.from(await res.arrayBuffer())]
    }
    if (!okStatuses.includes(status)) throw errorOf(status, bytes.toString('utf8'))
    return bytes
  }
  return {
    via: { via: 'service', url: service.url },
    async call<T>(method: Method, path: string, body?: unknown, okStatuses = [200]) {
      return JSON.parse((await send(method, path, body, okStatuses)).toString('utf8')) as T
    },
    download: (path) => send('GET', path, undefined, [200]),
    close: async () => {},
  }
}

async function inProcessClient(config: KhoConfig): Promise<KhoClient> {
  // The whole app (the engine, the model compiler) is loaded only here: a command sent to a running
  // service starts in a fraction of the time (~0.5 s instead of ~3 s).
  const [{ bootstrap }, { buildApp }] = await Promise.all([import('../service/bootstrap.ts'), import('../service/app.ts')])
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
    async download(path: string) {
      const res = await app.inject({ method: 'GET', url: path, headers: { [SERVICE_TOKEN_HEADER]: ctx.token } })
      if (res.statusCode !== 200) throw errorOf(res.statusCode, res.body)
      return res.rawPayload
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
