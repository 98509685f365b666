import { execFile, execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { cubeContextOf } from '../../infra/app/service/context.ts'
import { AccountNetworks } from '../../infra/access/account-networks.ts'
import { startSqlServer } from './sql-server.ts'
import { issueSystemKey, registerSystem } from '../../infra/access/system-keys.ts'
import { saveAccount } from '../../infra/access/accounts.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../infra/config.ts'
import { startService, type RunningService } from '../../infra/app/service/start-service.ts'
import { tempDir } from '../../infra/testing/temp-warehouse.ts'
import { httpClient } from '../../infra/testing/http-client.ts'

/*
 * The SQL API with the clients BI tools are built on, installed from Debian as CI installs them:
 * psql, psycopg 3, SQLAlchemy with psycopg2 (its inspector), pandas. Each answer is /load's for the
 * same question; the policy, the audit and the read-only rule hold on this door as on the others.
 */
const run = promisify(execFile)
/** Debian's Python, where python3-psycopg and the rest are installed (a pyenv python3 may come first on PATH). */
const PYTHON = process.env.KHO_PYTHON ?? '/usr/bin/python3'
const PASSWORD = 'kho-demo-2026'
/** Debian's pgjdbc (libpostgresql-jdbc-java), the driver Metabase and DBeaver ship. */
const JDBC = process.env.KHO_PGJDBC ?? '/usr/share/java/postgresql.jar'

let service: RunningService
const { load, login } = httpClient(() => service.url)

beforeAll(async () => {
  service = await startService(
    loadConfig({ ...process.env, KHO_HOME: tempDir('kho-sql-home-'), PORT: '0', HOST: '127.0.0.1', KHO_SQL_PORT: '0', KHO_DEMO: 'on', KHO_DEMO_SCALE: '0.05', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }),
  )
  await service.demoDone
}, 240_000)
afterAll(() => service?.stop())

const dsn = (user: string, password = PASSWORD, extra = '') => `host=127.0.0.1 port=${service.sqlPort} dbname=kho user=${user} password=${password} sslmode=disable ${extra}`.trim()

/** Runs a Python script with the DSN in its environment; its last line is JSON. */
async function py(script: string, env: Record<string, string> = {}): Promise<unknown> {
  const { stdout } = await run(PYTHON, ['-c', script], { env: { ...process.env, DSN: dsn('lanhdao'), PORT: String(service.sqlPort), ...env }, timeout: 120_000 })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

/** One sign-in per account (signing in again and again is what the rate limit is for). */
const tokens = new Map<string, Promise<string>>()
const tokenOf = (user: string) => tokens.get(user) ?? (tokens.set(user, login(user, PASSWORD)), tokens.get(user)!)
const loadRows = async (query: unknown, user = 'lanhdao') => (await load(query, await tokenOf(user))).body.data as Record<string, unknown>[]

describe('SQL API (Postgres wire protocol)', () => {
  it('psql lists the views, describes one, and answers a MEASURE query as /load does', async () => {
    const env = { ...process.env, PGPASSWORD: PASSWORD }
    const conn = `host=127.0.0.1 port=${service.sqlPort} dbname=kho user=lanhdao sslmode=disable`
    const dt = (await run('psql', [conn, '-c', '\\dt'], { env })).stdout
    expect(dt).toMatch(/public \| truong_hoc\s+\| table/)
    expect(dt).not.toMatch(/\bkt_xh_local\b/)
    const d = (await run('psql', [conn, '-c', '\\d truong_hoc'], { env })).stdout
    expect(d).toMatch(/cap_hoc\s+\| text/)
    expect(d).toMatch(/count\s+\| bigint/)
    const out = (await run('psql', [conn, '-A', '-t', '-F', '|', '-c', "SELECT admin_units_name, MEASURE(count) FROM truong_hoc WHERE loai_hinh = 'cong_lap' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"], { env })).stdout
    const rows = await loadRows({
      measures: ['truong_hoc.count'],
      dimensions: ['truong_hoc.admin_units_name'],
      filters: [{ member: 'truong_hoc.loai_hinh', operator: 'equals', values: ['cong_lap'] }],
      order: [['truong_hoc.count', 'desc'], ['truong_hoc.admin_units_name', 'asc']],
      limit: 5,
    })
    expect(rows.length).toBeGreaterThan(0)
    expect(out.trim().split('\n')).toEqual(rows.map((r) => `${r['truong_hoc.admin_units_name']}|${Number(r['truong_hoc.count'])}`))
  })

  it("reads a question inside a subquery or a CTE that a BI tool narrows (Superset's virtual_table)", async () => {
    const env = { ...process.env, PGPASSWORD: PASSWORD }
    const conn = `host=127.0.0.1 port=${service.sqlPort} dbname=kho user=lanhdao sslmode=disable`
    const sql =
      "WITH t AS (SELECT ma_xa, admin_units_name, MEASURE(count) AS n FROM truong_hoc GROUP BY 1, 2) SELECT * FROM (SELECT admin_units_name AS xa, n FROM t WHERE ma_xa IN ('07339', '07210', '07228')) AS virtual_table WHERE n >= 2 ORDER BY n DESC, xa LIMIT 1000"
    const out = (await run('psql', [conn, '-A', '-t', '-F', '|', '-c', sql], { env })).stdout
    const rows = await loadRows({
      measures: ['truong_hoc.count'],
      dimensions: ['truong_hoc.ma_xa', 'truong_hoc.admin_units_name'],
      filters: [{ member: 'truong_hoc.ma_xa', operator: 'equals', values: ['07339', '07210', '07228'] }, { member: 'truong_hoc.count', operator: 'gte', values: ['2'] }],
      order: [['truong_hoc.count', 'desc'], ['truong_hoc.admin_units_name', 'asc']],
      limit: 1000,
    })
    expect(rows.length).toBeGreaterThan(0)
    expect(out.trim().split('\n')).toEqual(rows.map((r) => `${r['truong_hoc.admin_units_name']}|${Number(r['truong_hoc.count'])}`))
  })

  it('psycopg 3: bound parameters, date_trunc by quarter, a write refused with the connection still usable', async () => {
    const got = (await py(`
import json, os, psycopg
c = psycopg.connect(os.environ['DSN'])
cur = c.cursor()
cur.execute("SELECT cap_hoc, MEASURE(sum_so_hoc_sinh) AS hoc_sinh FROM truong_hoc WHERE cap_hoc IN (%s, %s) GROUP BY 1 ORDER BY 1", ('tieu_hoc', 'thcs'))
params = [[r[0], float(r[1])] for r in cur.fetchall()]
cur.execute("SELECT date_trunc('quarter', ngay_xay_ra) AS quy, COUNT(*) FROM tai_nan_giao_thong WHERE ngay_xay_ra BETWEEN %s AND %s GROUP BY 1 ORDER BY 1", ('2026-01-01', '2026-12-31'))
quarters = [[r[0].isoformat(), r[1]] for r in cur.fetchall()]
# Numbers, decimals and dates as psycopg sends them: in binary, read by their declared types.
import decimal, datetime
cur.execute("SELECT MEASURE(count) FROM truong_hoc WHERE so_hoc_sinh > %s AND so_hoc_sinh <= %s", (decimal.Decimal('100.5'), 2000))
bound = cur.fetchone()[0]
cur.execute("SELECT MEASURE(count) FROM tai_nan_giao_thong WHERE ngay_xay_ra >= %s", (datetime.date(2026, 10, 5),))
since = cur.fetchone()[0]
try:
    cur.execute("DELETE FROM truong_hoc")
    refused = None
except psycopg.Error as e:
    refused = [e.sqlstate, str(e)]
c.rollback()
cur.execute("SELECT MEASURE(count) FROM truong_hoc")
after = cur.fetchone()[0]
print(json.dumps({'params': params, 'quarters': quarters, 'refused': refused, 'after': after, 'bound': bound, 'since': since}))
`)) as { params: [string, number][]; quarters: [string, number][]; refused: [string, string]; after: number; bound: number; since: number }
    const byLevel = await loadRows({ measures: ['truong_hoc.sum_so_hoc_sinh'], dimensions: ['truong_hoc.cap_hoc'], filters: [{ member: 'truong_hoc.cap_hoc', operator: 'equals', values: ['tieu_hoc', 'thcs'] }], order: [['truong_hoc.cap_hoc', 'asc']] })
    expect(got.params).toEqual(byLevel.map((r) => [r['truong_hoc.cap_hoc'], Number(r['truong_hoc.sum_so_hoc_sinh'])]))
    const quarters = await loadRows({ measures: ['tai_nan_giao_thong.count'], timeDimensions: [{ dimension: 'tai_nan_giao_thong.ngay_xay_ra', granularity: 'quarter', dateRange: ['2026-01-01', '2026-12-31'] }], order: [['tai_nan_giao_thong.ngay_xay_ra', 'asc']] })
    expect(quarters.length).toBeGreaterThan(0)
    expect(got.quarters).toEqual(quarters.map((r) => [String(r['tai_nan_giao_thong.ngay_xay_ra.quarter']).slice(0, 19), Number(r['tai_nan_giao_thong.count'])]))
    expect(got.refused[0]).toBe('25006')
    expect(got.refused[1]).toContain('chỉ để đọc')
    expect(got.refused[1]).toContain('read-only')
    const [all] = await loadRows({ measures: ['truong_hoc.count'] })
    expect(got.after).toBe(Number(all!['truong_hoc.count']))
    const [bound] = await loadRows({ measures: ['truong_hoc.count'], filters: [{ member: 'truong_hoc.so_hoc_sinh', operator: 'gt', values: ['100.5'] }, { member: 'truong_hoc.so_hoc_sinh', operator: 'lte', values: ['2000'] }] })
    expect(got.bound).toBe(Number(bound!['truong_hoc.count']))
    const [since] = await loadRows({ measures: ['tai_nan_giao_thong.count'], filters: [{ member: 'tai_nan_giao_thong.ngay_xay_ra', operator: 'afterOrOnDate', values: ['2026-10-05'] }] })
    expect(got.since).toBe(Number(since!['tai_nan_giao_thong.count']))
  })

  it("SQLAlchemy's inspector sees the views and their columns; pandas.read_sql reads what /load gives", async () => {
    const got = (await py(`
import json, os, sqlalchemy as sa, pandas as pd
e = sa.create_engine(f"postgresql+psycopg2://lanhdao:${PASSWORD}@127.0.0.1:{os.environ['PORT']}/kho")
insp = sa.inspect(e)
tables = insp.get_table_names()
cols = {c['name']: str(c['type']) for c in insp.get_columns('ho_ngheo')}
df = pd.read_sql("SELECT nam, MEASURE(count) AS so_ho FROM ho_ngheo WHERE phan_loai = 'ho_ngheo' GROUP BY 1 ORDER BY 1", e)
print(json.dumps({'tables': tables, 'cols': cols, 'df': [[int(r.nam), int(r.so_ho)] for r in df.itertuples()]}))
`)) as { tables: string[]; cols: Record<string, string>; df: [number, number][] }
    expect(got.tables).toEqual(expect.arrayContaining(['truong_hoc', 'ho_ngheo', 'kt_xh', 'citizens']))
    expect(got.cols).toMatchObject({ ma_xa: 'TEXT', nam: 'NUMERIC', count: 'BIGINT' })
    const rows = await loadRows({ measures: ['ho_ngheo.count'], dimensions: ['ho_ngheo.nam'], filters: [{ member: 'ho_ngheo.phan_loai', operator: 'equals', values: ['ho_ngheo'] }], order: [['ho_ngheo.nam', 'asc']] })
    expect(rows.length).toBeGreaterThan(0)
    expect(got.df).toEqual(rows.map((r) => [Number(r['ho_ngheo.nam']), Number(r['ho_ngheo.count'])]))
  })

  it('refuses by SQL what REST refuses: a view an officer may not read, personal members, a wrong password; and audits each statement', async () => {
    const officerRest = await load({ measures: ['citizens.count'] }, await tokenOf('canbo.sotc'))
    expect(officerRest.status).toBe(403)
    const got = (await py(
      `
import json, os, psycopg
out = {}
c = psycopg.connect(os.environ['OFFICER'], autocommit=True)
try:
    c.execute("SELECT MEASURE(count) FROM citizens")
except psycopg.Error as e:
    out['officer'] = [e.sqlstate, str(e)]
l = psycopg.connect(os.environ['DSN'], autocommit=True)
try:
    l.execute("SELECT full_name, birth_date FROM citizens LIMIT 3")
except psycopg.Error as e:
    out['personal'] = [e.sqlstate, str(e)]
try:
    psycopg.connect(os.environ['WRONG'])
except psycopg.OperationalError as e:
    out['wrong'] = str(e)
print(json.dumps(out))
`,
      { OFFICER: dsn('canbo.sotc'), WRONG: dsn('lanhdao', 'not-the-password') },
    )) as { officer: [string, string]; personal: [string, string]; wrong: string }
    expect(got.officer[0]).toBe('42501')
    expect(got.personal[0]).toBe('42501')
    expect(got.personal[1]).toContain('Dữ liệu cá nhân')
    expect(got.wrong).toMatch(/password authentication failed|Sai tên đăng nhập/)
    await service.ctx.audit.flush()
    const steward = await tokenOf('quantri')
    const { call } = httpClient(() => service.url)
    const entries = (await call('GET', '/api/audit?limit=50&format=json', steward)).body as { endpoint: string; account: string; outcome: string; query: unknown; via: string }[]
    const sql = entries.filter((e) => e.endpoint === 'sql')
    expect(sql.some((e) => e.account === 'canbo.sotc' && e.outcome === 'denied')).toBe(true)
    expect(sql.some((e) => e.account === 'lanhdao' && e.outcome === 'denied' && JSON.stringify(e.query).includes('full_name'))).toBe(true)
    expect(entries.some((e) => e.endpoint === 'login' && e.account === 'lanhdao' && e.outcome === 'denied')).toBe(true)
  })

  it('cancels a statement on request, ends a catalog statement past its time, and keeps both connections usable', async () => {
    const got = (await py(`
import json, os, psycopg, threading, time
c = psycopg.connect(os.environ['DSN'], autocommit=True)
threading.Timer(0.5, c.cancel).start()
t = time.time()
try:
    c.execute("SELECT pg_sleep(3)")
    canceled = None
except psycopg.Error as e:
    canceled = [e.sqlstate, round(time.time() - t, 1)]
after_cancel = c.execute("SELECT MEASURE(count) FROM truong_hoc").fetchone()[0]
t = time.time()
try:
    c.execute("SELECT pg_sleep(60)")
    timed_out = None
except psycopg.Error as e:
    timed_out = [e.sqlstate, str(e), round(time.time() - t)]
tables = [r[0] for r in c.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1").fetchall()]
print(json.dumps({'canceled': canceled, 'after_cancel': after_cancel, 'timed_out': timed_out, 'tables': tables}))
`)) as { canceled: [string, number]; after_cancel: number; timed_out: [string, string, number]; tables: string[] }
    expect(got.canceled[0]).toBe('57014')
    expect(got.canceled[1]).toBeLessThan(3)
    expect(got.after_cancel).toBeGreaterThan(0)
    // A catalog statement runs on its own thread, ended past its time: the rest of kho never waited on it.
    expect(got.timed_out[0]).toBe('57014')
    expect(got.timed_out[1]).toContain('quá 5 giây')
    expect(got.timed_out[2]).toBeLessThan(30)
    expect(got.tables).toEqual(expect.arrayContaining(['truong_hoc', 'kt_xh']))
  })

  it("speaks TLS with kho's certificate (sslmode=verify-full)", async () => {
    const dir = tempDir('kho-sql-tls-')
    const cert = path.join(dir, 'kho.crt')
    const key = path.join(dir, 'kho.key')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=kho.test', '-addext', 'subjectAltName=DNS:kho.test,IP:127.0.0.1'], { stdio: 'ignore' })
    // A second door on the same service, as KHO_TLS_CERT/KHO_TLS_KEY open it.
    const tls = await startSqlServer(cubeContextOf(service.ctx), { port: 0, host: '127.0.0.1', tls: { cert, key }, accountNetworks: new AccountNetworks(['127.0.0.0/8']) })
    try {
      const got = (await py(
        `
import json, os, psycopg
c = psycopg.connect(os.environ['TLS_DSN'], autocommit=True)
n = c.execute("SELECT MEASURE(count) FROM truong_hoc").fetchone()[0]
print(json.dumps({'ssl': c.pgconn.ssl_in_use, 'n': n}))
`,
        { TLS_DSN: `host=127.0.0.1 port=${tls.port} dbname=kho user=lanhdao password=${PASSWORD} sslmode=verify-full sslrootcert=${cert}` },
      )) as { ssl: boolean; n: number }
      expect(got.ssl).toBe(true)
      const [all] = await loadRows({ measures: ['truong_hoc.count'] })
      expect(got.n).toBe(Number(all!['truong_hoc.count']))
    } finally {
      await tls.close()
    }
    // Accounts kept to the province's network (KHO_ACCOUNT_NETWORKS): the right password from elsewhere does not sign in.
    const limited = await startSqlServer(cubeContextOf(service.ctx), { port: 0, host: '127.0.0.1', tls: null, accountNetworks: new AccountNetworks(['10.0.0.0/8']) })
    try {
      const outside = await py(
        `
import json, os, psycopg
try:
    psycopg.connect(os.environ['LIMITED_DSN'])
    print(json.dumps('connected'))
except psycopg.OperationalError:
    print(json.dumps('refused'))
`,
        { LIMITED_DSN: `host=127.0.0.1 port=${limited.port} dbname=kho user=lanhdao password=${PASSWORD} sslmode=disable` },
      )
      expect(outside).toBe('refused')
    } finally {
      await limited.close()
    }
  })

  it('lets a consuming system in with its key (its views only), and personal data out only with a grant and a declared purpose', async () => {
    const wh = service.ctx.wh
    await registerSystem(wh, { id: 'bi-tinh', name: 'Kho BI của tỉnh', agency: 'TK_TINH', contact: '', views: ['enterprises'], addresses: [], expires_on: null })
    const { key } = await issueSystemKey(wh, 'bi-tinh')
    await saveAccount(wh, { username: 'xacminh.ansinh', password: 'xac-minh-2026-an-sinh', role: 'steward', personal_data: true })
    const got = (await py(
      `
import json, os, psycopg
out = {}
s = psycopg.connect(os.environ['SYSTEM'], autocommit=True)
out['system'] = s.execute("SELECT MEASURE(count) FROM enterprises").fetchone()[0]
try:
    s.execute("SELECT MEASURE(count) FROM ho_ngheo")
except psycopg.Error as e:
    out['system_other'] = e.sqlstate
try:
    psycopg.connect(os.environ['SYSTEM_WRONG_USER'])
except psycopg.OperationalError as e:
    out['system_wrong_user'] = 'refused'
g = psycopg.connect(os.environ['GRANTED'], autocommit=True)
try:
    g.execute("SELECT id_number FROM citizens LIMIT 2")
except psycopg.Error as e:
    out['no_purpose'] = e.sqlstate
g.execute("SET kho.purpose = 'Xác minh hồ sơ an sinh xã hội'")
out['with_purpose'] = len(g.execute("SELECT id_number, full_name FROM citizens ORDER BY id_number LIMIT 2").fetchall())
# The purpose at start-up, as psql and drivers send PGOPTIONS (a space escaped by a backslash).
os.environ['PGOPTIONS'] = '-c kho.purpose=Xác\\ minh\\ hồ\\ sơ\\ an\\ sinh'
p = psycopg.connect(os.environ['GRANTED'], autocommit=True)
out['purpose_at_start'] = len(p.execute("SELECT id_number FROM citizens LIMIT 2").fetchall())
print(json.dumps(out))
`,
      { SYSTEM: dsn('bi-tinh', key), SYSTEM_WRONG_USER: dsn('ai-khac', key), GRANTED: dsn('xacminh.ansinh', 'xac-minh-2026-an-sinh') },
    )) as Record<string, unknown>
    const [enterprises] = await loadRows({ measures: ['enterprises.count'] })
    // As REST answers the same key: its view, not another agency's shared one.
    expect((await load({ measures: ['ho_ngheo.count'] }, key)).status).toBe(403)
    expect(got).toEqual({ system: Number(enterprises!['enterprises.count']), system_other: '42501', system_wrong_user: 'refused', no_purpose: '42501', with_purpose: 2, purpose_at_start: 2 })
    await service.ctx.audit.flush()
    const steward = await tokenOf('quantri')
    const { call } = httpClient(() => service.url)
    const entries = (await call('GET', '/api/audit?limit=100&format=json', steward)).body as { endpoint: string; account: string; outcome: string; purpose: string; via: string }[]
    expect(entries.some((e) => e.endpoint === 'sql' && e.account === 'sys:bi-tinh' && e.via === 'sql-system-key' && e.outcome === 'ok')).toBe(true)
    expect(entries.some((e) => e.endpoint === 'sql' && e.account === 'xacminh.ansinh' && e.outcome === 'ok' && e.purpose === 'Xác minh hồ sơ an sinh xã hội')).toBe(true)
  })

  it('pgjdbc, as Metabase and DBeaver use it: the tables and columns they list, and a prepared statement run six times', async () => {
    const probe = fileURLToPath(new URL('./testing/JdbcProbe.java', import.meta.url))
    const { stdout } = await run('java', ['-cp', JDBC, probe, String(service.sqlPort), 'lanhdao', PASSWORD], { timeout: 120_000 })
    const got = JSON.parse(stdout.trim().split('\n').at(-1)!) as { product: string; tables: string[]; columns: Record<string, string>; rows: [string, number][]; months: [string, string][] }
    expect(got.product).toBe('PostgreSQL')
    expect(got.tables).toEqual(expect.arrayContaining(['truong_hoc', 'kt_xh', 'ho_ngheo']))
    expect(got.columns).toMatchObject({ cap_hoc: 'text', so_hoc_sinh: 'numeric', count: 'int8' })
    const rows = await loadRows({
      measures: ['truong_hoc.count'],
      dimensions: ['truong_hoc.admin_units_name'],
      filters: [{ member: 'truong_hoc.loai_hinh', operator: 'equals', values: ['cong_lap'] }],
      order: [['truong_hoc.count', 'desc'], ['truong_hoc.admin_units_name', 'asc']],
      limit: 3,
    })
    expect(got.rows).toEqual(rows.map((r) => [r['truong_hoc.admin_units_name'], Number(r['truong_hoc.count'])]))
    const months = await loadRows({ measures: ['tai_nan_giao_thong.sum_thiet_hai_trieu_dong'], timeDimensions: [{ dimension: 'tai_nan_giao_thong.ngay_xay_ra', granularity: 'month' }], filters: [{ member: 'tai_nan_giao_thong.ngay_xay_ra', operator: 'afterOrOnDate', values: ['2026-01-01'] }], order: [['tai_nan_giao_thong.ngay_xay_ra', 'asc']] })
    expect(months.length).toBeGreaterThan(0)
    expect(got.months.map(([m, v]) => [m, Number(v)])).toEqual(months.map((r) => [String(r['tai_nan_giao_thong.ngay_xay_ra.month']).slice(0, 16), Number(r['tai_nan_giao_thong.sum_thiet_hai_trieu_dong'])]))
  })

  it('answers 20 clients at once, each as /load answers it', async () => {
    const got = (await py(`
import json, os, psycopg, threading
out = [None] * 20
def ask(i):
    with psycopg.connect(os.environ['DSN']) as c:
        rows = c.execute("SELECT ma_xa, MEASURE(count) FROM co_so_kham_chua_benh GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s", (3 + i % 5,)).fetchall()
        out[i] = [[r[0], r[1]] for r in rows]
threads = [threading.Thread(target=ask, args=(i,)) for i in range(20)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(out))
`)) as [string, number][][]
    for (let i = 0; i < 20; i++) {
      const rows = await loadRows({ measures: ['co_so_kham_chua_benh.count'], dimensions: ['co_so_kham_chua_benh.ma_xa'], order: [['co_so_kham_chua_benh.count', 'desc'], ['co_so_kham_chua_benh.ma_xa', 'asc']], limit: 3 + (i % 5) })
      expect(got[i]).toEqual(rows.map((r) => [r['co_so_kham_chua_benh.ma_xa'], Number(r['co_so_kham_chua_benh.count'])]))
    }
  })
})
