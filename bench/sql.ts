/**
 * npm run bench:sql — the same questions asked through the SQL API with psycopg 3 and through REST
 * (/cubejs-api/v1/load, over one kept-alive HTTP connection), both from the same Python process on
 * the warm demo (scale 1, BENCH_SCALE to change): what the Postgres door costs beside the REST one.
 * Each question is asked once to warm the cache, then BENCH_ROUNDS times on each side.
 *
 * Needs Debian's python3-psycopg (KHO_PYTHON, default /usr/bin/python3).
 * Last line: RESULT {"questions", "sql_p50_ms", "sql_p95_ms", "rest_p50_ms", "rest_p95_ms", "ratio_p50", "target_ok"}
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startDemoService } from './demo-service.ts'
import { signJwt } from '../infra/access/tokens.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
const PYTHON = process.env.KHO_PYTHON ?? '/usr/bin/python3'
const service = await startDemoService('kho-bench-sql-', { KHO_SQL_PORT: '0' })
const token = signJwt({ role: 'leader', sub: 'lanhdao' }, service.ctx.secret)

/** Each question in SQL (with its parameters) and as the Cube query it means. */
const QUESTIONS: { sql: string; params: (string | number)[]; query: unknown }[] = [
  { sql: 'SELECT MEASURE(count) FROM truong_hoc', params: [], query: { measures: ['truong_hoc.count'] } },
  {
    sql: 'SELECT admin_units_name, MEASURE(count) FROM truong_hoc GROUP BY 1 ORDER BY 2 DESC LIMIT 10',
    params: [],
    query: { measures: ['truong_hoc.count'], dimensions: ['truong_hoc.admin_units_name'], order: [['truong_hoc.count', 'desc']], limit: 10 },
  },
  {
    sql: "SELECT date_trunc('month', ngay_tiep_nhan), COUNT(*) FROM ho_so_tthc GROUP BY 1 ORDER BY 1",
    params: [],
    query: { measures: ['ho_so_tthc.count'], timeDimensions: [{ dimension: 'ho_so_tthc.ngay_tiep_nhan', granularity: 'month' }], order: [['ho_so_tthc.ngay_tiep_nhan', 'asc']] },
  },
  {
    sql: 'SELECT period, MEASURE(value) FROM kt_xh WHERE indicator_code = %s AND period IN (%s, %s) GROUP BY 1 ORDER BY 1',
    params: ['ENT_NEW', '2026-09', '2026-10'],
    query: { measures: ['kt_xh.value'], dimensions: ['kt_xh.period'], filters: [{ member: 'kt_xh.indicator_code', operator: 'equals', values: ['ENT_NEW'] }, { member: 'kt_xh.period', operator: 'equals', values: ['2026-09', '2026-10'] }], order: [['kt_xh.period', 'asc']] },
  },
  {
    sql: 'SELECT cap_hoc, MEASURE(sum_so_hoc_sinh) FROM truong_hoc WHERE loai_hinh = %s GROUP BY 1 ORDER BY 1',
    params: ['cong_lap'],
    query: { measures: ['truong_hoc.sum_so_hoc_sinh'], dimensions: ['truong_hoc.cap_hoc'], filters: [{ member: 'truong_hoc.loai_hinh', operator: 'equals', values: ['cong_lap'] }], order: [['truong_hoc.cap_hoc', 'asc']] },
  },
]

const script = `
import http.client, json, os, sys, time, psycopg
qs = json.loads(os.environ['QUESTIONS'])
rounds = int(os.environ['ROUNDS'])
c = psycopg.connect(os.environ['DSN'], autocommit=True)
h = http.client.HTTPConnection('127.0.0.1', int(os.environ['HTTP_PORT']))
def rest(q):
    h.request('POST', '/cubejs-api/v1/load', body=json.dumps({'query': q}), headers={'content-type': 'application/json', 'authorization': 'Bearer ' + os.environ['TOKEN']})
    r = h.getresponse(); body = r.read()
    assert r.status == 200, body
    return json.loads(body)['data']
def sql(q):
    return c.execute(q['sql'], q['params'] or None).fetchall()
sql_ms, rest_ms = [], []
for q in qs:
    a = sql(q); b = rest(q['query'])
    assert len(a) == len(b), (q['sql'], len(a), len(b))
    for _ in range(rounds):
        t = time.perf_counter(); sql(q); sql_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); rest(q['query']); rest_ms.append((time.perf_counter() - t) * 1000)
print(json.dumps({'sql': sql_ms, 'rest': rest_ms}))
`
const { stdout } = await promisify(execFile)(PYTHON, ['-c', script], {
  env: {
    ...process.env,
    QUESTIONS: JSON.stringify(QUESTIONS),
    ROUNDS: String(ROUNDS),
    DSN: `host=127.0.0.1 port=${service.sqlPort} dbname=kho user=lanhdao password=kho-demo-2026 sslmode=disable`,
    HTTP_PORT: new URL(service.url).port,
    TOKEN: token,
  },
  maxBuffer: 16 << 20,
})
const { sql, rest } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { sql: number[]; rest: number[] }
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const result = {
  questions: QUESTIONS.length,
  sql_p50_ms: Number(pct(sql, 0.5).toFixed(2)),
  sql_p95_ms: Number(pct(sql, 0.95).toFixed(2)),
  p95_ms: Number(pct(sql, 0.95).toFixed(2)),
  rest_p50_ms: Number(pct(rest, 0.5).toFixed(2)),
  rest_p95_ms: Number(pct(rest, 0.95).toFixed(2)),
  ratio_p50: Number((pct(sql, 0.5) / pct(rest, 0.5)).toFixed(2)),
  target_ok: pct(sql, 0.5) <= 2 * pct(rest, 0.5),
}
console.log(`${QUESTIONS.length} questions × ${ROUNDS}: psycopg p50 ${result.sql_p50_ms} ms (p95 ${result.sql_p95_ms}); REST p50 ${result.rest_p50_ms} ms (p95 ${result.rest_p95_ms}); ratio ${result.ratio_p50}`)
await service.done()
console.log('RESULT ' + JSON.stringify(result))
