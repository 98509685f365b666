import type { FastifyInstance } from 'fastify'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { access, allow } from '../../access/gate.ts'
import { findEntry, listEntries, nextVersion, writeEntry, type CatalogEntry } from '../../catalog/catalog-entries.ts'
import { CatalogError, overlapOf, withDatasets, type Catalog } from '../../catalog/load-catalog.ts'
import { datasetSchema, type Dataset } from '../../catalog/schema.ts'
import { syncCatalog } from '../../catalog/sync-catalog.ts'
import { HttpError, notFound } from '../../http/http-error.ts'
import { hostListed } from '../../http/outbound.ts'
import { parseQuery } from '../../http/parse-request.ts'
import { queryRows } from '../../warehouse/client.ts'
import { catalogueSharing } from '../../../semantic/policy/view-policy.ts'
import { SemanticModelError, type SemanticModel } from '../../../semantic/cube/compile-model.ts'
import { generatedModelName } from '../../../transforms/project/dataset-models.ts'
import { ProjectError } from '../../../transforms/project/project.ts'
import type { Caller } from '../../access/caller.ts'
import { derivedModels } from './bootstrap.ts'
import type { ServiceContext } from './context.ts'
import { can } from '../../access/permissions.ts'

/**
 * A dataset from registration to use without a developer: an agency officer proposes a dataset
 * (or a change to one) as its catalogue entry; a steward approves or refuses it. An approved entry
 * takes effect at once — its raw table, its generated std model, cube, view and access policy —
 * without a restart; a change that would break a hand-written model or a saved query is refused
 * with the reason before it is approved. Every step is in the sharing log.
 */

const bad = (vi: string, en: string) => new HttpError(400, 'bad_request', vi, en)

/** What a catalogue error or a model that does not compile says, as a 400. */
function refusal(err: unknown): never {
  if (err instanceof CatalogError) {
    const lines = err.problems.map((p) => `${p.path || '(entry)'}: ${p.message}`).join('; ')
    throw bad(`Mục danh mục không hợp lệ: ${lines}`, `The catalogue entry is invalid: ${lines}`)
  }
  if (err instanceof ProjectError) throw bad(`Mô hình biến đổi không dựng được: ${err.message}`, `The transform models do not build: ${err.message}`)
  if (err instanceof SemanticModelError) throw bad(`Mô hình sinh ra không biên dịch được: ${err.message}`, `The generated model does not compile: ${err.message}`)
  throw err
}

/**
 * Takes a new catalogue into use while the service runs, with the models made from it: the
 * warehouse's tables first, then one new model state in place of the old (its listeners give the
 * transform runs the new project and drop cached answers), then the marts rebuilt.
 */
export async function applyCatalog(ctx: ServiceContext, next: Catalog, models: Awaited<ReturnType<typeof derivedModels>>, opts: { rebuild?: boolean } = {}): Promise<void> {
  await syncCatalog(ctx.wh, next)
  await ctx.model.replace({ catalog: next, ...models, sharing: catalogueSharing(next, ctx.grants.grant) })
  if (opts.rebuild !== false) ctx.transforms.request(0)
}

/**
 * What a change of contract would break: hand-written models that use a column it removes, and
 * saved queries that use a member the new model no longer has (a column's dimension, or the sums
 * and averages generated from it).
 */
async function contractBreaks(ctx: ServiceContext, before: Dataset, after: Dataset, semantic: SemanticModel): Promise<string[]> {
  const breaks: string[] = []
  const removed = before.columns.filter((c) => !after.columns.some((x) => x.id === c.id)).map((c) => c.id)
  const generated = generatedModelName(before.id)
  for (const m of ctx.model.now.project.models.values()) {
    // Hand-written models that read the dataset: from its raw table, or from its generated std model.
    if (!(m.sources.includes(before.id) || m.refs.includes(generated)) || m.config.tags.includes('generated')) continue
    for (const col of removed) if (new RegExp(`\\b${col}\\b`).test(m.sql)) breaks.push(`model ${m.name} uses ${col}`)
  }
  const views = new Set(ctx.model.now.sharing.viewsOf(before.id))
  const gone = [...ctx.model.now.semantic.members.keys()].filter((m) => views.has(m.split('.')[0]!) && !semantic.members.has(m)).sort()
  if (gone.length === 0) return breaks
  const saved = await queryRows<{ account: string; name: string; query: string }>(ctx.wh.client, 'SELECT account, name, query FROM meta.saved_queries FINAL WHERE NOT deleted ORDER BY account, name')
  for (const s of saved) {
    const used = gone.filter((m) => s.query.includes(`"${m}"`))
    if (used.length) breaks.push(`saved query "${s.name}" of ${s.account} uses ${used.join(', ')}`)
  }
  return breaks
}

