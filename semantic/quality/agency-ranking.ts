import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import type { Caller } from '../../infra/access/caller.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { agencyScope, can } from '../../infra/access/permissions.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import {
  ANSWER_DAYS,
  CRITERION_WORDS,
  PUBLISH_AFTER_DAYS,
  RANKING_CRITERIA,
  SELF_NOTE_MAX,
  type AgencyRanking,
  type CriterionScore,
  type RankingAnswer,
  type RankingCriterion,
} from '../../infra/contracts/ranking.ts'
import type { SharingRequest } from '../../infra/contracts/sharing.ts'
import type { RequiredSystemState } from '../../infra/contracts/system-register.ts'
import { HttpError } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import * as clock from '../../infra/time/clock.ts'
import { containing, parsePeriod, periodCode, periodStart, previous, vietnamDay, type Period } from '../../infra/time/periods.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import { fromWarehouseTime, warehouseTime } from '../../infra/warehouse/sql.ts'
import type { ViewPolicies } from '../policy/view-policy.ts'
import { granteeOf, listRequests } from '../sharing/grants.ts'
import { requiredSystemStates } from '../sharing/system-register.ts'

/**
 * The quarterly assessment and ranking of agencies on carrying out the data rules (Lào Cai Điều 25,
 * criteria a–g; the words and sources in infra/contracts/ranking.ts). kho scores each criterion from
 * what it already holds — the quality scores, the reports and deliveries owed, the sharing requests,
 * the register of required systems, the sharing log, the error reports — and each agency gives its
 * own score beside kho's. Until a quarter is published its ranking is provisional, computed at each
 * read; published (by a steward, or by the nightly job PUBLISH_AFTER_DAYS after the quarter), it is
 * frozen in meta.agency_rankings, open to everyone and published as open data.
 */

const DAY_MS = 86_400_000
const round1 = (x: number) => Math.round(x * 10) / 10
const mean = (xs: (number | null)[]) => {
  const given = xs.filter((x): x is number => x !== null)
  return given.length ? round1(given.reduce((a, b) => a + b, 0) / given.length) : null
}

/** A quarter's first day and the next quarter's first day (Vietnam days, YYYY-MM-DD). */
export function quarterSpan(p: Period): { start: string; end: string } {
  const start = periodStart(p)
  return { start: start.toISOString().slice(0, 10), end: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 3, 1)).toISOString().slice(0, 10) }
}
/** The instant a Vietnam day begins. */
const dayStarts = (d: string) => new Date(`${d}T00:00:00+07:00`)

/** What kho holds about one quarter, read once for every agency. */
export interface RankingFacts {
  quality: { agency: string; completeness: number | null; validity: number | null; consistency: number | null; accuracy: number | null; timeliness: number | null; obligations: number }[]
  /** Dataset deliveries due in the quarter (not pending) and those on time, by agency. */
  registers: { agency: string; on_time: number; due: number }[]
  requests: SharingRequest[]
  /** Who (an agency, or `sys:<id>`) used which dataset in the quarter, by the sharing log. */
  uses: { grantee: string; dataset: string }[]
  reports: { agency: string; status: string; created_at: string }[]
  required: Pick<RequiredSystemState, 'agency' | 'state'>[]
  selves: { agency: string; criterion: string; score: number | null; note: string }[]
}

const ratio = (done: number, of: number): Pick<CriterionScore, 'score' | 'done' | 'of'> => (of > 0 ? { score: round1((done / of) * 100), done, of } : { score: null, done: null, of: null })

/**
 * Each agency's score on each criterion, its composite (the mean of the criteria that apply to it)
 * and its rank among the agencies with one (ties share a rank). Pure: the facts are read elsewhere.
 */
