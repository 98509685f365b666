import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import https from 'node:https'
import type { TLSSocket } from 'node:tls'
import path from 'node:path'
import { X509Certificate } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { ConfigError, loadConfig } from '../../config.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { readServiceFile } from './service-file.ts'
import { startService, type RunningService } from './start-service.ts'

/*
 * HTTPS served directly: with a certificate the test makes (openssl), HSTS, the redirect from
 * plain HTTP, a renewed certificate taken without a restart, and the CLI still reaching the service.
 */
const run = promisify(execFile)
const home = tempDir('kho-tls-')
const certs = tempDir('kho-tls-certs-')
const certFile = path.join(certs, 'kho.crt')
const keyFile = path.join(certs, 'kho.key')
const env = {
  ...process.env,
  KHO_HOME: home,
  PORT: '0',
  HOST: '127.0.0.1',
  KHO_DEMO: 'off',
  KHO_LOG_LEVEL: 'silent',
  KHO_TLS_CERT: certFile,
  KHO_TLS_KEY: keyFile,
  KHO_TLS_REDIRECT_PORT: '0',
  KHO_TLS_RELOAD_S: '1',
}

/** A self-signed certificate for kho.test and 127.0.0.1, written to `dir`; its fingerprint. */
function makeCertificate(dir: string, name: string): { cert: string; key: string; fingerprint: string } {
  const cert = path.join(dir, `${name}.crt`)
  const key = path.join(dir, `${name}.key`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=kho.test/O=${name}`, '-addext', 'subjectAltName=DNS:kho.test,IP:127.0.0.1'], { stdio: 'ignore' })
  return { cert, key, fingerprint: new X509Certificate(fs.readFileSync(cert)).fingerprint256 }
}

/** GET over HTTPS trusting `ca`: status, headers and the certificate the server presented. */
function getTls(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; fingerprint: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: fs.readFileSync(ca), agent: false }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString('utf8')))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, fingerprint, body }))
    })
    req.on('error', reject)
  })
}

async function kho(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env, cwd: PROJECT_ROOT })
    return { code: 0, stdout }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout + e.stderr }
  }
}

let first: ReturnType<typeof makeCertificate>
let service: RunningService

beforeAll(async () => {
  first = makeCertificate(certs, 'first')
  fs.copyFileSync(first.cert, certFile)
  fs.copyFileSync(first.key, keyFile)
  service = await startService(loadConfig(env))
  await service.demoDone
}, 120_000)
afterAll(async () => {
  await service?.stop()
})

describe('HTTPS served directly', () => {
  it('serves HTTPS with HSTS, and plain HTTP only as a redirect to it', async () => {
    expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const res = await getTls(`${service.url}/api/catalog/agencies/SO_TC`, first.cert)
    expect(res.status).toBe(200)
    expect(res.fingerprint).toBe(first.fingerprint)
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000')
    expect(JSON.parse(res.body)).toMatchObject({ code: 'SO_TC' })
    // The HTTPS port does not answer plain HTTP.
    const plain = await fetch(`${service.url.replace('https:', 'http:')}/healthz`).then((r) => r.status, () => 'refused')
    expect(plain).not.toBe(200)
    const port = new URL(service.url).port
    const redirected = await fetch(`${service.redirectUrl}/api/catalog?q=tài chính`, { redirect: 'manual' })
    expect(redirected.status).toBe(308)
    expect(redirected.headers.get('location')).toBe(`https://127.0.0.1:${port}/api/catalog?q=t%C3%A0i%20ch%C3%ADnh`)
  })

  it('lets the CLI reach the service by the certificate service.json pins, and by no other', async () => {
    expect(readServiceFile(home)!.tls!.fingerprint256).toBe(first.fingerprint)
    const status = await kho('status')
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('chdb')
    // A service.json naming another certificate: the CLI refuses the connection.
    const file = path.join(home, 'service.json')
    const saved = fs.readFileSync(file, 'utf8')
    const other = makeCertificate(certs, 'other')
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), tls: { cert: fs.readFileSync(other.cert, 'utf8'), fingerprint256: other.fingerprint } }), { mode: 0o600 })
    try {
      const refused = await kho('status')
      expect(refused.code).not.toBe(0)
      expect(refused.stdout).toContain("the service's certificate is not the one service.json names")
    } finally {
      fs.writeFileSync(file, saved, { mode: 0o600 })
    }
  }, 60_000)

  it('takes a renewed certificate without a restart, keeps the served one when a renewal is broken', async () => {
    const renewed = makeCertificate(certs, 'renewed')
    fs.copyFileSync(renewed.cert, certFile)
    fs.copyFileSync(renewed.key, keyFile)
    await expect.poll(async () => (await getTls(`${service.url}/healthz`, renewed.cert).catch(() => ({ fingerprint: '' }))).fingerprint, { timeout: 15_000, interval: 250 }).toBe(renewed.fingerprint)
    expect(readServiceFile(home)!.tls!.fingerprint256).toBe(renewed.fingerprint)
    expect((await kho('status')).code).toBe(0)
    // Half a renewal: a new certificate whose key has not been written yet. The renewed pair stays.
    const next = makeCertificate(certs, 'next')
    fs.copyFileSync(next.cert, certFile)
    await new Promise((r) => setTimeout(r, 2_500))
    expect((await getTls(`${service.url}/healthz`, renewed.cert)).fingerprint).toBe(renewed.fingerprint)
    fs.copyFileSync(next.key, keyFile)
    await expect.poll(async () => (await getTls(`${service.url}/healthz`, next.cert).catch(() => ({ fingerprint: '' }))).fingerprint, { timeout: 15_000, interval: 250 }).toBe(next.fingerprint)
  }, 60_000)

  it('refuses to start with half a TLS setting or a key that is not the certificate’s', async () => {
    expect(() => loadConfig({ ...env, KHO_TLS_KEY: undefined })).toThrow(ConfigError)
    const other = makeCertificate(certs, 'mismatch')
    await expect(startService(loadConfig({ ...env, KHO_HOME: tempDir('kho-tls-bad-'), KHO_TLS_KEY: other.key, KHO_TLS_CERT: first.cert }))).rejects.toThrow(/the key does not belong to the certificate/)
  })
})