const proposalBody = z.strictObject({ entry: z.record(z.string(), z.unknown()).optional(), yaml: z.string().max(200_000).optional(), note: z.string().max(2000).default('') })
const decisionBody = z.strictObject({ approve: z.boolean(), note: z.string().trim().max(2000).default('') })

/** Who proposes or decides: the route's caller, or the demo acting in a demo account's name. */
export type Actor = Pick<Caller, 'account' | 'role' | 'agency'>

/** A dataset entry proposed (Lào Cai Điều 7.6a): checked against the catalogue, saved as the dataset's next version. */
export async function proposeEntry(ctx: ServiceContext, actor: Actor, raw: unknown, note = ''): Promise<CatalogEntry & { change: 'new' | 'change' }> {
  const parsed = datasetSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')
    throw bad(`Mục danh mục không hợp lệ: ${lines}`, `The catalogue entry is invalid: ${lines}`)
  }
  const entry = parsed.data
  const existing = ctx.model.now.catalog.dataset(entry.id)
  // An officer registers its own agency's data (Lào Cai Điều 7.6a) and changes only its own.
  if (!can(actor, 'manage', entry.owner) || (existing && !can(actor, 'manage', existing.owner))) {
    throw new HttpError(403, 'forbidden', `Cơ quan ${actor.agency} chỉ đăng ký dữ liệu của mình`, `Agency ${actor.agency} registers only its own data`)
  }
  const overlap = overlapOf(entry, ctx.model.now.catalog.datasets)
  if (overlap) throw new HttpError(409, 'overlap', overlap.vi, overlap.en)
  try {
    withDatasets(ctx.model.now.catalog, [entry])
  } catch (err) {
    refusal(err)
  }
  const saved = await writeEntry(ctx.wh, { dataset: entry.id, version: await nextVersion(ctx.wh, entry.id), entry, status: 'proposed', proposed_by: actor.account, agency: actor.agency, reviewed_by: '', note })
  return { ...saved, change: existing ? 'change' : 'new' }
}

/**
 * Proposals approved together, taking effect at once: each checked against what it would break,
 * then the catalogue, models and policies swapped in one step (one rebuild for several entries).
 */
/**
 * What a dataset's pull connector will call and send: the address, whether its host is allowed,
 * and the header carrying which secret (by name; whether it is set) — never the secret itself.
 */
export function outboundOf(ctx: Pick<ServiceContext, 'pullHosts' | 'secrets'>, entry: Dataset) {
  if (!entry.pull) return null
  const url = new URL(entry.pull.url)
  const host = url.host.toLowerCase()
  return {
    url: `${url.origin}${url.pathname}`,
    host,
    host_allowed: hostListed(url, ctx.pullHosts.list()),
    header: entry.pull.auth?.header ?? null,
    secret: entry.pull.auth?.secret ?? null,
    secret_set: entry.pull.auth ? ctx.secrets.has(entry.pull.auth.secret) : false,
    schedule: entry.pull.schedule,
  }
}

