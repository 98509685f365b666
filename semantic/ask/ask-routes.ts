import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { access, allow } from '../../infra/access/gate.ts'
import type { Catalog } from '../../infra/catalog/load-catalog.ts'
import { communesOf } from '../../infra/identifiers/admin-units.ts'
import * as clock from '../../infra/time/clock.ts'
import type { AskAnswer } from '../../infra/contracts/ask.ts'
import { handle, runQuery, visibleMeta, type CubeApiContext } from '../api/cube-api.ts'
import { askViews, type AskView } from './ask-views.ts'
import { AskSynonymStore, MAX_ADDED } from './ask-synonyms.ts'
import type { AskSynonyms } from '../../infra/contracts/ask.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import { notFound } from '../../infra/http/http-error.ts'
import { QueryError, validateQuery } from '../cube/cube-query.ts'
import { queryMembers } from '../policy/view-policy.ts'
import { answerQuestion } from './answer-question.ts'
import { parseQuestion, type AskContext } from './parse-question.ts'

/** What questions are read against, from the catalogue in force and kho's day. */
export function askContext(catalog: Catalog, synonyms: Record<string, string[]>, today: string, views: AskView[] = []): AskContext {
  const communes = communesOf(catalog.province.code).map((c) => ({ code: c.code, name: c.name }))
  return {
    indicators: catalog.indicators.map((i) => ({
      code: i.code,
      name_vi: i.name_vi,
      name_en: i.name_en,
      aggregation: i.aggregation,
      frequency: i.frequency,
      unit: i.unit,
      level: i.level,
      synonyms: synonyms[i.code] ?? [],
    })),
    communes,
    formerNames: catalog.crosswalk.map((c) => ({ name: c.oldName, code: c.newCode })),
    province: { code: catalog.province.code, name: catalog.province.name },
    views,
    today,
  }
}

/** The question, and the language to answer in (the page's; read from the question when absent). */
const askInput = z.strictObject({ question: z.string().trim().min(1).max(300), lang: z.enum(['vi', 'en']).optional() })

/**
 * POST /api/ask {question}: a question in Vietnamese or English answered from the KT-XH set or another view the caller may query, under
 * the same gate, policy, cache and audit as /load (each query it runs is the caller's own).
 */
export function askRoutes(app: FastifyInstance, ctx: CubeApiContext, catalog: () => Catalog) {
  const store = new AskSynonymStore(ctx.wh)
  // Every view as the reader knows it, made once per model, catalogue and synonyms (not per question); each caller's are filtered from it.
  let made: { meta: unknown; cat: Catalog; synonyms: unknown; views: AskView[] } | null = null
  const allViews = (meta: CubeApiContext['model']['meta'], cat: Catalog, synonyms: Record<string, string[]>) => {
    if (!made || made.meta !== meta || made.cat !== cat || made.synonyms !== synonyms) made = { meta, cat, synonyms, views: askViews(meta, (id) => cat.dataset(id), synonyms) }
    return made.views
  }
  app.post('/api/ask', allow(access.signedIn), (req) =>
    handle(ctx, 'ask', req, async (sec) => {
      const parsed = askInput.safeParse(req.body ?? {})
      if (!parsed.success) throw new QueryError('Câu hỏi phải có từ 1 đến 300 ký tự', 'A question has 1 to 300 characters')
      await store.ready()
      const synonyms = store.all()
      const cat = catalog()
      // The views this caller may query, with every member (personal ones too: asked for, the policy refuses them).
      const visible = new Set(visibleMeta(ctx.model, sec, ctx.sharing).map((v) => v.name))
      const views = allViews(ctx.model.meta, cat, synonyms).filter((v) => visible.has(v.name))
      const context = askContext(cat, synonyms, clock.today(), views)
      const asked: string[] = []
      let rows = 0
      const answer: AskAnswer = await answerQuestion(parseQuestion(parsed.data.question, context, parsed.data.lang), context, async (raw) => {
        const q = validateQuery(ctx.model, raw)
        asked.push(...queryMembers(q))
        const r = await runQuery(ctx, q, sec)
        rows += r.data.length
        return r.data
      })
      return { body: answer, outcome: { members: [...new Set(asked)], filters: answer.query?.filters ?? null, rowCount: rows } }
    }),
  )

  /** What may be named: every indicator, and every view of the model but KT-XH (read by its indicators). */
  const subjects = (lang: 'vi' | 'en'): Omit<AskSynonyms, 'given' | 'added' | 'updated_by' | 'updated_at'>[] => [
    ...catalog().indicators.map((i) => ({ subject: i.code, kind: 'indicator' as const, name: lang === 'en' ? i.name_en : i.name_vi })),
    ...ctx.model.meta.filter((v) => v.name !== 'kt_xh').map((v) => ({ subject: v.name, kind: 'view' as const, name: lang === 'en' ? ((v as { meta?: { title_en?: string } }).meta?.title_en ?? v.title) : v.title })),
  ]
  const entry = (s: ReturnType<typeof subjects>[number]): AskSynonyms => {
    const added = store.added(s.subject)
    return { ...s, given: store.given[s.subject] ?? [], added: added?.words ?? [], updated_by: added?.updated_by ?? '', updated_at: added?.updated_at ?? null }
  }
  // Stewards extend the ways questions may name an indicator or a view; the next question reads them.
  app.get<{ Querystring: { lang?: string } }>('/api/ask/synonyms', allow(access.rolesOrService('steward', 'admin')), async (req) => {
    await store.ready()
    return subjects(req.query.lang === 'en' ? 'en' : 'vi').map(entry)
  })
  app.put<{ Params: { subject: string } }>('/api/ask/synonyms/:subject', allow(access.rolesOrService('steward', 'admin')), async (req) => {
    const body = parseQuery(z.strictObject({ words: z.array(z.string().max(200)).max(MAX_ADDED * 2) }), req.body)
    const subject = subjects('vi').find((s) => s.subject === req.params.subject)
    if (!subject) throw notFound('chỉ tiêu hoặc khung nhìn / indicator or view', req.params.subject)
    await store.ready()
    const words = await store.set(subject.subject, body.words, req.caller.account)
    ctx.audit.recordRequest(req, { endpoint: 'ask_synonyms.set', query: { subject: subject.subject, words } })
    return entry(subject)
  })
}
