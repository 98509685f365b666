import { createHash } from 'node:crypto'
import type { Warehouse } from './client.ts'
import { queryRows } from './client.ts'
import { renderStatement, SINGLE_NODE, type DdlTarget, type TableSpec } from './ddl.ts'
import { migrations as defaultMigrations } from './migrations.ts'
import type { Migration } from './migrations/migration.ts'

export const schemaMigrationsTable: TableSpec = {
  database: 'meta',
  name: 'schema_migrations',
  columns: [
    { name: 'version', type: 'UInt32' },
    { name: 'name', type: 'String' },
    { name: 'checksum', type: 'String' },
    { name: 'applied_at', type: "DateTime64(3, 'UTC')", default: 'now64(3)' },
    { name: 'duration_ms', type: 'UInt32' },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['applied_at'] },
  orderBy: ['version'],
}

export interface MigrationResult {
  applied: { version: number; name: string; durationMs: number }[]
  version: number
}

export class MigrationError extends Error {}

/** Checksum of what a migration does, independent of where it runs. */
export function migrationChecksum(m: Migration): string {
  const sql = m.statements.flatMap((s) => renderStatement(s, SINGLE_NODE)).join(';\n')
  return createHash('sha256').update(sql).digest('hex').slice(0, 16)
}

/** Every SQL statement a migration runs on the given target, in order. */
export function renderMigration(m: Migration, target: DdlTarget): string[] {
  return m.statements.flatMap((s) => renderStatement(s, target))
}

/**
 * Applies the migrations not yet recorded in meta.schema_migrations, in version order.
 * Every statement is idempotent (IF NOT EXISTS), so a run interrupted halfway is completed by the next.
 */
export async function migrate(wh: Warehouse, list: Migration[] = defaultMigrations): Promise<MigrationResult> {
  checkOrder(list)
  const target: DdlTarget = { cluster: wh.cluster }
  const bootstrap = [
    ...renderStatement({ kind: 'database', name: 'meta' }, target),
    ...renderStatement({ kind: 'table', spec: schemaMigrationsTable }, target),
  ]
  for (const sql of bootstrap) await wh.client.command({ query: sql })

  const done = await queryRows<{ version: number; name: string; checksum: string }>(
    wh.client,
    'SELECT version, name, checksum FROM meta.schema_migrations FINAL ORDER BY version',
  )
  const doneByVersion = new Map(done.map((d) => [Number(d.version), d]))
  const applied: MigrationResult['applied'] = []
  for (const m of list) {
    const checksum = migrationChecksum(m)
    const previous = doneByVersion.get(m.version)
    if (previous) {
      if (previous.checksum !== checksum) {
        throw new MigrationError(
          `Migration ${m.version} (${m.name}) đã thay đổi sau khi áp dụng / was edited after it was applied ` +
            `(checksum ${previous.checksum} → ${checksum}); add a new migration instead`,
        )
      }
      continue
    }
    const started = Date.now()
    for (const sql of renderMigration(m, target)) {
      try {
        await wh.client.command({ query: sql })
      } catch (err) {
        throw new MigrationError(`Migration ${m.version} (${m.name}) failed: ${(err as Error).message}\n${sql}`)
      }
    }
    const durationMs = Date.now() - started
    await wh.client.insert({
      table: 'meta.schema_migrations',
      values: [{ version: m.version, name: m.name, checksum, duration_ms: durationMs }],
      format: 'JSONEachRow',
    })
    applied.push({ version: m.version, name: m.name, durationMs })
  }
  return { applied, version: Math.max(0, ...list.map((m) => m.version)) }
}

function checkOrder(list: Migration[]) {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration versions must run 1..n without gaps; got ${m.version} at ${i + 1}`)
  })
}