export function scoreAgencies(facts: RankingFacts, catalog: Pick<Catalog, 'agencies' | 'datasets'>, span: { start: string; end: string }, at: Date): AgencyRanking[] {
  const inQuarter = (warehouseAt: string) => {
    const d = vietnamDay(fromWarehouseTime(warehouseAt))
    return span.start <= d && d < span.end
  }
  const ageDays = (warehouseAt: string, until: Date = at) => (until.getTime() - fromWarehouseTime(warehouseAt).getTime()) / DAY_MS
  const ownerOf = new Map(catalog.datasets.map((d) => [d.id, d.owner]))
  const used = new Set(facts.uses.map((u) => `${u.grantee}|${u.dataset}`))

  const criteriaOf = (agency: string): Record<RankingCriterion, Pick<CriterionScore, 'score' | 'done' | 'of'>> => {
    const q = facts.quality.find((x) => x.agency === agency)
    const r = facts.registers.find((x) => x.agency === agency)
    const asked = facts.requests.filter((r) => ownerOf.get(r.dataset) === agency && r.status !== 'withdrawn' && inQuarter(r.created_at))
    const answerOf = (r: SharingRequest) => r.decisions.find((d) => d.side === 'owner')
    const dueRequests = asked.filter((r) => answerOf(r) !== undefined || ageDays(r.created_at) > ANSWER_DAYS)
    const required = facts.required.filter((s) => s.agency === agency)
    const grants = facts.requests.filter(
      (r) => r.agency === agency && ['approved', 'suspended', 'ended'].includes(r.status) && r.starts_on < span.end && r.ends_on >= span.start,
    )
    const reports = facts.reports.filter((r) => r.agency === agency && inQuarter(r.created_at) && (r.status !== 'open' || ageDays(r.created_at) > ANSWER_DAYS))
    return {
      quality: { score: q ? mean([q.completeness, q.validity, q.consistency, q.accuracy]) : null, done: null, of: null },
      timeliness: q && q.obligations > 0 && q.timeliness !== null ? { score: round1(q.timeliness), done: Math.round((q.timeliness * q.obligations) / 100), of: q.obligations } : ratio(0, 0),
      registers: ratio(r?.on_time ?? 0, r?.due ?? 0),
      sharing: ratio(dueRequests.filter((r) => { const a = answerOf(r); return a !== undefined && ageDays(r.created_at, fromWarehouseTime(a.at)) <= ANSWER_DAYS }).length, dueRequests.length),
      systems: ratio(required.filter((s) => s.state === 'connected').length, required.length),
      use: ratio(grants.filter((r) => used.has(`${granteeOf(r)}|${r.dataset}`)).length, grants.length),
      error_reports: ratio(reports.filter((r) => r.status !== 'open').length, reports.length),
    }
  }

  const ranked = catalog.agencies.flatMap((a): AgencyRanking[] => {
    const scores = criteriaOf(a.code)
    const criteria = RANKING_CRITERIA.map((criterion): CriterionScore => {
      const self = facts.selves.find((s) => s.agency === a.code && s.criterion === criterion)
      return { criterion, ...scores[criterion], self_score: self?.score ?? null, self_note: self?.note ?? '' }
    })
    const composite = mean(criteria.map((c) => c.score))
    const selfComposite = mean(criteria.map((c) => c.self_score))
    return composite === null && selfComposite === null ? [] : [{ agency: a.code, agency_name: a.name, composite, self_composite: selfComposite, rank: null, criteria }]
  })
  for (const r of ranked) r.rank = r.composite === null ? null : 1 + ranked.filter((o) => o.composite !== null && o.composite > r.composite!).length
  return ranked.sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity) || x.agency_name.localeCompare(y.agency_name, 'vi'))
}

export interface RankingDeps {
  wh: Warehouse
  catalog: () => Catalog
  cube: { readonly sharing: ViewPolicies }
  audit: AuditLog
  /** Told when a quarter is published (the open-data publication follows). */
  onPublished: (quarter: string) => Promise<unknown>
}

/** The endpoints by which data leaves kho, as the usage view counts them (semantic/model/cubes/dataset_usage.yml). */
const USE_ENDPOINTS = ['load', 'ask', 'sql', 'trace', 'export', 'rejects', 'open_data.download', 'feed', 'feed.push']

