import { describe, expect, it } from 'vitest'
import { buildApp } from '../app/service/app.ts'
import { useProbeService } from '../testing/probe-service.ts'
import { AccountNetworks, isNetworkEntry } from './account-networks.ts'
import { saveAccount } from './accounts.ts'
import { loadConfig } from '../config.ts'

const probe = useProbeService()

describe('accounts limited to the province network (Đắk Nông Điều 10.2)', () => {
  it('reads addresses and CIDR blocks, IPv4 and IPv6, and anywhere when none is set', () => {
    const nets = new AccountNetworks(['10.0.0.0/8', '192.168.5.7', '2001:db8::/32'])
    expect(['10.20.30.40', '::ffff:10.1.1.1', '192.168.5.7', '2001:db8::1'].map((a) => nets.allows(a))).toEqual([true, true, true, true])
    expect(['11.0.0.1', '192.168.5.8', '2001:db9::1', 'khong-phai-dia-chi'].map((a) => nets.allows(a))).toEqual([false, false, false, false])
    expect(new AccountNetworks([]).allows('203.0.113.9')).toBe(true)
    expect(['10.0.0.0/8', '::1', 'fd00::/8'].every(isNetworkEntry)).toBe(true)
    expect(['10.0.0.0/33', '10.0.0/8', 'mang-tinh', '10.0.0.0/8/1'].some(isNetworkEntry)).toBe(false)
    expect(() => loadConfig({ KHO_ACCOUNT_NETWORKS: '10.0.0.0/8, mang-tinh' })).toThrow(/KHO_ACCOUNT_NETWORKS/)
  })

  it('refuses signing in and every request of a session from outside, in both languages; the public and the rest are as before', async () => {
    const ctx = probe.service.ctx
    await saveAccount(ctx.wh, { username: 'mang.tinh', display_name: 'Chuyên viên', password: 'mot-mat-khau-dai', role: 'analyst' })
    const app = buildApp({ ...ctx, config: { ...ctx.config, accountNetworks: ['10.0.0.0/8'] } })
    try {
      await app.ready()
      const login = (remoteAddress: string) => app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'mang.tinh', password: 'mot-mat-khau-dai' } })
      const outside = await login('203.0.113.9')
      expect([outside.statusCode, outside.json().error.code, outside.json().error.message_en]).toEqual([403, 'outside_network', 'Accounts of kho may only be used from the province’s network (its dedicated network or VPN)'])
      const inside = await login('10.4.5.6')
      expect(inside.statusCode).toBe(200)
      const token = inside.json().token as string
      const me = (remoteAddress: string) => app.inject({ method: 'GET', url: '/api/auth/me', remoteAddress, headers: { authorization: `Bearer ${token}` } })
      expect((await me('10.4.5.6')).statusCode).toBe(200)
      // A token taken outside is refused there too.
      const away = await me('198.51.100.7')
      expect([away.statusCode, away.json().error.message]).toEqual([403, 'Tài khoản của Kho dữ liệu chỉ được dùng từ mạng của tỉnh (mạng truyền số liệu chuyên dùng hoặc VPN)'])
      // The public still reads open data from anywhere.
      expect((await app.inject({ method: 'GET', url: '/api/catalog', remoteAddress: '198.51.100.7' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
