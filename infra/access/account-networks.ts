import net from 'node:net'

/**
 * The networks accounts may be used from (Đắk Nông Điều 10.2: accounts of the warehouse are used
 * within the province's network): KHO_ACCOUNT_NETWORKS, addresses and CIDR blocks. Empty: anywhere.
 * Signing in, a session's every request and the SQL API's password sign-in are refused from
 * elsewhere; the public and consuming systems (which have their own address lists) are not accounts.
 */
export class AccountNetworks {
  private readonly list = new net.BlockList()

  constructor(readonly entries: readonly string[]) {
    for (const e of entries) {
      const [address, bits] = e.split('/') as [string, string | undefined]
      const type = net.isIPv6(address) ? 'ipv6' : 'ipv4'
      if (bits === undefined) this.list.addAddress(address, type)
      else this.list.addSubnet(address, Number(bits), type)
    }
  }

  /** Whether an account may be used from `address` (an IPv4 address seen as IPv6 is read as IPv4). */
  allows(address: string): boolean {
    if (this.entries.length === 0) return true
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')
    return net.isIP(plain) !== 0 && this.list.check(plain, net.isIPv6(plain) ? 'ipv6' : 'ipv4')
  }
}

/** Whether `entry` is an address or a CIDR block (the setting's validation). */
export function isNetworkEntry(entry: string): boolean {
  const [address, bits, extra] = entry.split('/')
  if (extra !== undefined || !address || net.isIP(address) === 0) return false
  if (bits === undefined) return true
  const max = net.isIPv6(address) ? 128 : 32
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max
}

export const OUTSIDE_NETWORK = {
  vi: 'Tài khoản của Kho dữ liệu chỉ được dùng từ mạng của tỉnh (mạng truyền số liệu chuyên dùng hoặc VPN)',
  en: 'Accounts of kho may only be used from the province’s network (its dedicated network or VPN)',
}
