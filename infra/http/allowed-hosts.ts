import net from 'node:net'
import { queryRows, type Warehouse } from '../warehouse/client.ts'
import * as clock from '../time/clock.ts'
import { Refusal } from '../problem.ts'
import { isInternalAddress } from './outbound.ts'
import type { AllowedHost } from '../contracts/admin.ts'

/** A host as the list holds it: a name or an IPv4 address, lower case, with `:port` when only that port. */
export const HOST_ENTRY = /^(?=.{1,253}(:\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*(:\d{1,5})?$/

export type { AllowedHost }

export class HostRefused extends Refusal {
  constructor(vi: string, en: string) {
    super('pull_host.refused', vi, en)
  }
}

/**
 * The hosts pull connectors may call: the operator's (KHO_PULL_HOSTS, fixed for the run) and those
 * a data steward lists on the administration page (meta.pull_hosts). Read from memory by every
 * fetch and approval; written through here, so memory and the warehouse agree. An internal address
 * (loopback, private, link-local — where cloud metadata lives) is the operator's to list, never a
 * page's: a steward approving an officer's proposal cannot open the machine's own network.
 */
export class AllowedHosts {
  private listed: AllowedHost[] = []

  constructor(
    private readonly wh: Warehouse,
    private readonly fixed: readonly string[],
  ) {}

  async refresh(): Promise<void> {
    this.listed = await queryRows<AllowedHost>(
      this.wh.client,
      `SELECT host, false AS fixed, note, listed_by, toString(updated_at) AS listed_at
       FROM meta.pull_hosts FINAL WHERE NOT removed ORDER BY host`,
    )
  }

  /** Every allowed host, as the outbound check reads them. */
  list(): string[] {
    return [...new Set([...this.fixed.map((h) => h.toLowerCase()), ...this.listed.map((h) => h.host)])]
  }

  /** The list as a steward sees it: the operator's first, then those listed on the page. */
  entries(): AllowedHost[] {
    const fixed = this.fixed.map((h) => ({ host: h.toLowerCase(), fixed: true, note: '', listed_by: '', listed_at: null }))
    return [...fixed, ...this.listed.filter((h) => !fixed.some((f) => f.host === h.host))]
  }

  async add(host: string, by: string, note: string): Promise<AllowedHost> {
    const entry = host.trim().toLowerCase()
    if (!HOST_ENTRY.test(entry)) {
      throw new HostRefused(`"${host}" không phải tên máy chủ (ví dụ: api.dancu.gov.vn hoặc api.dancu.gov.vn:8443)`, `"${host}" is not a host name (e.g. api.dancu.gov.vn or api.dancu.gov.vn:8443)`)
    }
    const name = entry.replace(/:\d+$/, '')
    if ((net.isIPv4(name) && isInternalAddress(name)) || name === 'localhost' || name.endsWith('.localhost')) {
      throw new HostRefused(
        `${entry} là địa chỉ nội bộ; chỉ người vận hành máy chủ cho phép được (KHO_PULL_HOSTS)`,
        `${entry} is an internal address; only the server's operator may allow it (KHO_PULL_HOSTS)`,
      )
    }
    await this.write({ host: entry, note, listed_by: by, removed: false })
    await this.refresh()
    return this.listed.find((h) => h.host === entry)!
  }

  /** False when the host is not on the page's list (the operator's cannot be removed here). */
  async remove(host: string, by: string): Promise<boolean> {
    const entry = host.trim().toLowerCase()
    const current = this.listed.find((h) => h.host === entry)
    if (!current) return false
    await this.write({ host: entry, note: current.note, listed_by: by, removed: true })
    await this.refresh()
    return true
  }

  isFixed(host: string): boolean {
    return this.fixed.some((h) => h.toLowerCase() === host.trim().toLowerCase())
  }

  private async write(row: { host: string; note: string; listed_by: string; removed: boolean }) {
    await this.wh.client.insert({ table: 'meta.pull_hosts', values: [{ ...row, updated_at: clock.nowMs() }], format: 'JSONEachRow' })
  }
}
