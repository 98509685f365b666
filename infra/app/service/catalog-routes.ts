import { indicatorFormula } from '../../catalog/indicator-formula.ts'
import type { FastifyInstance } from 'fastify'
import { stringify as stringifyYaml } from 'yaml'
import { DICTIONARY } from '../../catalog/schema.ts'
import { z } from 'zod'
import { communesOf, parseCommuneCode } from '../../identifiers/admin-units.ts'
import type { ServiceContext } from './context.ts'
import { HttpError, notFound } from '../../http/http-error.ts'
import { parseQuery } from '../../http/parse-request.ts'
import { access, allow } from '../../access/gate.ts'
import type { AgencyDetail, AgencySummary, IndicatorAnswer } from '../../contracts/catalog.ts'

const agencyQuery = z.strictObject({ kind: z.enum(['so', 'ubnd_tinh', 'ubnd_xa', 'co_quan_trung_uong']).optional() })
const indicatorQuery = z.strictObject({ sector: z.string().optional(), owner: z.string().optional() })
const unitQuery = z.strictObject({ province: z.string().regex(/^\d{2}$/).optional() })

/** GET /api/catalog/...: the validated catalogue as code, read from memory. */
export function catalogRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const catalog = () => ctx.model.now.catalog

  app.get('/api/catalog', allow(access.public), async () => ({
    province: catalog().province,
    counts: {
      agencies: catalog().agencies.length,
      datasets: catalog().datasets.length,
      indicators: catalog().indicators.length,
      communes: communesOf(catalog().province.code).length,
    },
    sectors: catalog().sectors,
  }))

  app.get('/api/catalog/agencies', allow(access.public), async (req): Promise<AgencySummary[]> => {
    const q = parseQuery(agencyQuery, req.query)
    return catalog().agencies.filter((a) => !q.kind || a.kind === q.kind)
  })

  app.get<{ Params: { code: string } }>('/api/catalog/agencies/:code', allow(access.public), async (req): Promise<AgencyDetail> => {
    const agency = catalog().agency(req.params.code)
    if (!agency) throw notFound('cơ quan / agency', req.params.code)
    const operator = catalog().operator ? catalog().agency(catalog().operator!) : undefined
    return {
      ...agency,
      datasets: catalog().datasets.filter((d) => d.owner === agency.code).map((d) => d.id),
      indicators: catalog().indicators.filter((i) => i.owner === agency.code).map((i) => i.code),
      // Whom to ask about obligations and access: the warehouse's operator.
      operator: operator ? { code: operator.code, name: operator.name, contact: operator.contact } : null,
    }
  })

  app.get('/api/catalog/datasets', allow(access.public), async () =>
    catalog().datasets.map((d) => ({
      id: d.id,
      name: d.name,
      name_en: d.name_en ?? null,
      owner: d.owner,
      update_frequency: d.update_frequency,
      deadline: d.deadline,
      sharing: d.sharing,
      protection: d.protection,
      personal_data: d.personal_data,
      formats: d.formats,
      columns: d.columns.length,
    })),
  )

  // ?format=yaml: the entry as a YAML file of loaders/datasets/ (export; proposing it again imports it).
  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/api/catalog/datasets/:id', allow(access.public), async (req, reply) => {
    const dataset = catalog().dataset(req.params.id)
    if (!dataset) throw notFound('bộ dữ liệu / dataset', req.params.id)
    if (req.query.format !== 'yaml') return dataset
    return reply
      .type('application/yaml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${dataset.id}.yaml"`)
      .send(stringifyYaml(dataset))
  })

  // The shared data dictionary: elements columns reuse, and where each joins in the semantic layer.
  app.get('/api/catalog/dictionary', allow(access.public), async () => DICTIONARY)

  app.get('/api/catalog/indicators', allow(access.public), async (req): Promise<IndicatorAnswer[]> => {
    const q = parseQuery(indicatorQuery, req.query)
    return catalog().indicators
      .filter((i) => (!q.sector || i.sector === q.sector) && (!q.owner || i.owner === q.owner))
      .map((i) => ({ ...i, formula: indicatorFormula(i, catalog()) }))
  })

  app.get<{ Params: { code: string } }>('/api/catalog/indicators/:code', allow(access.public), async (req) => {
    const indicator = catalog().indicator(req.params.code)
    if (!indicator) throw notFound('chỉ tiêu / indicator', req.params.code)
    return { ...indicator, formula: indicatorFormula(indicator, catalog()) }
  })

  app.get('/api/catalog/sectors', allow(access.public), async () => catalog().sectors)

  app.get('/api/catalog/admin-units', allow(access.public), async (req) => {
    const q = parseQuery(unitQuery, req.query)
    return communesOf(q.province ?? catalog().province.code)
  })

  app.get<{ Params: { code: string } }>('/api/catalog/admin-units/:code', allow(access.public), async (req) => {
    const parsed = parseCommuneCode(req.params.code)
    if (!parsed.ok) throw new HttpError(404, parsed.problem.code, parsed.problem.vi, parsed.problem.en)
    return parsed.value
  })
}
