import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { access, allow } from '../../infra/access/gate.ts'
import { PUBLIC } from '../../infra/access/caller.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { queryRows } from '../../infra/warehouse/client.ts'
import { warehouseTime } from '../../infra/warehouse/sql.ts'
import { AccessDenied, queryMembers } from '../policy/view-policy.ts'
import { QueryError, validateQuery, type CubeQuery } from '../cube/cube-query.ts'
import { runQuery } from '../api/cube-api.ts'
import { publishBody, publishOpenData, type OpenDataDeps, type PublishBody } from './open-data.ts'
import { agencyScope } from '../../infra/access/permissions.ts'

/**
 * Owner agencies propose their own data for publication (Ninh Thuận Điều 8.2); a steward approves —
 * and it is published under the agency's name — or refuses with a reason. A proposal may only draw
 * on the agency's own datasets (KT-XH figures: only its own indicators, named in an equals filter),
 * and must already be publishable: run as the public, nothing closed, small cells suppressed.
 */
interface Proposal {
  id: string
  dataset_id: string
  title: string
  description: string
  keywords: string[]
  license: string
  query: string
  refresh: PublishBody['refresh']
  agency: string
  proposed_by: string
  status: 'pending' | 'approved' | 'refused'
  decided_by: string
  note: string
  created_at: string
}

const decideBody = z.strictObject({ decision: z.enum(['approve', 'refuse']), note: z.string().trim().max(2000).default('') })
const KT_XH_DATASET = 'chi_tieu_kt_xh'

/** Why an agency may not propose this query, or null: every dataset it reads is the agency's own. */
function notOwn(ctx: OpenDataDeps, agency: string, q: CubeQuery, datasets: string[]): { vi: string; en: string } | null {
  for (const id of datasets) {
    if (id === KT_XH_DATASET) {
      const named = q.filters.flatMap((f) => ('member' in f && f.member === 'kt_xh.indicator_code' && f.operator === 'equals' ? (f.values ?? []) : []))
      const foreign = named.filter((code) => ctx.catalog().indicator(String(code))?.owner !== agency)
      if (named.length === 0 || foreign.length > 0) {
        return { vi: `chỉ tiêu KT-XH: chỉ được đề xuất chỉ tiêu của cơ quan mình, nêu trong bộ lọc kt_xh.indicator_code equals${foreign.length ? ` (không phải của ${agency}: ${foreign.join(', ')})` : ''}`, en: `KT-XH figures: only the agency's own indicators, named in a kt_xh.indicator_code equals filter${foreign.length ? ` (not ${agency}'s: ${foreign.join(', ')})` : ''}` }
      }
      continue
    }
    const owner = ctx.catalog().dataset(id)?.owner
    if (owner !== agency) return { vi: `bộ dữ liệu ${id} thuộc ${owner ?? '?'}, không phải ${agency}`, en: `dataset ${id} belongs to ${owner ?? '?'}, not ${agency}` }
  }
  return null
}

async function findProposal(ctx: OpenDataDeps, id: string): Promise<Proposal | null> {
  const [row] = await queryRows<Proposal>(ctx.wh.client, 'SELECT *, toString(created_at) AS created_at FROM meta.open_data_proposals FINAL WHERE id = {id:String}', { id })
  return row ?? null
}

export function openDataProposalRoutes(app: FastifyInstance, ctx: OpenDataDeps) {
  app.post('/api/open-data/proposals', allow(access.roles('agency_officer')), async (req, reply) => {
    const body = parseQuery(publishBody, req.body)
    const agency = req.caller.agency
    let asked: CubeQuery
    let rows: number
    try {
      asked = validateQuery(ctx.cube.model, body.query)
      rows = (await runQuery(ctx.cube, asked, PUBLIC)).data.length
    } catch (err) {
      if (err instanceof QueryError || err instanceof AccessDenied) throw new HttpError(400, 'not_open', `Không công bố được: ${err.vi}`, `Cannot publish: ${err.en}`)
      throw err
    }
    const datasets = ctx.cube.sharing.datasetsOf(queryMembers(asked))
    const problem = notOwn(ctx, agency, asked, datasets)
    if (problem) throw new HttpError(403, 'not_own_data', `Chỉ đề xuất công bố dữ liệu của cơ quan mình: ${problem.vi}`, `An agency proposes only its own data: ${problem.en}`)
    const proposal = {
      id: `DX-${randomUUID().slice(0, 8)}`,
      dataset_id: body.id,
      title: body.title,
      description: body.description,
      keywords: body.keywords,
      license: body.license,
      query: JSON.stringify(body.query),
      refresh: body.refresh,
      agency,
      proposed_by: req.caller.account,
      status: 'pending',
      decided_by: '',
      note: '',
      created_at: warehouseTime(),
      updated_at: warehouseTime(),
    }
    await ctx.wh.client.insert({ table: 'meta.open_data_proposals', format: 'JSONEachRow', values: [proposal] })
    ctx.audit.recordRequest(req, { endpoint: 'open_data.propose', datasets, query: { id: proposal.id, dataset_id: body.id }, rowCount: rows })
    return reply.code(201).send({ ...(await findProposal(ctx, proposal.id)), rows })
  })

  app.get('/api/open-data/proposals', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const agency = agencyScope(req.caller, undefined)
    return queryRows<Proposal>(
      ctx.wh.client,
      `SELECT *, toString(created_at) AS created_at FROM meta.open_data_proposals FINAL WHERE empty({agency:String}) OR agency = {agency:String} ORDER BY created_at DESC LIMIT 1000`,
      { agency },
    )
  })

  app.post<{ Params: { id: string } }>('/api/open-data/proposals/:id/decide', allow(access.roles('steward', 'admin')), async (req) => {
    const body = parseQuery(decideBody, req.body)
    const p = await findProposal(ctx, req.params.id)
    if (!p) throw notFound('đề xuất / proposal', req.params.id)
    if (p.status !== 'pending') throw new HttpError(409, 'decided', `Đề xuất đã được quyết định: ${p.status}`, `The proposal was already decided: ${p.status}`)
    if (body.decision === 'refuse' && body.note.length < 5) throw new HttpError(400, 'reason_needed', 'Từ chối cần nêu lý do', 'A refusal needs a reason')
    let publication = null
    if (body.decision === 'approve') {
      const publish = { id: p.dataset_id, title: p.title, description: p.description, keywords: p.keywords, license: p.license, refresh: p.refresh, query: JSON.parse(p.query) as Record<string, unknown> }
      publication = await publishOpenData(ctx, publish, { account: req.caller.account, publisher: ctx.catalog().agency(p.agency)?.name ?? p.agency, owner: p.agency }, (e) => ctx.audit.recordRequest(req, e))
    }
    const { created_at, ...rest } = p
    await ctx.wh.client.insert({
      table: 'meta.open_data_proposals',
      format: 'JSONEachRow',
      values: [{ ...rest, created_at, status: body.decision === 'approve' ? 'approved' : 'refused', decided_by: req.caller.account, note: body.note, updated_at: warehouseTime() }],
    })
    ctx.audit.recordRequest(req, { endpoint: 'open_data.decide', query: { id: p.id, decision: body.decision } })
    return { proposal: await findProposal(ctx, p.id), publication }
  })
}
