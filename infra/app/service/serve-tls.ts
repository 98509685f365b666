import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type https from 'node:https'
import type { FastifyBaseLogger } from 'fastify'
import type { KhoConfig } from '../../config.ts'
import { readTls, watchTls, type TlsMaterial } from '../../http/tls.ts'
import type { KhoApp } from './app.ts'

export interface TlsServing {
  /** The plain-HTTP listener that sends every request to HTTPS, when one is configured. */
  redirectUrl: string | null
  stop(): Promise<void>
}

/**
 * What serving HTTPS directly adds to the listening app: the certificate re-read when its files
 * change (polled) or on SIGHUP and swapped in for new connections without a restart, and a plain
 * HTTP port answering every request with a permanent redirect to the same path over HTTPS.
 */
export async function serveTls(
  app: KhoApp,
  tls: NonNullable<KhoConfig['tls']>,
  port: number,
  first: TlsMaterial,
  log: FastifyBaseLogger,
  onReload: (m: TlsMaterial) => void,
): Promise<TlsServing> {
  const server = app.server as unknown as https.Server
  let served = first
  const apply = (m: TlsMaterial) => {
    server.setSecureContext({ cert: m.cert, key: m.key })
    served = m
    onReload(m)
    log.info({ fingerprint256: m.fingerprint256, valid_to: m.validTo }, 'TLS certificate reloaded')
  }
  const refused = (err: Error) => log.error({ err: err.message }, 'TLS certificate not reloaded; the current one is still served')
  const unwatch = watchTls(tls, first, apply, refused, tls.reloadSeconds * 1000)
  const onHangup = () => {
    try {
      const m = readTls(tls)
      if (m.fingerprint256 !== served.fingerprint256 || !m.key.equals(served.key)) apply(m)
    } catch (err) {
      refused(err as Error)
    }
  }
  process.on('SIGHUP', onHangup)

  let redirect: http.Server | null = null
  if (tls.redirectPort !== null) {
    // The host people use (KHO_PUBLIC_URL) when set; else the one the request named, without its port.
    redirect = http.createServer((req, res) => {
      const host = tls.redirectHost ?? (req.headers.host ?? 'localhost').replace(/:\d+$/, '')
      const target = `https://${host}${port === 443 ? '' : `:${port}`}${req.url ?? '/'}`
      res.writeHead(308, { location: target, 'content-type': 'text/plain; charset=utf-8' })
      res.end(`Chuyển sang HTTPS / Moved to HTTPS: ${target}\n`)
    })
    await new Promise<void>((resolve, reject) => {
      redirect!.once('error', reject)
      redirect!.listen(tls.redirectPort!, (app.server.address() as AddressInfo).address, () => resolve())
    })
  }
  const address = redirect?.address() as AddressInfo | undefined
  return {
    redirectUrl: address ? `http://127.0.0.1:${address.port}` : null,
    async stop() {
      unwatch()
      process.off('SIGHUP', onHangup)
      if (redirect) await new Promise<void>((r) => redirect!.close(() => r()))
    },
  }
}
