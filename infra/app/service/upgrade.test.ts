import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { loadConfig } from '../../config.ts'
import { tempDir } from '../../testing/temp-warehouse.ts'
import { queryRows } from '../../warehouse/client.ts'
import { startService } from './start-service.ts'

/*
 * Issue 41: a home written by the previous release — the tagged commit, checked out and run here —
 * migrates when this release starts on it and answers the same numbers. The previous release knew
 * no encryption: its warehouse parts and archived files are sealed on the way.
 */
const TAG = 'release-2026-12-03'
// The tag's commit, should a clone come without tags: history always holds it.
const COMMIT = '2ac2599'
const previous = tempDir('kho-previous-release-')
const home = tempDir('kho-upgrade-')
const env = { ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-nang-cap-2026' }
const run = promisify(execFile)

/** The previous release's CLI on the home. */
const oldKho = (args: string[]) => run(process.execPath, [path.join(previous, 'bin/kho.js'), ...args], { cwd: previous, env, maxBuffer: 64 * 1024 * 1024 })

const csv = (from: number, n: number) =>
  ['cccd,ho_ten,ngay_sinh,gioi_tinh,ma_xa,dia_chi,ngay_cap_nhat']
    .concat(Array.from({ length: n }, (_, i) => `0270996${String(from + i).padStart(5, '0')},Trần Văn Cũ ${from + i},01/02/1985,${i % 2 ? 'Nữ' : 'Nam'},${i % 3 ? '07210' : '07228'},Thôn ${i % 9},01/10/2026`))
    .join('\n')

afterAll(() => {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', previous], { cwd: PROJECT_ROOT })
  } catch {
    // the temporary folder goes with the machine's /tmp
  }
})

describe('upgrading a home of the previous release', () => {
  it('migrates on start and answers the same numbers', async () => {
    const ref = (() => {
      try {
        return execFileSync('git', ['rev-parse', '--verify', `${TAG}^{commit}`], { cwd: PROJECT_ROOT }).toString().trim()
      } catch {
        return COMMIT
      }
    })()
    fs.rmSync(previous, { recursive: true, force: true })
    execFileSync('git', ['worktree', 'add', '--detach', '--force', previous, ref], { cwd: PROJECT_ROOT, stdio: 'ignore' })
    // Same lock file in both releases: the installed packages serve the old one as they are.
    expect(execFileSync('git', ['diff', '--stat', ref, 'HEAD', '--', 'package-lock.json'], { cwd: PROJECT_ROOT }).toString()).toBe('')
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(previous, 'node_modules'))

    // The previous release delivers two files and builds its marts.
    const files = [path.join(home, 'a.csv'), path.join(home, 'b.csv')]
    fs.writeFileSync(files[0]!, csv(0, 300))
    fs.writeFileSync(files[1]!, csv(300, 200))
    for (const f of files) await oldKho(['load', f, '--dataset', 'dan_cu', '--agency', 'CA_TINH', '--json'])
    await oldKho(['transform', 'run', '--json'])
    const before = JSON.parse((await oldKho(['status', '--json'])).stdout) as { tables: Record<string, number> }
    expect(before.tables['raw.dan_cu']).toBe(500)
    fs.rmSync(path.join(home, 'a.csv'))
    fs.rmSync(path.join(home, 'b.csv'))

    // This release on the same home.
    const service = await startService(loadConfig(env))
    try {
      const versions = await queryRows<{ v: number }>(service.ctx.wh.client, 'SELECT max(version) AS v FROM meta.schema_migrations')
      expect(Number(versions[0]!.v)).toBeGreaterThan(24)
      // Every table the previous release had holds what it held.
      const now = await queryRows<{ t: string; n: number }>(
        service.ctx.wh.client,
        "SELECT concat(database, '.', name) AS t, total_rows AS n FROM system.tables WHERE database IN ('raw', 'std', 'marts') AND total_rows IS NOT NULL",
      )
      const counts = Object.fromEntries(now.map((r) => [r.t, Number(r.n)]))
      // (Views hold no rows of their own: the engine gives them no count.)
      const compared = Object.entries(before.tables).filter(([t]) => /^(raw|std|marts)\./.test(t) && t in counts)
      expect(compared.length).toBeGreaterThan(10)
      for (const [t, n] of compared) expect([t, counts[t]]).toEqual([t, n])
      // And it answers the same numbers through its API: the residents by commune.
      const query = { measures: ['population.people'], dimensions: ['population.commune_code'], order: { 'population.commune_code': 'asc' } }
      const signIn = await fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-nang-cap-2026' }) })
      const { token } = (await signIn.json()) as { token: string }
      const res = await fetch(`${service.url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await res.json()) as { data: Record<string, unknown>[] }
      expect([res.status, JSON.stringify(body).slice(0, 300)]).toEqual([200, expect.any(String)])
      expect(body.data.map((r) => [r['population.commune_code'], Number(r['population.people'])])).toEqual([['07210', 333], ['07228', 167]])
      // What the previous release left in clear is sealed now.
      const parts = await queryRows<{ disk: string }>(service.ctx.wh.client, "SELECT DISTINCT disk_name AS disk FROM system.parts WHERE active AND database = 'raw' AND table = 'dan_cu'")
      expect(parts).toEqual([{ disk: 'sealed' }])
      // Its raw tables keep the disk's reserve for kho's own records, as new ones do.
      const [raw] = await queryRows<{ e: string }>(service.ctx.wh.client, "SELECT engine_full AS e FROM system.tables WHERE database = 'raw' AND name = 'dan_cu'")
      expect(raw!.e).toContain('min_free_disk_bytes_to_perform_insert')
    } finally {
      await service.stop()
    }
  }, 600_000)
})
