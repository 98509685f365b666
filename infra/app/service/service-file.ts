import fs from 'node:fs'
import path from 'node:path'

/**
 * <KHO_HOME>/service.json tells CLI commands that a service owns the embedded warehouse and how to
 * reach it. The token in it (file mode 0600) lets local commands use the service's admin API.
 */
export interface ServiceFile {
  pid: number
  url: string
  token: string
  startedAt: string
  /** When the service serves HTTPS: the certificate it serves (public), which local commands pin. */
  tls?: { cert: string; fingerprint256: string }
}

export const serviceFilePath = (home: string) => path.join(home, 'service.json')

export function writeServiceFile(home: string, info: ServiceFile) {
  fs.mkdirSync(home, { recursive: true })
  const file = serviceFilePath(home)
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 })
  fs.renameSync(`${file}.tmp`, file)
}

export function removeServiceFile(home: string, pid = process.pid) {
  const current = readServiceFile(home)
  if (current?.pid === pid) fs.rmSync(serviceFilePath(home), { force: true })
}

/** The running service's file, or null when none is running (a stale file from a crash is ignored). */
export function readServiceFile(home: string): ServiceFile | null {
  let info: ServiceFile
  try {
    info = JSON.parse(fs.readFileSync(serviceFilePath(home), 'utf8')) as ServiceFile
  } catch {
    return null
  }
  try {
    process.kill(info.pid, 0)
    return info
  } catch {
    return null
  }
}
