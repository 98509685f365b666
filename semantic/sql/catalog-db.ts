import { PGlite } from '@electric-sql/pglite'
import { serialize } from 'pg-protocol'
import type { CubeMeta } from '../cube/compile-model.ts'

/**
 * What BI tools ask a server about itself — `version()`, `SHOW`, `information_schema`, the
 * `pg_catalog` joins psql's `\dt` and `\d`, SQLAlchemy's inspector, Superset and Metabase send —
 * answered by a real Postgres (PGlite: Postgres compiled to WebAssembly, in this process, no disk)
 * holding one empty table per view, with the views' titles as comments. Written by hand these
 * queries would be a catalogue of special cases that the next tool breaks; a real Postgres answers
 * each exactly as the tool expects. The tables are empty: data is only ever read through the
 * semantic layer (sql-to-cube.ts), under the policy. Started once, in the background (≈1–3 s).
 */
export class CatalogDb {
  private readonly db: Promise<PGlite>
  /** One statement at a time: the catalog is shared by every connection. */
  private turn: Promise<unknown> = Promise.resolve()
  /** The model's views the tables were made from: a registration changes them while kho runs. */
  private builtFrom: CubeMeta[] | null = null

  constructor(private readonly views: () => CubeMeta[]) {
    this.db = PGlite.create()
    this.db.catch(() => undefined)
  }

  ready(): Promise<unknown> {
    return this.db
  }

  /**
   * Sends frontend messages (ending with Sync) and returns the backend's, one buffer per message,
   * without the ReadyForQuery: the connection sends its own.
   */
  async run(messages: Buffer[]): Promise<Buffer[]> {
    const db = await this.db
    const next = this.turn.then(async () => {
      const views = this.views()
      if (views !== this.builtFrom) {
        await db.exec(tablesSql(views))
        this.builtFrom = views
      }
      return db.execProtocolRaw(Buffer.concat(messages), { throwOnError: false })
    })
    this.turn = next.catch(() => undefined)
    return split(Buffer.from(await next)).filter((m) => m[0] !== 0x5a)
  }

  /** A simple query ('Q'). */
  query(sql: string): Promise<Buffer[]> {
    return this.run([serialize.query(sql)])
  }

  /** An extended query with text parameters: parsed, bound, described and run. */
  extended(sql: string, params: (string | null)[], types: number[] = []): Promise<Buffer[]> {
    return this.run([serialize.parse({ text: sql, types }), serialize.bind({ values: params }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()])
  }

  /** A statement's parameters and columns, before it is bound. */
  describe(sql: string, types: number[] = []): Promise<Buffer[]> {
    return this.run([serialize.parse({ text: sql, types }), serialize.describe({ type: 'S' }), serialize.sync()])
  }

  async close(): Promise<void> {
    await (await this.db.catch(() => null))?.close()
  }
}

/** Backend messages one by one: a type byte and a length that counts itself. */
export function split(buf: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at + 5 <= buf.length; ) {
    const len = buf.readUInt32BE(at + 1)
    out.push(buf.subarray(at, at + 1 + len))
    at += 1 + len
  }
  return out
}

const PG_TYPES: Record<string, string> = { number: 'numeric', time: 'timestamp', boolean: 'boolean', string: 'text' }
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`

/** The views as empty tables, made again from nothing (a registration adds or changes views). */
function tablesSql(views: CubeMeta[]): string {
  const ddl: string[] = ['DROP SCHEMA IF EXISTS public CASCADE', 'CREATE SCHEMA public']
  for (const v of views) {
    const local = (name: string) => name.slice(v.name.length + 1)
    const measureType = (m: { aggType?: string }) => (m.aggType === 'count' || m.aggType === 'countDistinct' || m.aggType === 'countDistinctApprox' ? 'bigint' : 'numeric')
    const cols = [
      ...v.dimensions.map((d) => `${ident(local(d.name))} ${PG_TYPES[d.type] ?? 'text'}`),
      ...v.measures.map((m) => `${ident(local(m.name))} ${measureType(m as { aggType?: string })}`),
    ]
    ddl.push(`CREATE TABLE public.${ident(v.name)} (${cols.join(', ')})`, `COMMENT ON TABLE public.${ident(v.name)} IS ${literal(v.title)}`)
    for (const m of [...v.dimensions, ...v.measures]) ddl.push(`COMMENT ON COLUMN public.${ident(v.name)}.${ident(local(m.name))} IS ${literal(m.title)}`)
  }
  return ddl.join(';\n')
}
