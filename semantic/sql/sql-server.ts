import fs from 'node:fs'
import net from 'node:net'
import { randomInt } from 'node:crypto'
import { PostgresConnection } from 'pg-gateway'
import type { Caller } from '../../infra/access/caller.ts'
import { checkPassword } from '../../infra/access/accounts.ts'
import { systemCaller, systemOfKey } from '../../infra/access/system-keys.ts'
import * as clock from '../../infra/time/clock.ts'
import type { CubeApiContext } from '../api/cube-api.ts'
import type { AccountNetworks } from '../../infra/access/account-networks.ts'
import { CatalogDb } from './catalog-db.ts'
import { SqlError } from './sql-to-cube.ts'
import { describeStatement, parseStatements, parserReady, runStatement, sqlErrorMessage, WireFailure, type ParsedStatement, type SqlSession, type StatementResult } from './sql-statement.ts'
import {
  authenticationOk, backendKeyData, binaryParam, bindComplete, closeComplete, errorResponse, noData, parameterStatus, parseComplete, readBind, readClose, readDescribe, readExecute, readMessage, readParse, readyForQuery,
} from './wire.ts'

/**
 * kho's SQL API: the Postgres wire protocol on KHO_SQL_PORT, so that Excel (ODBC), Power BI,
 * Superset, Metabase, DBeaver, psql and pandas connect as to Postgres and read the semantic layer
 * under kho's rules. pg-gateway (maintained, small, built on the `pg` driver's own protocol code)
 * frames the connection, answers SSLRequest and upgrades to TLS with kho's certificate; kho
 * authenticates (an account's password, or a consuming system's key), then reads the simple and
 * the extended query protocols itself (wire.ts), one statement at a time (sql-statement.ts).
 */

export interface SqlServerOptions {
  port: number
  host: string
  tls: { cert: string; key: string } | null
  /** Where accounts may sign in from (Đắk Nông Điều 10.2); systems keep their own address lists. */
  accountNetworks: AccountNetworks
}

export interface SqlServer {
  port: number
  close(): Promise<void>
}

/** What the server tells each client at start-up (psql, drivers and BI tools read these). */
const SERVER_VERSION = '15.0 (kho)'

/** A connection's running statement, by its cancel key. */
const running = new Map<number, { secret: number; cancel: () => void }>()

/** Start-up `options` ("-c kho.purpose=Đối\ soát…"): the purpose a session declares, when it does. */
export function purposeOf(options: string | undefined): string {
  const m = /(?:^|\s)(?:-c\s*|--)kho\.purpose=((?:\\.|[^\s\\])+)/.exec(options ?? '')
  return m ? m[1]!.replace(/\\(.)/g, '$1') : ''
}

