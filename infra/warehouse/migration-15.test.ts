import { afterAll, describe, expect, it } from 'vitest'
import { openTempWarehouse } from '../testing/temp-warehouse.ts'
import { queryRows } from './client.ts'
import { migrate } from './migrate.ts'
import { migrations } from './migrations.ts'

// Its own file: chDB opens one warehouse per process.
const old = openTempWarehouse()
afterAll(() => old.dispose())

describe('migration 15 (sharing) on a warehouse of an earlier release', () => {
  it('reads rows written before migration 15 with its added columns at their defaults (never now(): an old account was not just made)', async () => {
    await migrate(old, migrations.filter((m) => m.version < 15))
    await old.client.command({ query: "INSERT INTO meta.accounts (username, role) VALUES ('cu', 'analyst')" })
    await old.client.command({ query: "INSERT INTO meta.audit (account, endpoint) VALUES ('cu', 'load')" })
    await migrate(old)
    const [account] = await queryRows<Record<string, unknown>>(old.client, "SELECT email, must_change_password, toString(created_at) AS created_at FROM meta.accounts WHERE username = 'cu'")
    expect(account).toEqual({ email: '', must_change_password: false, created_at: '1970-01-01 00:00:00.000' })
    const [entry] = await queryRows<Record<string, unknown>>(old.client, "SELECT seq, hash, datasets FROM meta.audit WHERE account = 'cu'")
    expect({ ...entry, seq: Number(entry!.seq) }).toEqual({ seq: 0, hash: '', datasets: [] })
  })
})