export async function approveEntries(
  ctx: ServiceContext,
  actor: Actor,
  entries: readonly CatalogEntry[],
  note = '',
  /** rebuild: false when the caller builds the marts itself (the demo seed, at its end). */
  opts: { rebuild?: boolean } = {},
): Promise<CatalogEntry[]> {
  for (const e of entries) if (e.status !== 'proposed') throw new HttpError(409, 'conflict', `Đề xuất đã được xử lý (${e.status})`, `The proposal was already decided (${e.status})`)
  let next: Catalog
  let models: Awaited<ReturnType<typeof derivedModels>>
  try {
    next = withDatasets(ctx.model.now.catalog, entries.map((e) => e.entry))
    models = await derivedModels(next)
  } catch (err) {
    refusal(err)
  }
  const breaks: string[] = []
  for (const e of entries) {
    const before = ctx.model.now.catalog.dataset(e.dataset)
    if (before) breaks.push(...(await contractBreaks(ctx, before, e.entry, models.semantic)))
  }
  if (breaks.length) {
    throw new HttpError(409, 'breaking_change', `Thay đổi sẽ làm hỏng: ${breaks.join('; ')}`, `The change would break: ${breaks.join('; ')}`)
  }
  await applyCatalog(ctx, next, models, opts)
  const approved = new Set(entries.map((e) => e.dataset))
  const previous = (await listEntries(ctx.wh)).filter((x) => approved.has(x.dataset) && x.status === 'approved')
  for (const p of previous) await writeEntry(ctx.wh, { ...p, status: 'superseded' })
  const saved: CatalogEntry[] = []
  for (const e of entries) saved.push(await writeEntry(ctx.wh, { ...e, status: 'approved', reviewed_by: actor.account, note: note || e.note }))
  return saved
}

export function catalogChangeRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const { wh } = ctx
  const visible = (caller: Actor, e: CatalogEntry) => can(caller, 'see', e.agency) || can(caller, 'see', e.entry.owner)

  // Each proposal with what its pull connector will call and send, so the steward sees it before approving.
  app.get('/api/catalog/proposals', allow(access.signedIn), async (req) =>
    (await listEntries(wh)).filter((e) => visible(req.caller, e)).map((e) => ({ ...e, outbound: outboundOf(ctx, e.entry) })),
  )

  app.post('/api/catalog/proposals', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const body = parseQuery(proposalBody, req.body)
    let raw: unknown = body.entry
    if (body.yaml !== undefined) {
      try {
        raw = parseYaml(body.yaml)
      } catch (err) {
        throw bad(`YAML không đọc được: ${(err as Error).message}`, `The YAML does not parse: ${(err as Error).message}`)
      }
    }
    if (raw === undefined) throw bad('Cần "entry" hoặc "yaml"', 'Send "entry" or "yaml"')
    const { change, ...saved } = await proposeEntry(ctx, req.caller, raw, body.note)
    ctx.audit.recordRequest(req, { endpoint: 'catalog.propose', datasets: [saved.dataset], query: { dataset: saved.dataset, version: saved.version, change } })
    return saved
  })

  app.post<{ Params: { dataset: string; version: string } }>('/api/catalog/proposals/:dataset/:version/decision', allow(access.roles('steward', 'admin')), async (req) => {
    const body = parseQuery(decisionBody, req.body)
    // A version is a whole number the warehouse's UInt32 holds; anything else names no proposal.
    const version = /^\d{1,9}$/.test(req.params.version) ? Number(req.params.version) : null
    const e = version === null ? null : await findEntry(wh, req.params.dataset, version)
    if (!e) throw notFound('đề xuất / proposal', `${req.params.dataset} v${req.params.version}`)
    if (e.status !== 'proposed') throw new HttpError(409, 'conflict', `Đề xuất đã được xử lý (${e.status})`, `The proposal was already decided (${e.status})`)
    if (!body.approve) {
      if (body.note.length < 5) throw bad('Từ chối cần nêu lý do', 'A refusal needs a reason')
      const saved = await writeEntry(wh, { ...e, status: 'refused', reviewed_by: req.caller.account, note: body.note })
      ctx.audit.recordRequest(req, { endpoint: 'catalog.refuse', datasets: [e.dataset], query: { dataset: e.dataset, version: e.version, note: body.note } })
      return saved
    }
    const outbound = outboundOf(ctx, e.entry)
    if (outbound && !outbound.host_allowed) {
      throw bad(`Kết nối kéo dữ liệu gọi tới ${outbound.host}, máy chủ chưa có trong danh sách được phép`, `The pull connector calls ${outbound.host}, which is not on the list of allowed hosts`)
    }
    if (outbound?.secret && !outbound.secret_set) {
      throw bad(`Kết nối kéo dữ liệu dùng khóa "${outbound.secret}" chưa có trong kho khóa`, `The pull connector uses the secret "${outbound.secret}", which is not in the secret store`)
    }
    const [saved] = await approveEntries(ctx, req.caller, [e], body.note)
    ctx.audit.recordRequest(req, { endpoint: 'catalog.approve', datasets: [e.dataset], query: { dataset: e.dataset, version: e.version } })
    return saved
  })
}
