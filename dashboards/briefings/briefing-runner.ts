import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import type { JobScheduler } from '../../infra/scheduler/job-scheduler.ts'
import type { QueryContext } from '../../semantic/api/cube-api.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { access, allow } from '../../infra/access/gate.ts'
import type { IocConfig } from '../ioc-config.ts'
import type { Briefing, PeriodRule } from './briefing-definition.ts'
import { ofPeriod, periodForRule, periodFromCode, type BriefingPeriod } from './briefing-period.ts'
import { containing, previous, vietnamDay } from '../../infra/time/periods.ts'
import { describeCron } from '../../infra/time/cron-words.ts'
import { buildBriefing, type BriefingDeps } from './build-briefing.ts'
import type { SendMail } from '../../infra/files/mailer.ts'
import * as clock from '../../infra/time/clock.ts'

/** Where a briefing's workbooks are kept: <dir>/<id>/<id>_<period>.xlsx ($KHO_HOME/briefings). */
export function briefingFile(dir: string, id: string, period: BriefingPeriod, agency?: string): string {
  return path.join(dir, id, `${id}_${period.code.replace(/\.\./g, '_')}${agency ? `_${agency}` : ''}.xlsx`)
}

/** Builds a briefing and writes it atomically (a reader never sees half a file); returns its path. */
export async function writeBriefing(deps: BriefingDeps, dir: string, briefing: Briefing, period: BriefingPeriod, now = clock.now(), agency?: string): Promise<string> {
  const file = briefingFile(dir, briefing.id, period, agency)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const { buffer } = await buildBriefing(deps, briefing, period, now, agency)
  fs.writeFileSync(`${file}.part`, buffer)
  fs.renameSync(`${file}.part`, file)
  return file
}

/** Writes a briefing and, when SMTP is configured and it has recipients, e-mails it; returns what was done. */
export async function deliverBriefing(deps: BriefingDeps, dir: string, briefing: Briefing, period: BriefingPeriod, send: SendMail | null): Promise<string> {
  const file = await writeBriefing(deps, dir, briefing, period)
  if (!send || briefing.email.length === 0) return file
  await send({
    to: briefing.email,
    subject: `${briefing.name} — ${period.label}`,
    text: `Kính gửi Lãnh đạo,\n\nKho dữ liệu số tỉnh gửi kèm ${briefing.name.toLowerCase()} — ${period.label}.\n\nTệp: ${path.basename(file)}`,
    attachments: [{ filename: path.basename(file), path: file }],
  })
  return `${file} (e-mail: ${briefing.email.length})`
}

/** Each briefing as a scheduled job "briefing:<id>", reporting on the last complete period at its time. */
export function scheduleBriefings(ctx: Pick<BriefingRoutesDeps, 'cube' | 'catalog' | 'briefingsDir' | 'ioc' | 'briefings' | 'audit'> & { jobs: Pick<JobScheduler, 'add'> }, send: SendMail | null) {
  for (const b of ctx.briefings) {
    ctx.jobs.add({
      id: `briefing:${b.id}`,
      title: { vi: `Lập báo cáo: ${b.name}`, en: `Build briefing: ${b.name_en}` },
      schedule: b.schedule,
      run: async (at) => {
        const period = periodForRule(b.period, at)
        const done = await deliverBriefing({ cube: ctx.cube, catalog: ctx.catalog(), ioc: ctx.ioc }, ctx.briefingsDir, b, period, send)
        // Built by the service on its schedule: the log names the job, and whom it was e-mailed to.
        ctx.audit.recordService(`job:briefing:${b.id}`, { endpoint: 'briefing.build', members: b.sheets.map((s) => s.kind), filters: { briefing: b.id, period: period.code, email: send ? b.email : [] } })
        return done
      },
    })
  }
}

export interface BriefingRoutesDeps {
  cube: QueryContext
  /** The catalogue in force, read for each briefing built. */
  catalog: () => Catalog
  audit: AuditLog
  /** Where workbooks are kept: <briefingsDir>/<id>/ ($KHO_HOME/briefings). */
  briefingsDir: string
  jobs: Pick<JobScheduler, 'history'>
  /** dashboards/briefings/*.yaml and dashboards/ioc.yaml, validated at start. */
  briefings: Briefing[]
  ioc: IocConfig
}

const runBody = z.strictObject({ period: z.string().max(30).optional(), agency: z.string().max(40).optional() })
const PROVINCIAL = ['leader', 'analyst', 'steward', 'admin'] as const

/** A briefing's period rule in words. */
const RULE_WORDS: Record<PeriodRule, { vi: string; en: string }> = {
  last_month: { vi: 'tháng trước', en: 'the month before' },
  last_quarter: { vi: 'quý trước', en: 'the quarter before' },
  last_year: { vi: 'năm trước', en: 'the year before' },
  last_6_months: { vi: '6 tháng gần nhất', en: 'the last 6 months' },
  quarter_to_date: { vi: 'quý này đến hôm nay', en: 'this quarter to date' },
}

/**
 * The periods a person may build a briefing for, the rule's own first: the months, quarters or
 * years before it of the same kind.
 */
