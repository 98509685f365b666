import { Worker } from 'node:worker_threads'
import { serialize } from 'pg-protocol'
import { bindMessage } from './wire.ts'
import type { CubeMeta } from '../cube/compile-model.ts'

/**
 * What BI tools ask a server about itself — `version()`, `SHOW`, `information_schema`, the
 * `pg_catalog` joins psql's `\dt` and `\d`, SQLAlchemy's inspector, Superset and Metabase send —
 * answered by a real Postgres (PGlite: Postgres compiled to WebAssembly, in this process, no disk)
 * holding one empty table per view, with the views' titles as comments. Written by hand these
 * queries would be a catalogue of special cases that the next tool breaks; a real Postgres answers
 * each exactly as the tool expects. The tables are empty: data is only ever read through the
 * semantic layer (sql-to-cube.ts), under the policy. It runs on a thread of its own
 * (catalog-worker.ts), started with the SQL API, and a statement gets CATALOG_SECONDS.
 */
/** How long a catalog statement may run before its thread is ended and started again. */
export const CATALOG_SECONDS = 5

export class CatalogError extends Error {}

export class CatalogDb {
  private worker: Worker | null = null
  private started: Promise<void> | null = null
  /** One statement at a time: the catalog is shared by every connection. */
  private turn: Promise<unknown> = Promise.resolve()
  /** The model's views the tables were made from: a registration changes them while kho runs. */
  private builtFrom: CubeMeta[] | null = null
  private next = 1
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>()

  constructor(private readonly views: () => CubeMeta[]) {}

  /** Starts the catalog's thread (at once, so the first BI tool does not wait for it). */
  ready(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./catalog-worker.mjs', import.meta.url))
      this.worker = worker
      this.builtFrom = null
      worker.on('message', (m: { ready?: boolean; id?: number; bytes?: Uint8Array; error?: string }) => {
        if (m.ready) return resolve()
        const w = this.waiting.get(m.id!)
        this.waiting.delete(m.id!)
        if (m.error !== undefined) w?.reject(new CatalogError(m.error))
        else w?.resolve(Buffer.from(m.bytes!))
      })
      worker.on('error', (err) => {
        reject(err)
        this.fail(err)
      })
      worker.unref()
    })
    return this.started
  }

  private fail(err: Error) {
    for (const w of this.waiting.values()) w.reject(err)
    this.waiting.clear()
    this.started = null
    this.worker = null
  }

  private post(m: { ddl?: string; bytes?: Buffer }): Promise<Buffer> {
    const id = this.next++
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Past its time: the thread is ended (and the statement with it) and started again.
        const worker = this.worker
        this.fail(new CatalogError('timeout'))
        void worker?.terminate()
      }, CATALOG_SECONDS * 1000)
      this.waiting.set(id, {
        resolve: (b) => (clearTimeout(timer), resolve(b)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      this.worker!.postMessage({ id, ...m })
    })
  }

  /**
   * Sends frontend messages (ending with Sync) and returns the backend's, one buffer per message,
   * without the ReadyForQuery: the connection sends its own.
   */
  async run(messages: Buffer[]): Promise<Buffer[]> {
    const next = this.turn.then(async () => {
      await this.ready()
      const views = this.views()
      const ddl = views !== this.builtFrom ? tablesSql(views) : undefined
      const out = await this.post({ ddl, bytes: Buffer.concat(messages) })
      this.builtFrom = views
      return out
    })
    this.turn = next.catch(() => undefined)
    return split(await next).filter((m) => m[0] !== 0x5a)
  }

  /** A simple query ('Q'). */
  query(sql: string): Promise<Buffer[]> {
    return this.run([serialize.query(sql)])
  }

  /** An extended query with text parameters, answered in the formats the client asked for: parsed, bound, described and run. */
  extended(sql: string, params: (string | null)[], resultFormats: readonly number[] = [], types: number[] = []): Promise<Buffer[]> {
    return this.run([serialize.parse({ text: sql, types }), bindMessage(params, resultFormats), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()])
  }

  /** A statement's parameters and columns, before it is bound. */
  describe(sql: string, types: number[] = []): Promise<Buffer[]> {
    return this.run([serialize.parse({ text: sql, types }), serialize.describe({ type: 'S' }), serialize.sync()])
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.fail(new CatalogError('closed'))
    await worker?.terminate()
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