async function readFacts(deps: RankingDeps, span: { start: string; end: string }): Promise<RankingFacts> {
  const from = warehouseTime(dayStarts(span.start))
  const to = warehouseTime(dayStarts(span.end))
  // Before the first transform run the marts are not there yet: nothing of theirs to score.
  const marts = new Set((await queryRows<{ name: string }>(deps.wh.client, "SELECT name FROM system.tables WHERE database = 'marts' AND name IN ('fct_quality_score', 'fct_dataset_submission')")).map((t) => t.name))
  const [quality, registers, requests, uses, reports, required, selves] = await Promise.all([
    marts.has('fct_quality_score')
      ? queryRows<RankingFacts['quality'][number]>(
          deps.wh.client,
          `SELECT agency, completeness, validity, consistency, accuracy, timeliness, toUInt32(obligations) AS obligations
           FROM marts.fct_quality_score WHERE quarter_start = {start:Date}`,
          { start: span.start },
        )
      : [],
    marts.has('fct_dataset_submission')
      ? queryRows<RankingFacts['registers'][number]>(
          deps.wh.client,
          `SELECT agency, toUInt32(countIf(status = 'on_time')) AS on_time, toUInt32(count()) AS due
           FROM marts.fct_dataset_submission WHERE period_start >= {start:Date} AND period_start < {end:Date} AND status != 'pending' GROUP BY agency`,
          { start: span.start, end: span.end },
        )
      : [],
    listRequests(deps.wh),
    queryRows<{ grantee: string; dataset: string }>(
      deps.wh.client,
      `SELECT DISTINCT if(startsWith(account, 'sys:'), account, agency) AS grantee, dataset FROM meta.audit ARRAY JOIN datasets AS dataset
       WHERE outcome = 'ok' AND endpoint IN {endpoints:Array(String)} AND at >= toDateTime64({from:String}, 3, 'UTC') AND at < toDateTime64({to:String}, 3, 'UTC')`,
      { endpoints: USE_ENDPOINTS, from, to },
    ),
    queryRows<RankingFacts['reports'][number]>(deps.wh.client, `SELECT e.agency AS agency, e.status AS status, toString(e.created_at) AS created_at FROM meta.error_reports AS e FINAL WHERE e.created_at < toDateTime64({to:String}, 3, 'UTC')`, { to }),
    requiredSystemStates(deps.wh, deps.catalog(), deps.cube.sharing),
    queryRows<RankingFacts['selves'][number]>(deps.wh.client, 'SELECT agency, criterion, score, note FROM meta.agency_self_assessments FINAL WHERE quarter_start = {start:Date}', { start: span.start }),
  ])
  return { quality, registers, requests, uses, reports, required, selves }
}

/** A quarter's ranking as published, or null when it is not. */
async function publishedRanking(wh: Warehouse, span: { start: string }): Promise<{ rows: AgencyRanking[]; at: string } | null> {
  const rows = await queryRows<{
    agency: string; agency_name: string; criterion: RankingCriterion; score: number | null; done: number | null; of: number | null
    self_score: number | null; self_note: string; composite: number | null; self_composite: number | null; rank: number | null; published_at: string
  }>(
    wh.client,
    `SELECT agency, agency_name, criterion, score, done, of, self_score, self_note, composite, self_composite, rank, toString(published_at) AS published_at
     FROM meta.agency_rankings WHERE quarter_start = {start:Date}`,
    { start: span.start },
  )
  if (rows.length === 0) return null
  const byAgency = new Map<string, AgencyRanking>()
  for (const r of rows) {
    const a = byAgency.get(r.agency) ?? { agency: r.agency, agency_name: r.agency_name, composite: r.composite, self_composite: r.self_composite, rank: r.rank === null ? null : Number(r.rank), criteria: [] }
    a.criteria.push({ criterion: r.criterion, score: r.score, done: r.done === null ? null : Number(r.done), of: r.of === null ? null : Number(r.of), self_score: r.self_score, self_note: r.self_note })
    byAgency.set(r.agency, a)
  }
  const order = (c: RankingCriterion) => RANKING_CRITERIA.indexOf(c)
  const list = [...byAgency.values()].map((a) => ({ ...a, criteria: a.criteria.sort((x, y) => order(x.criterion) - order(y.criterion)) }))
  return { rows: list.sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity) || x.agency_name.localeCompare(y.agency_name, 'vi')), at: rows[0]!.published_at }
}