export async function startSqlServer(api: CubeApiContext, opts: SqlServerOptions): Promise<SqlServer> {
  await parserReady()
  const catalog = new CatalogDb(() => api.model.meta)
  // Started now, so the first tool to connect does not wait for it.
  catalog.ready().catch(() => undefined)
  const tls = opts.tls ? () => ({ cert: fs.readFileSync(opts.tls!.cert), key: fs.readFileSync(opts.tls!.key) }) : undefined
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    connect(socket)
  })

  function connect(socket: net.Socket) {
    const pid = randomInt(1, 2 ** 31 - 1)
    const secret = randomInt(1, 2 ** 31 - 1)
    let session: SqlSession | null = null
    const statements = new Map<string, { st: ParsedStatement; types: number[] }>()
    const portals = new Map<string, { st: ParsedStatement; params: (string | null)[]; formats: number[]; result?: StatementResult }>()
    /** After an error in the extended protocol, messages are skipped until Sync. */
    let skipping = false
    // Answers wait here until the client's Sync (or Flush, or the end of a simple query) and leave in
    // one write, as Postgres sends them: five small writes for one extended query met the client's
    // delayed acknowledgement (≈40 ms a query, bench/sql.ts).
    let out: Buffer[] = []
    const send = (...messages: Buffer[]) => void out.push(...messages)
    const flush = () => {
      if (out.length === 0) return
      conn.socket.write(Buffer.concat(out))
      out = []
    }
    const fail = (err: unknown) => {
      if (err instanceof WireFailure) return err.message_
      if (err instanceof SqlError) return sqlErrorMessage(err)
      return errorResponse({ code: 'XX000', message: 'Lỗi trong kho khi trả lời câu lệnh', detail: `kho failed to answer the statement: ${(err as Error).message}` })
    }
    const failed = (err: unknown) => {
      if (session?.transaction === 'T') session.transaction = 'E'
      return fail(err)
    }
    /** Runs a statement; a cancel request answers it at once with Postgres's 57014 (the engine's work is dropped). */
    const run = async (st: ParsedStatement, params: (string | null)[], formats: number[] = []) => {
      let cancel = () => {}
      const canceled = new Promise<never>((_, reject) => {
        cancel = () => reject(new SqlError('57014', 'Câu lệnh đã bị hủy theo yêu cầu', 'canceling statement due to user request'))
      })
      running.set(pid, { secret, cancel })
      try {
        const work = runStatement({ api, catalog }, session!, st, params, formats)
        work.catch(() => undefined)
        return await Promise.race([work, canceled])
      } finally {
        running.delete(pid)
      }
    }

    const authenticate = async (user: string, password: string, options: Record<string, string>): Promise<Caller | null> => {
      const purpose = purposeOf(options.options) || options['kho.purpose'] || ''
      // A consuming system connects with its key as the password (its id as the user).
      if (password.startsWith('kho_sys_')) {
        const system = await systemOfKey(api.wh, password, socket.remoteAddress?.replace(/^::ffff:/, '') ?? '', clock.today())
        if ('vi' in system || system.id !== user) return null
        return { ...systemCaller(system, purpose, 'sql-system-key'), takesAway: true }
      }
      if (!opts.accountNetworks.allows(socket.remoteAddress ?? '')) return null
      const account = await checkPassword(api.wh, user, password)
      if (!account || account.must_change_password) return null
      return { account: account.username, role: account.role, agency: account.agency, communeCode: account.commune_code, personalData: account.personal_data, purpose, via: 'sql-password', takesAway: true }
    }

    const conn: PostgresConnection = new PostgresConnection(socket, {
      serverVersion: SERVER_VERSION,
      authMode: 'cleartextPassword',
      ...(tls ? { tls } : {}),
      onMessage: async (data, state) => {
        const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
        if (!state.hasStarted) {
          // A CancelRequest comes on a connection of its own, before any start-up.
          if (buf.length === 16 && buf.readInt32BE(4) === 80877102) {
            const target = running.get(buf.readInt32BE(8))
            if (target && target.secret === buf.readInt32BE(12)) target.cancel()
            socket.end()
            return true
          }
          return false
        }
        const { type, r } = readMessage(data)
        if (session) return true
        {
          if (type !== 'p') return false
          const client = state.clientInfo!.parameters
          const caller = await authenticate(client.user, r.cstring(), client)
          if (!caller) {
            api.audit.recordCaller({ account: client.user, role: 'public', agency: '', communeCode: '', personalData: false, purpose: '', via: 'sql-password' }, socket.remoteAddress ?? '', { endpoint: 'login', outcome: 'denied', reason: 'sai mật khẩu hoặc tài khoản bị khóa / wrong password or disabled account' })
            send(errorResponse({ severity: 'FATAL', code: '28P01', message: `Sai tên đăng nhập hoặc mật khẩu cho "${client.user}"`, detail: `password authentication failed for user "${client.user}"` }))
            flush()
            socket.end()
            return true
          }
          session = { caller, client: socket.remoteAddress ?? '', transaction: 'I' }
          conn.isAuthenticated = true
          // From here kho frames the messages itself, one after another: pg-gateway resumes the socket
          // between two messages it hands over, so a statement that awaits the engine would see the
          // next message's bytes arrive into the buffer it is still reading (a pipelined Parse,
          // Bind, Execute, Sync from libpq came apart).
          const stream = conn.detach()
          let pending: Buffer = Buffer.alloc(0)
          let chain: Promise<void> = Promise.resolve()
          stream.on('data', (chunk: Buffer) => {
            pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
            while (pending.length >= 5) {
              const end = 1 + pending.readUInt32BE(1)
              if (pending.length < end) break
              const m = pending.subarray(0, end)
              pending = pending.subarray(end)
              chain = chain.then(() => {
                const { type, r } = readMessage(m)
                if (process.env.KHO_SQL_DEBUG) console.error('msg', type, m.length)
                return message(type, r)
              }).catch(() => void socket.destroy())
            }
          })
          send(
            authenticationOk(),
            ...Object.entries({
              server_version: SERVER_VERSION, server_encoding: 'UTF8', client_encoding: 'UTF8', DateStyle: 'ISO, MDY', IntervalStyle: 'postgres', integer_datetimes: 'on',
              standard_conforming_strings: 'on', TimeZone: 'Asia/Ho_Chi_Minh', is_superuser: 'off', session_authorization: client.user, application_name: client.application_name ?? '',
            }).map(([k, v]) => parameterStatus(k, v)),
            backendKeyData(pid, secret),
            readyForQuery('I'),
          )
          flush()
          return true
        }
      },
    })

    async function message(type: string, r: ReturnType<typeof readMessage>['r']) {
      const s = session!
      switch (type) {
        case 'Q': {
          const sql = r.cstring()
          try {
            for (const st of parseStatements(sql)) {
              const res = await run(st, [])
              send(...(res.description ? [res.description] : []), ...res.rows, res.complete)
            }
          } catch (err) {
            send(failed(err))
          }
          send(readyForQuery(s.transaction))
          flush()
          return
        }
        case 'S':
          skipping = false
          send(readyForQuery(s.transaction))
          flush()
          return
        case 'X':
          socket.end()
          return
        case 'H':
          flush()
          return
      }
      if (skipping) return
      try {
        switch (type) {
          case 'P': {
            const { name, sql, types } = readParse(r)
            const [st, more] = parseStatements(sql)
            if (more) throw new SqlError('42601', 'Một câu lệnh chuẩn bị chỉ chứa một câu lệnh', 'cannot insert multiple commands into a prepared statement')
            statements.set(name, { st: st!, types })
            send(parseComplete())
            return
          }
          case 'B': {
            const b = readBind(r)
            const prepared = statements.get(b.statement)
            if (!prepared) throw new SqlError('26000', `Không có câu lệnh chuẩn bị "${b.statement}"`, `prepared statement "${b.statement}" does not exist`)
            // One format for all, or one per parameter; binary ones read by their declared type.
            const formatOf = (i: number) => (b.paramFormats.length === 1 ? b.paramFormats[0]! : (b.paramFormats[i] ?? 0))
            const params = b.params.map((p, i) => {
              if (p === null || formatOf(i) === 0) return p === null ? null : p.toString('utf8')
              try {
                return binaryParam(p, prepared.types[i] ?? 0)
              } catch {
                throw new SqlError('0A000', `Chưa đọc được tham số $${i + 1} dạng nhị phân (kiểu ${prepared.types[i] ?? 0}); gửi dạng văn bản`, `binary parameter $${i + 1} of type ${prepared.types[i] ?? 0} is not supported; send it as text`)
              }
            })
            portals.set(b.portal, { st: prepared.st, params, formats: b.resultFormats })
            send(bindComplete())
            return
          }
          case 'D': {
            const d = readDescribe(r)
            if (d.kind === 'S') {
              const prepared = statements.get(d.name)
              if (!prepared) throw new SqlError('26000', `Không có câu lệnh chuẩn bị "${d.name}"`, `prepared statement "${d.name}" does not exist`)
              send(...(await describeStatement({ api, catalog }, prepared.st, prepared.types)))
              return
            }
            const portal = portals.get(d.name)
            if (!portal) throw new SqlError('34000', `Không có portal "${d.name}"`, `portal "${d.name}" does not exist`)
            // A portal's columns are known once it has run: it runs here, and Execute sends its rows.
            portal.result ??= await run(portal.st, portal.params, portal.formats)
            send(portal.result.description ?? noData())
            return
          }
          case 'E': {
            const e = readExecute(r)
            const portal = portals.get(e.portal)
            if (!portal) throw new SqlError('34000', `Không có portal "${e.portal}"`, `portal "${e.portal}" does not exist`)
            const result = portal.result ?? (await run(portal.st, portal.params, portal.formats))
            portal.result = undefined
            send(...result.rows, result.complete)
            return
          }
          case 'C': {
            const c = readClose(r)
            if (c.kind === 'S') statements.delete(c.name)
            else portals.delete(c.name)
            send(closeComplete())
            return
          }
          default:
            throw new SqlError('0A000', `Chưa hỗ trợ thông điệp "${type}" (COPY, gọi hàm)`, `message "${type}" is not supported (COPY, function calls)`)
        }
      } catch (err) {
        skipping = true
        send(failed(err))
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => resolve())
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await catalog.close()
    },
  }
}
