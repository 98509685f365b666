import fs from 'node:fs'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { drainPending } from 'chdb'
import type { WarehouseConfig } from '../config.ts'

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
  let connection
  try {
    connection = createChdbConnection({ path: config.dataDir })
  } catch (err) {
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
      closed ??= client.close().then(() => drainPending())
      return closed
    },
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