const ended = (p: Period, today: string) => quarterSpan(p).end <= today

/** Publishes a quarter's ranking: what kho assesses now, with each agency's own scores, frozen. */
export async function publishQuarter(deps: RankingDeps, p: Period, by: string): Promise<AgencyRanking[]> {
  const span = quarterSpan(p)
  if (!ended(p, clock.today())) throw new HttpError(409, 'not_ended', `${periodCode(p)} chưa kết thúc`, `${periodCode(p)} has not ended`)
  if (await publishedRanking(deps.wh, span)) throw new HttpError(409, 'published', `Xếp hạng ${periodCode(p)} đã công bố`, `The ranking of ${periodCode(p)} is already published`)
  const now = clock.now()
  const ranking = scoreAgencies(await readFacts(deps, span), deps.catalog(), span, now)
  const at = clock.nowMs()
  const values = ranking.flatMap((a) =>
    a.criteria.map((c) => ({
      quarter_start: span.start,
      agency: a.agency,
      agency_name: a.agency_name,
      criterion: c.criterion,
      criterion_title: `${CRITERION_WORDS[c.criterion].letter}) ${CRITERION_WORDS[c.criterion].vi}`,
      source: CRITERION_WORDS[c.criterion].source_vi,
      score: c.score,
      done: c.done,
      of: c.of,
      self_score: c.self_score,
      self_note: c.self_note,
      composite: a.composite,
      self_composite: a.self_composite,
      rank: a.rank,
      published_by: by,
      published_at: at,
    })),
  )
  if (values.length > 0) await deps.wh.client.insert({ table: 'meta.agency_rankings', values, format: 'JSONEachRow' })
  deps.audit.recordService(by, { endpoint: 'ranking.publish', query: { quarter: periodCode(p), agencies: ranking.length }, rowCount: ranking.length })
  await deps.onPublished(periodCode(p))
  return ranking
}

/** The nightly job: the quarter before this one, once PUBLISH_AFTER_DAYS have passed since it ended and if nobody published it yet. */
export async function publishDue(deps: RankingDeps, at: Date): Promise<string | null> {
  const last = previous(containing('quarter', new Date(`${vietnamDay(at)}T00:00:00Z`)))
  const span = quarterSpan(last)
  if ((at.getTime() - dayStarts(span.end).getTime()) / DAY_MS < PUBLISH_AFTER_DAYS) return null
  if (await publishedRanking(deps.wh, span)) return null
  await publishQuarter(deps, last, 'job:ranking')
  return periodCode(last)
}

const currentQuarter = () => containing('quarter', new Date(`${clock.today()}T00:00:00Z`))

function quarterParam(code: string | undefined): Period {
  if (code === undefined) return currentQuarter()
  const p = parsePeriod(code)
  if (!p || p.kind !== 'quarter') throw new HttpError(400, 'bad_quarter', `"${code}" không phải một quý (2026-Q3)`, `"${code}" is not a quarter (2026-Q3)`)
  if (quarterSpan(p).start > clock.today()) throw new HttpError(400, 'future_quarter', `${periodCode(p)} chưa bắt đầu`, `${periodCode(p)} has not begun`)
  return p
}

/** The agency a caller self-assesses for: an officer its own; a steward or admin the one it names. */
function assessorOf(caller: Caller, catalog: Pick<Catalog, 'agency'>, asked?: string): string | null {
  const agency = agencyScope(caller, asked)
  return agency !== '' && catalog.agency(agency) !== undefined && can(caller, 'manage', agency) ? agency : null
}

