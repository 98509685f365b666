import { parentPort } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'

/**
 * The catalog's Postgres on a thread of its own (catalog-db.ts): PGlite runs WebAssembly on the
 * thread that calls it, so a slow catalog statement (pg_sleep, a huge generate_series) would stop
 * every other request of the service; here it stops only this thread, which the service ends when
 * the statement runs past its time.
 */
const db = await PGlite.create()

parentPort!.on('message', async (m: { id: number; ddl?: string; bytes?: Uint8Array }) => {
  try {
    if (m.ddl) await db.exec(m.ddl)
    const out = m.bytes ? await db.execProtocolRaw(m.bytes, { throwOnError: false }) : new Uint8Array()
    parentPort!.postMessage({ id: m.id, bytes: out }, [out.buffer as ArrayBuffer])
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message })
  }
})
parentPort!.postMessage({ ready: true })
