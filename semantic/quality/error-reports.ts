import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import type { Caller } from '../../infra/access/caller.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { parseAdminUnitCode } from '../../infra/identifiers/admin-units.ts'
import { parsePeriod } from '../../infra/time/periods.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { warehouseTime } from '../../infra/warehouse/sql.ts'
import type { ErrorReport } from '../../infra/contracts/error-report.ts'
import { agencyScope, can } from '../../infra/access/permissions.ts'

/**
 * Error reports (Đắk Nông Điều 8.5; Lào Cai Điều 15.7): anyone signed in reports a value they
 * think wrong (indicator, unit, period) or a dataset, with a note; the owner agency sees it in its
 * portal, answers, and closes it by a corrected delivery or an explanation; stewards see all, with
 * their age. Kept in meta.error_reports (the latest state of each report wins).
 */
export type { ErrorReport }

const note = z.string().trim().min(5, 'ghi chú ít nhất 5 ký tự / a note of 5 characters or more').max(2000)
const reportBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('value'), indicator_code: z.string().min(1).max(60), unit_code: z.string().min(2).max(5), period: z.string().min(4).max(10), note }),
  z.strictObject({ kind: z.literal('dataset'), dataset: z.string().min(1).max(60), note }),
])
const answerBody = z.strictObject({
  answer: z.string().trim().min(5, 'trả lời ít nhất 5 ký tự / an answer of 5 characters or more').max(4000),
  close: z.enum(['explanation', 'delivery']).optional(),
  load_id: z.string().max(64).optional(),
})
const listQuery = z.strictObject({ state: z.enum(['open', 'closed', 'all']).default('open'), limit: z.coerce.number().int().min(1).max(5000).default(500) })

/** The dataset values of KT-XH indicators are delivered in. */
const INDICATOR_DATASET = 'chi_tieu_kt_xh'

/** Read FROM meta.error_reports AS r: the age is taken from the column, not the text alias, up to {now} (kho's clock, never the engine's). */
const COLUMNS = `id, kind, dataset, indicator_code, unit_code, period, note, agency, reported_by, status, answer, answered_by, closed_by, load_id,
  toString(created_at) AS created_at, toString(updated_at) AS updated_at, dateDiff('day', r.created_at, toDateTime64({now:String}, 3, 'UTC')) AS age_days`

const bad = (vi: string, en: string) => new HttpError(400, 'bad_error_report', vi, en)

/** What a report is about, checked against the catalogue, and the agency that owns it. */
function subjectOf(catalog: Catalog, body: z.infer<typeof reportBody>): Pick<ErrorReport, 'kind' | 'dataset' | 'indicator_code' | 'unit_code' | 'period' | 'agency'> {
  if (body.kind === 'dataset') {
    const d = catalog.dataset(body.dataset)
    if (!d) throw bad(`Không có bộ dữ liệu "${body.dataset}"`, `No dataset "${body.dataset}"`)
    return { kind: 'dataset', dataset: d.id, indicator_code: '', unit_code: '', period: '', agency: d.owner }
  }
  const indicator = catalog.indicator(body.indicator_code)
  if (!indicator) throw bad(`Không có chỉ tiêu "${body.indicator_code}"`, `No indicator "${body.indicator_code}"`)
  const unit = parseAdminUnitCode(body.unit_code, catalog.province.code)
  if (!unit.ok) throw bad(`Mã đơn vị "${body.unit_code}": ${unit.problem.vi}`, `Unit code "${body.unit_code}": ${unit.problem.en}`)
  if (!parsePeriod(body.period)) throw bad(`Kỳ "${body.period}" không hợp lệ (ví dụ 2026-10, 2026-Q3, 2026)`, `Period "${body.period}" is not valid (e.g. 2026-10, 2026-Q3, 2026)`)
  return { kind: 'value', dataset: INDICATOR_DATASET, indicator_code: indicator.code, unit_code: body.unit_code.trim(), period: body.period, agency: indicator.owner }
}

async function findReport(wh: Warehouse, id: string): Promise<ErrorReport | null> {
  const [row] = await queryRows<ErrorReport>(wh.client, `SELECT ${COLUMNS} FROM meta.error_reports AS r FINAL WHERE id = {id:String}`, { id, now: warehouseTime() })
  return row ?? null
}

async function store(wh: Warehouse, r: Omit<ErrorReport, 'age_days' | 'updated_at'>): Promise<void> {
  await wh.client.insert({ table: 'meta.error_reports', values: [{ ...r, updated_at: warehouseTime() }], format: 'JSONEachRow' })
}

/** Stewards and administrators see every report; an officer its agency's and its own; anyone else their own. */
function scopeOf(caller: Caller): { agency: string; reporter: string; all: boolean } {
  if (can(caller, 'oversee')) return { agency: '', reporter: '', all: true }
  return { agency: agencyScope(caller, ''), reporter: caller.account, all: false }
}

export interface ErrorReportDeps {
  wh: Warehouse
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  audit: AuditLog
}