async function answer(deps: RankingDeps, p: Period, caller: Caller): Promise<RankingAnswer> {
  const span = quarterSpan(p)
  const frozen = await publishedRanking(deps.wh, span)
  const quarters = await queryRows<{ q: string }>(deps.wh.client, 'SELECT DISTINCT toString(quarter_start) AS q FROM meta.agency_rankings')
  const codeOf = (start: string) => periodCode(containing('quarter', new Date(`${start}T00:00:00Z`)))
  const now = currentQuarter()
  const shown = [...new Set([periodCode(now), periodCode(previous(now)), ...quarters.map((r) => codeOf(r.q)), periodCode(p)])].sort().reverse()
  const steward = caller.role === 'steward' || caller.role === 'admin'
  return {
    quarter: periodCode(p),
    status: frozen ? 'published' : 'provisional',
    assessed_at: frozen ? frozen.at : warehouseTime(),
    quarters: shown,
    publishable: !frozen && steward && ended(p, clock.today()),
    self_assessor: frozen ? null : assessorOf(caller, deps.catalog()),
    agencies: frozen ? frozen.rows : scoreAgencies(await readFacts(deps, span), deps.catalog(), span, clock.now()),
  }
}

const selfBody = z.strictObject({
  quarter: z.string(),
  agency: z.string().optional(),
  scores: z
    .array(z.strictObject({ criterion: z.enum(RANKING_CRITERIA), score: z.number().min(0).max(100).nullable(), note: z.string().max(SELF_NOTE_MAX).default('') }))
    .min(1)
    .max(RANKING_CRITERIA.length),
})

export function rankingRoutes(app: FastifyInstance, deps: RankingDeps) {
  app.get('/api/ranking', allow(access.signedIn), async (req) => {
    const q = parseQuery(z.strictObject({ quarter: z.string().optional() }), req.query)
    const p = quarterParam(q.quarter)
    const a = await answer(deps, p, req.caller)
    deps.audit.recordRequest(req, { endpoint: 'ranking', filters: { quarter: a.quarter }, rowCount: a.agencies.length })
    return a
  })

  // An agency's own scores (Lào Cai Điều 25: self-assessment), while its quarter is not published.
  app.put('/api/ranking/self-assessment', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const parsed = selfBody.safeParse(req.body)
    if (!parsed.success) throw new HttpError(400, 'bad_request', 'Điểm tự đánh giá từ 0 đến 100, mỗi tiêu chí một lần', 'Self-assessed scores run 0–100, once per criterion')
    const body = parsed.data
    const p = quarterParam(body.quarter)
    if (new Set(body.scores.map((s) => s.criterion)).size !== body.scores.length) throw new HttpError(400, 'bad_request', 'Mỗi tiêu chí một lần', 'Each criterion once')
    const agency = assessorOf(req.caller, deps.catalog(), body.agency)
    if (!agency || (body.agency !== undefined && body.agency !== agency)) throw new HttpError(403, 'forbidden', 'Chỉ cơ quan tự đánh giá cho chính mình', 'An agency assesses itself only')
    const span = quarterSpan(p)
    if (await publishedRanking(deps.wh, span)) throw new HttpError(409, 'published', `Xếp hạng ${periodCode(p)} đã công bố; không sửa được tự đánh giá`, `The ranking of ${periodCode(p)} is published; its self-assessment is closed`)
    const at = clock.nowMs()
    await deps.wh.client.insert({
      table: 'meta.agency_self_assessments',
      values: body.scores.map((s) => ({ quarter_start: span.start, agency, criterion: s.criterion, score: s.score, note: s.note.trim(), assessed_by: req.caller.account, updated_at: at })),
      format: 'JSONEachRow',
    })
    deps.audit.recordRequest(req, { endpoint: 'ranking.self_assess', filters: { quarter: periodCode(p), agency }, query: { scores: body.scores.map((s) => [s.criterion, s.score]) } })
    return answer(deps, p, req.caller)
  })

  app.post<{ Params: { quarter: string } }>('/api/ranking/:quarter/publish', allow(access.roles('steward', 'admin')), async (req) => {
    const p = quarterParam(req.params.quarter)
    await publishQuarter(deps, p, req.caller.account)
    return answer(deps, p, req.caller)
  })
}
