import dns from 'node:dns/promises'
import net from 'node:net'
import { Refusal } from '../problem.ts'

/**
 * Calls kho makes to addresses users wrote (a pull connector's URL): only to hosts an operator
 * listed (KHO_PULL_HOSTS) or a steward allowed (AllowedHosts), never to loopback, link-local, private or unspecified addresses unless
 * that very address is listed (so a listed name that resolves to one — DNS rebinding — is refused),
 * redirects followed only within the same host, every call bounded in time and size.
 */
export class OutboundRefused extends Refusal {
  constructor(vi: string, en: string) {
    super('outbound.refused', vi, en)
  }
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, '').toLowerCase()

/** Whether an address is one no outbound call may reach unless listed itself. */
export function isInternalAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number) as [number, number]
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224
  }
  const v6 = address.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6)
  if (mapped) return isInternalAddress(mapped[1]!)
  return v6 === '::' || v6 === '::1' || v6.startsWith('fe8') || v6.startsWith('fe9') || v6.startsWith('fea') || v6.startsWith('feb') || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('ff')
}

/** Whether the URL's host (or host:port) is on the allowed list. */
export function hostListed(url: URL, allowed: readonly string[]): boolean {
  const listed = allowed.map((a) => a.toLowerCase())
  return listed.includes(hostOf(url)) || listed.includes(`${hostOf(url)}:${url.port}`)
}

/** Whether `url` may be called: listed by host (or host:port), and not resolving to an internal address unless that address is listed. */
export async function checkDestination(url: URL, allowed: readonly string[]): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused(`Chỉ gọi được địa chỉ http(s), không phải ${url.protocol}`, `Only http(s) addresses may be called, not ${url.protocol}`)
  const host = hostOf(url)
  const listed = allowed.map((a) => a.toLowerCase())
  if (!hostListed(url, allowed)) {
    throw new OutboundRefused(`Máy chủ ${url.host} chưa có trong danh sách được phép`, `The host ${url.host} is not on the list of allowed hosts`)
  }
  const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true }).catch(() => [])).map((a) => a.address)
  if (addresses.length === 0) throw new OutboundRefused(`Không tìm thấy địa chỉ của ${host}`, `${host} does not resolve`)
  const internal = addresses.find((a) => isInternalAddress(a) && !listed.includes(a) && !listed.includes(`${a}:${url.port}`))
  if (internal) throw new OutboundRefused(`${host} trỏ tới địa chỉ nội bộ ${internal}, chưa được phép`, `${host} resolves to the internal address ${internal}, which is not listed`)
}

export interface BoundedFetch {
  allowed: readonly string[]
  headers: Record<string, string>
  timeoutMs: number
  maxBytes: number
}

/**
 * GET within the limits: the destination checked, redirects followed only to the same host (each
 * checked again), the body read up to `maxBytes` and the call abandoned past it or past the time.
 */
export async function boundedGet(url: string, opts: BoundedFetch): Promise<{ status: number; headers: Headers; body: Buffer }> {
  let target = new URL(url)
  const origin = target.host
  const signal = AbortSignal.timeout(opts.timeoutMs)
  for (let hops = 0; hops <= 5; hops++) {
    await checkDestination(target, opts.allowed)
    const res = await fetch(target, { headers: opts.headers, redirect: 'manual', signal })
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, target)
      await res.body?.cancel()
      if (next.host !== origin) throw new OutboundRefused(`${target.host} chuyển hướng sang máy chủ khác (${next.host}); không theo`, `${target.host} redirects to another host (${next.host}); not followed`)
      target = next
      continue
    }
    const tooLarge = () => new OutboundRefused(`Câu trả lời của ${target.host} lớn hơn ${opts.maxBytes} byte`, `The answer from ${target.host} is larger than ${opts.maxBytes} bytes`)
    // A size announced beyond the limit is refused before a byte is read.
    if (Number(res.headers.get('content-length') ?? 0) > opts.maxBytes) {
      await res.body?.cancel().catch(() => {})
      throw tooLarge()
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength
      if (size > opts.maxBytes) {
        await res.body?.cancel().catch(() => {})
        throw tooLarge()
      }
      chunks.push(Buffer.from(chunk as Uint8Array))
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) }
  }
  throw new OutboundRefused(`${url}: quá nhiều lần chuyển hướng`, `${url}: too many redirects`)
}

/**
 * POST within the limits: the destination checked, no redirect followed (a receiver that moved is
 * told to the sender, not chased), the answer's body discarded; its status returned.
 */
export async function boundedPost(url: string, body: string, opts: Omit<BoundedFetch, 'maxBytes'>): Promise<number> {
  const target = new URL(url)
  await checkDestination(target, opts.allowed)
  const res = await fetch(target, { method: 'POST', headers: opts.headers, body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) })
  await res.body?.cancel().catch(() => {})
  return res.status
}