export function periodChoices(rule: PeriodRule, at: Date): BriefingPeriod[] {
  const first = periodForRule(rule, at)
  const kind = rule === 'last_month' ? 'month' : rule === 'last_year' ? 'year' : rule === 'last_6_months' ? null : 'quarter'
  if (!kind) return [first]
  const day = new Date(`${vietnamDay(at)}T00:00:00Z`)
  const count = kind === 'month' ? 12 : kind === 'quarter' ? 8 : 3
  // The complete periods before `at`, newest first (quarter to date: the quarters before this one).
  const out = [first]
  for (let p = previous(containing(kind, day)), i = 0; i < count; p = previous(p), i++) {
    const o = ofPeriod(p)
    if (o.code !== first.code) out.push(o)
  }
  return out
}

/** The period a workbook's name says it covers (<id>_<period>[_<agency>].xlsx), or null. */
export function periodOfFile(id: string, name: string): { code: string; agency: string } | null {
  const m = new RegExp(`^${id}_(\\d{4}(?:-Q[1-4]|-\\d{2})?(?:_\\d{4}-\\d{2}(?:-\\d{2})?)?)(?:_([A-Z][A-Z0-9_]*))?\\.xlsx$`).exec(name)
  if (!m) return null
  const code = m[1]!.replace('_', '..')
  return periodFromCode(code) ? { code, agency: m[2] ?? '' } : null
}

/**
 * Builds each briefing for its own period now: the demo does when it seeds, so a leader finds last
 * month's and last quarter's briefings on a first visit.
 */
export async function writeLatestBriefings(deps: BriefingDeps, dir: string, briefings: Briefing[], at = clock.now()): Promise<string[]> {
  const files: string[] = []
  for (const b of briefings) files.push(await writeBriefing(deps, dir, b, periodForRule(b.period, at), at))
  return files
}

/**
 * The briefings: definitions with their workbooks and runs (provincial roles), a workbook's download,
 * and a run now for a chosen period (stewards, admins, or the local CLI with the service token).
 */
export function briefingRoutes(app: FastifyInstance, ctx: BriefingRoutesDeps) {
  const { briefings, ioc } = ctx
  const find = (id: string) => {
    const b = briefings.find((x) => x.id === id)
    if (!b) throw notFound('báo cáo định kỳ / briefing', id)
    return b
  }
  const files = (id: string) => {
    const dir = path.join(ctx.briefingsDir, id)
    if (!fs.existsSync(dir)) return []
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.xlsx'))
      .map((name) => {
        const stat = fs.statSync(path.join(dir, name))
        const of = periodOfFile(id, name)
        return { name, period: of?.code ?? '', agency: of?.agency ?? '', bytes: stat.size, modified: stat.mtime.toISOString() }
      })
      .sort((a, b) => b.modified.localeCompare(a.modified))
  }

  app.get('/api/briefings', allow(access.roles(...PROVINCIAL)), async () => {
    const runs = await ctx.jobs.history(undefined, 500)
    const now = clock.now()
    return briefings.map((b) => ({
      id: b.id,
      name: b.name,
      name_en: b.name_en,
      schedule: b.schedule,
      schedule_words: describeCron(b.schedule),
      period: b.period,
      period_words: RULE_WORDS[b.period],
      periods: periodChoices(b.period, now).map((p) => ({ code: p.code, label: p.label })),
      audience: b.audience,
      sheets: b.sheets.map((s) => s.kind),
      files: files(b.id),
      runs: runs.filter((r) => r.job === `briefing:${b.id}`).slice(0, 10),
    }))
  })

  app.get<{ Params: { id: string; name: string } }>('/api/briefings/:id/files/:name', allow(access.roles(...PROVINCIAL)), async (req, reply) => {
    const b = find(req.params.id)
    const file = files(b.id).find((f) => f.name === req.params.name)
    if (!file) throw notFound('tệp / file', req.params.name)
    ctx.audit.recordRequest(req, { endpoint: 'briefing.download', members: b.sheets.map((s) => s.kind), filters: { briefing: b.id, file: file.name } })
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(fs.createReadStream(path.join(ctx.briefingsDir, b.id, file.name)))
  })

  // Anyone who may read the briefings may build one for a period they choose (a leader on a first visit too).
  app.post<{ Params: { id: string } }>('/api/briefings/:id/run', allow(access.rolesOrService(...PROVINCIAL)), async (req) => {
    const b = find(req.params.id)
    const body = parseQuery(runBody, req.body ?? {})
    const period = body.period ? periodFromCode(body.period) : periodForRule(b.period, clock.now())
    if (!period) throw new HttpError(400, 'bad_request', `Kỳ "${body.period}" không hợp lệ; dùng 2026-10, 2026-Q3, 2026-Q4..2026-11-20 hoặc 2026`, `Invalid period "${body.period}"; use 2026-10, 2026-Q3, 2026-Q4..2026-11-20 or 2026`)
    const catalog = ctx.catalog()
    if (body.agency && !catalog.agency(body.agency)) throw notFound('cơ quan / agency', body.agency)
    const started = Date.now()
    const file = await writeBriefing({ cube: ctx.cube, catalog, ioc }, ctx.briefingsDir, b, period, clock.now(), body.agency)
    ctx.audit.recordRequest(req, { endpoint: 'briefing.build', members: b.sheets.map((s) => s.kind), filters: { briefing: b.id, period: period.code, agency: body.agency ?? '', file: path.basename(file) } })
    return { briefing: b.id, period: period.code, label: period.label, file, name: path.basename(file), ms: Date.now() - started }
  })
}
