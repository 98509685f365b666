import fs from 'node:fs'
import path from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { drainPending, Session } from 'chdb'
import { Keyring } from '../keys/keyring.ts'
import type { WarehouseConfig } from '../config.ts'
import { quoteIdent, sqlString } from './sql.ts'

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection']

export type EngineKind = 'chdb' | 'clickhouse'

/**
 * The one handle on the warehouse. Code above this module only sees a `@clickhouse/client`
 * client; `cluster` is there for DDL rendering, `engine` for health reports.
 */
export interface Warehouse {
  client: ClickHouseClient
  engine: EngineKind
  cluster: string | null
  /** True when the engine runs on this machine and can read a delivered file itself (file()). */
  readsLocalFiles: boolean
  close(): Promise<void>
}

export class WarehouseLockedError extends Error {}
export class WarehouseKeysError extends Error {}

export function openWarehouse(config: WarehouseConfig): Warehouse {
  if (config.kind === 'server') {
    const client = createClient({
      url: config.url,
      username: config.user,
      password: config.password,
      request_timeout: 300_000,
      // chDB returns 64-bit integers as JSON numbers; make a server do the same so callers see one shape.
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
    return { client, engine: 'clickhouse', cluster: config.cluster, readsLocalFiles: false, close: () => client.close() }
  }

  fs.mkdirSync(config.dataDir, { recursive: true })
  // Opened without its keys, an encrypted warehouse would look empty (the engine skips parts on a
  // disk it does not know) and new parts would be written in clear: refuse instead.
  if (!config.keysDir && fs.existsSync(path.join(config.dataDir, 'encrypted'))) {
    throw new WarehouseKeysError(
      `Kho dữ liệu ${config.dataDir} được mã hóa: cần thư mục khóa (KHO_KEYS_DIR) để mở / ` +
        `the warehouse at ${config.dataDir} is encrypted: it opens only with its keys folder (KHO_KEYS_DIR)`,
    )
  }
  let connection
  let session: Session | null = null
  try {
    // The engine's settings come only with the first session on a data directory; the client's
    // connection then joins that session (chDB keeps one engine per directory).
    if (config.keysDir) session = new Session(config.dataDir, { connectionArgs: [`--config-file=${writeDiskConfig(config.dataDir, Keyring.open(config.keysDir))}`] })
    connection = createChdbConnection({ path: config.dataDir })
  } catch (err) {
    session?.close()
    // chDB admits one process per data directory; say so plainly instead of chDB's lock message.
    throw new WarehouseLockedError(
      `Kho dữ liệu ${config.dataDir} đang được tiến trình khác sử dụng / ` +
        `the warehouse at ${config.dataDir} is in use by another process: ${(err as Error).message}`,
    )
  }
  // chDB types its connection against @clickhouse/client-common 1.23.0, the client bundles its own
  // copy of those types; the runtime contract is the same, so the cast only bridges the two copies.
  const client = createClient({ connection: connection as unknown as ClientConnection })
  let closed: Promise<void> | null = null
  return {
    client,
    engine: 'chdb',
    cluster: null,
    readsLocalFiles: true,
    close() {
      // Draining waits for native work still queued, so the data directory is free when this resolves.
      closed ??= client
        .close()
        .then(() => drainPending())
        .then(() => session?.close())
      return closed
    },
  }
}

/** The encrypted disk every table is written to; parts written before encryption stay on `default`. */
export const SEALED_DISK = 'sealed'

/**
 * The engine's disks for an encrypted warehouse: ClickHouse's encrypted disk (AES-256-CTR) over a
 * folder of the data directory, every key of the keyring by number and the current one writing,
 * made the default storage policy's first volume, so every MergeTree table's new parts are sealed.
 * The clear `default` disk stays as a second volume so parts written before encryption are still
 * found (and moved onto the sealed disk by `sealWarehouse`); a move factor of 0 keeps the engine
 * from moving parts back to it when the disk fills. Written into the keys folder (readable by kho's
 * user only), never into the data directory: the keys stay apart from the data.
 */
function writeDiskConfig(dataDir: string, keys: Keyring): string {
  const keyLines = keys.ids().map((id) => `<key_hex id="${id}">${keys.key(id).toString('hex')}</key_hex>`)
  const xml = `<clickhouse>
  <storage_configuration>
    <disks>
      <sealed_under><type>local</type><path>${path.join(dataDir, 'encrypted')}/</path></sealed_under>
      <${SEALED_DISK}>
        <type>encrypted</type>
        <disk>sealed_under</disk>
        <path>parts/</path>
        <algorithm>AES_256_CTR</algorithm>
        ${keyLines.join('\n        ')}
        <current_key_id>${keys.current().id}</current_key_id>
      </${SEALED_DISK}>
    </disks>
    <policies>
      <default>
        <volumes>
          <sealed><disk>${SEALED_DISK}</disk></sealed>
          <clear><disk>default</disk></clear>
        </volumes>
        <move_factor>0</move_factor>
      </default>
    </policies>
  </storage_configuration>
</clickhouse>
`
  const file = path.join(keys.dir, 'warehouse-disks.xml')
  fs.writeFileSync(`${file}.tmp`, xml, { mode: 0o600 })
  fs.renameSync(`${file}.tmp`, file)
  return file
}

/**
 * Moves every part still on the clear disk (written before the warehouse was encrypted) onto the
 * sealed one; returns how many it moved. Safe to run at any time: a move is the engine's own, whole
 * or not at all.
 */
export async function sealWarehouse(wh: Warehouse): Promise<number> {
  let moved = 0
  // A background merge may replace a listed part before its move; the merged part is written to
  // the sealed volume (the first), so listing again converges.
  for (let round = 0; round < 5; round++) {
    const clear = await queryRows<ClearPart>(
      wh.client,
      `SELECT database, table, name FROM system.parts WHERE active AND disk_name = 'default' AND database IN ('raw', 'std', 'marts', 'meta')
       AND (SELECT count() FROM system.disks WHERE name = {d:String}) > 0`,
      { d: SEALED_DISK },
    )
    if (clear.length === 0) break
    for (const p of clear) if (await moveToSealed(wh, p)) moved++
  }
  return moved
}

export interface ClearPart {
  database: string
  table: string
  name: string
}

/** Moves one part onto the sealed disk; false when a merge has already replaced it. */
export async function moveToSealed(wh: Warehouse, p: ClearPart): Promise<boolean> {
  try {
    await wh.client.command({ query: `ALTER TABLE ${quoteIdent(p.database)}.${quoteIdent(p.table)} MOVE PART ${sqlString(p.name)} TO DISK ${sqlString(SEALED_DISK)}` })
    return true
  } catch (e) {
    if (/NO_SUCH_DATA_PART|not exists or not active/.test(String((e as Error)?.message ?? e))) return false
    throw e
  }
}

/** Runs a SELECT with named parameters ({name:Type}) and returns its rows. */
export async function queryRows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
  settings: Record<string, string | number> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: settings })
  return result.json<T>()
}
