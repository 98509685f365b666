import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import { loadConfig } from '../config.ts'
import { startService, type RunningService } from '../app/service/start-service.ts'
import { signJwt } from '../access/tokens.ts'
import { loadFile } from '../../loaders/load-file.ts'
import { tempDir } from './temp-warehouse.ts'
import { keptUnder } from '../files/sealed-file.ts'

/**
 * The service as an outside prober meets it (no demo; sign-in limited to 4 tries an account and 8 an
 * address), holding one small population delivery with two rejected rows — a cell of one person
 * among them — for the gate's and the probes' tests. Started before a file's tests, stopped after.
 */
export interface ProbeService {
  readonly service: RunningService
  readonly home: string
  /** The load whose two rows were rejected. */
  readonly rejectedLoad: string
  token(ctx: Record<string, unknown>, ttl?: number): string
  roleTokens(): Record<ProbeRole, string | undefined>
  inject(method: string, url: string, opts?: { auth?: string; body?: unknown; headers?: Record<string, string>; ip?: string }): Promise<{ status: number; body: any; raw: Awaited<ReturnType<RunningService['app']['inject']>> }>
  load(query: unknown, auth?: string, purpose?: string): ReturnType<ProbeService['inject']>
}

export type ProbeRole = 'anonymous' | 'leader' | 'analyst' | 'officer' | 'steward' | 'admin'

export function useProbeService(): ProbeService {
  const home = tempDir('kho-gate-')
  const env = {
    ...process.env,
    KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0',
    KHO_LOGIN_ATTEMPTS: '4', KHO_LOGIN_ATTEMPTS_PER_ADDRESS: '8', KHO_API_RATE_PER_MIN: '100000',
  }
  let service: RunningService
  let rejectedLoad = ''

  const probe: ProbeService = {
    home,
    get service() {
      return service
    },
    get rejectedLoad() {
      return rejectedLoad
    },
    token: (ctx, ttl) => signJwt(ctx, service.ctx.secret, ttl),
    roleTokens: () => ({
      anonymous: undefined,
      leader: probe.token({ role: 'leader', sub: 't.leader' }),
      analyst: probe.token({ role: 'analyst', sub: 't.analyst' }),
      officer: probe.token({ role: 'agency_officer', agency: 'SO_TC', sub: 't.officer' }),
      steward: probe.token({ role: 'steward', sub: 't.steward' }),
      admin: probe.token({ role: 'admin', sub: 't.admin' }),
    }),
    async inject(method, url, opts = {}) {
      const res = await service.app.inject({
        method: method as 'GET',
        url,
        headers: { ...(opts.auth ? { authorization: opts.auth } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        ...(opts.body !== undefined ? { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
        ...(opts.ip ? { remoteAddress: opts.ip } : {}),
      })
      let body: any = res.body
      try {
        body = JSON.parse(res.body)
      } catch {
        // not JSON
      }
      return { status: res.statusCode, body, raw: res }
    },
    load: (query, auth, purpose) => probe.inject('POST', '/cubejs-api/v1/load', { auth, body: { query }, headers: purpose ? { 'x-kho-purpose': encodeURIComponent(purpose) } : {} }),
  }

  beforeAll(async () => {
    service = await startService(loadConfig(env))
    await service.demoDone
    const header = 'Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Ngày cập nhật'
    // 50 men of 07210 born in 1990, 11 women born in 2000, and one man born in 1950: a cell of 1 in '65+'.
    const men = Array.from({ length: 50 }, (_, i) => `02709000${1000 + i},Người Nam ${i},01/02/1990,Nam,07210,Số ${i} Ngô Gia Tự,01/10/2026`)
    const women = Array.from({ length: 11 }, (_, i) => `02730000${2000 + i},Người Nữ ${i},01/02/2000,Nữ,07210,Số ${i} Lý Thái Tổ,01/10/2026`)
    const elder = '027050003000,Trần Văn Cụ,03/04/1950,Nam,07210,Xóm Chùa,01/10/2026'
    // Two rejected rows: a CCCD that lost its leading zero, and an impossible birth date.
    const bad = ['27090009999,Nguyễn Văn An,01/02/1990,Nam,07210,Số 9 Trần Phú,01/10/2026', '027090008888,Lê Thị Bình,31/02/1990,Nữ,07210,Số 8 Trần Phú,01/10/2026']
    const file = path.join(home, 'dan-cu.csv')
    fs.writeFileSync(file, [header, ...men, ...women, elder, ...bad].join('\n'))
    const report = await loadFile({ wh: service.ctx.wh, catalog: service.ctx.model.now.catalog, archive: keptUnder(home), file, dataset: 'dan_cu', agency: 'CA_TINH', channel: 'file' })
    expect(report.rowsRejected).toBe(2)
    rejectedLoad = report.loadId
    await service.ctx.transforms.run()
  }, 120_000)
  afterAll(() => service.stop())
  return probe
}