export function errorReportRoutes(app: FastifyInstance, deps: ErrorReportDeps) {
  const { wh } = deps

  app.post('/api/error-reports', allow(access.signedIn), async (req, reply) => {
    const body = parseQuery(reportBody, req.body)
    const subject = subjectOf(deps.catalog(), body)
    const report = {
      id: randomUUID(),
      ...subject,
      note: body.note,
      reported_by: req.caller.account,
      status: 'open' as const,
      answer: '',
      answered_by: '',
      closed_by: '' as const,
      load_id: '',
      created_at: warehouseTime(),
    }
    await store(wh, report)
    deps.audit.recordRequest(req, { endpoint: 'error_report.create', datasets: [subject.dataset], filters: { id: report.id, agency: subject.agency } })
    return reply.code(201).send(await findReport(wh, report.id))
  })

  app.get('/api/error-reports', allow(access.signedIn), async (req) => {
    const q = parseQuery(listQuery, req.query)
    const scope = scopeOf(req.caller)
    const reports = await queryRows<ErrorReport>(
      wh.client,
      `SELECT ${COLUMNS} FROM meta.error_reports AS r FINAL
       WHERE ({state:String} = 'all' OR (status = 'closed') = ({state:String} = 'closed'))
         AND ({all:Bool} OR reported_by = {reporter:String} OR (agency = {agency:String} AND NOT empty({agency:String})))
       ORDER BY created_at LIMIT {limit:UInt32}`,
      { state: q.state, all: scope.all, reporter: scope.reporter, agency: scope.agency, limit: q.limit, now: warehouseTime() },
    )
    return { reports }
  })

  app.post('/api/error-reports/:id/answer', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const { id } = req.params as { id: string }
    const body = parseQuery(answerBody, req.body)
    const report = await findReport(wh, id)
    const caller = req.caller
    // An officer of another agency is told nothing of the report, not even that it exists.
    if (!report || !can(caller, 'manage', report.agency)) {
      throw new HttpError(404, 'not_found', `Không có báo lỗi "${id}"`, `No error report "${id}"`)
    }
    if (report.status === 'closed') throw new HttpError(409, 'report_closed', 'Báo lỗi đã đóng', 'The report is closed')
    let loadId = ''
    if (body.close === 'delivery') {
      // The correction is a committed delivery of the report's dataset by its agency, made after the report.
      const [load] = await queryRows<{ load_id: string }>(
        wh.client,
        `SELECT load_id FROM meta.loads FINAL WHERE load_id = {load:String} AND status = 'committed' AND dataset = {dataset:String}
           AND agency = {agency:String} AND delivered_at >= toDateTime64({created:String}, 3, 'UTC')`,
        { load: body.load_id ?? '', dataset: report.dataset, agency: report.agency, created: report.created_at },
      )
      if (!load) {
        throw bad(
          `Đóng bằng lần gửi sửa cần mã một lần gửi đã nạp của bộ dữ liệu ${report.dataset}, do ${report.agency} gửi sau khi báo lỗi`,
          `Closing by a corrected delivery needs the id of a committed delivery of ${report.dataset} by ${report.agency}, made after the report`,
        )
      }
      loadId = load.load_id
    }
    const { age_days: _age, updated_at: _updated, ...stored } = report
    const next = { ...stored, answer: body.answer, answered_by: caller.account, status: body.close ? ('closed' as const) : ('answered' as const), closed_by: body.close ?? ('' as const), load_id: loadId }
    await store(wh, next)
    deps.audit.recordRequest(req, { endpoint: 'error_report.answer', datasets: [report.dataset], filters: { id, close: body.close ?? '' } })
    return findReport(wh, id)
  })
}

/** Per owner agency for a span: reports made, closed (by delivery, by explanation), open at its end and the oldest open's age. */
export function errorReportCounts(wh: Warehouse, from: string, to: string) {
  return queryRows<{ agency: string; reported: string; closed_delivery: string; closed_explanation: string; open_at_end: string; oldest_open_days: string }>(
    wh.client,
    `SELECT agency,
            toString(countIf(created_at >= toDateTime64({from:String}, 3, 'UTC') AND created_at < toDateTime64({to:String}, 3, 'UTC'))) AS reported,
            toString(countIf(status = 'closed' AND closed_by = 'delivery' AND updated_at >= toDateTime64({from:String}, 3, 'UTC') AND updated_at < toDateTime64({to:String}, 3, 'UTC'))) AS closed_delivery,
            toString(countIf(status = 'closed' AND closed_by = 'explanation' AND updated_at >= toDateTime64({from:String}, 3, 'UTC') AND updated_at < toDateTime64({to:String}, 3, 'UTC'))) AS closed_explanation,
            toString(countIf(created_at < toDateTime64({to:String}, 3, 'UTC') AND (status != 'closed' OR updated_at >= toDateTime64({to:String}, 3, 'UTC')))) AS open_at_end,
            toString(maxIf(dateDiff('day', created_at, least(toDateTime64({now:String}, 3, 'UTC'), toDateTime64({to:String}, 3, 'UTC'))), created_at < toDateTime64({to:String}, 3, 'UTC') AND status != 'closed')) AS oldest_open_days
     FROM meta.error_reports FINAL GROUP BY agency ORDER BY agency`,
    { from, to, now: warehouseTime() },
  )
}
