import fs from 'node:fs'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import tls from 'node:tls'

export interface TlsFiles {
  cert: string
  key: string
}

/** A certificate chain and its key as served, with the leaf's fingerprint (what local clients pin). */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  fingerprint256: string
  /** The leaf certificate, PEM: public, handed to local clients to verify the service with. */
  leafPem: string
  validTo: string
}

export class TlsError extends Error {}

/**
 * Reads and checks a certificate and its key: both PEM, the key the certificate's, the certificate
 * valid now. A pair that fails is refused with the reason (a renewal caught between writing its
 * two files is one), so the served pair is never replaced by a broken one.
 */
export function readTls(files: TlsFiles): TlsMaterial {
  let cert: Buffer
  let key: Buffer
  try {
    cert = fs.readFileSync(files.cert)
    key = fs.readFileSync(files.key)
  } catch (err) {
    throw new TlsError(`không đọc được chứng thư hoặc khoá / cannot read the certificate or key: ${(err as Error).message}`)
  }
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(cert)
  } catch {
    throw new TlsError(`${files.cert}: không phải chứng thư PEM / not a PEM certificate`)
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key))) throw new Error('mismatch')
  } catch {
    throw new TlsError(`${files.key}: khoá không khớp chứng thư / the key does not belong to the certificate`)
  }
  const now = Date.now()
  if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) < now) {
    throw new TlsError(`${files.cert}: chứng thư hết hạn hoặc chưa có hiệu lực (${leaf.validFrom} – ${leaf.validTo}) / the certificate is not valid now`)
  }
  // The whole chain must load as Node will serve it.
  tls.createSecureContext({ cert, key })
  return { cert, key, fingerprint256: leaf.fingerprint256, leafPem: leaf.toString(), validTo: leaf.validTo }
}

/**
 * Watches the certificate and key files (by polling: a renewal often replaces them through a
 * symlink, which a file watcher misses) and hands over each new valid pair; a pair that fails the
 * checks is reported and the one served stays. Returns a function that stops watching.
 */
export function watchTls(files: TlsFiles, current: TlsMaterial, onChange: (m: TlsMaterial) => void, onError: (err: Error) => void, intervalMs: number): () => void {
  let served = current.fingerprint256
  let servedKey = current.key
  const check = () => {
    try {
      const next = readTls(files)
      if (next.fingerprint256 === served && next.key.equals(servedKey)) return
      served = next.fingerprint256
      servedKey = next.key
      onChange(next)
    } catch (err) {
      onError(err as Error)
    }
  }
  const listener = () => check()
  for (const f of [files.cert, files.key]) fs.watchFile(f, { interval: intervalMs }, listener)
  return () => {
    for (const f of [files.cert, files.key]) fs.unwatchFile(f, listener)
  }
}
