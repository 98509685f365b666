import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AuditLog } from '../../infra/access/audit-log.ts'
import { access, allow } from '../../infra/access/gate.ts'
import { can } from '../../infra/access/permissions.ts'
import type { Catalog, CatalogDataset } from '../../infra/catalog/load-catalog.ts'
import { catalogLabel } from '../../infra/contracts/catalog-labels.ts'
import { GUIDE_NOTES_MAX, type DatasetGuide, type GuideSection } from '../../infra/contracts/guide.ts'
import { HttpError, notFound } from '../../infra/http/http-error.ts'
import { parseQuery } from '../../infra/http/parse-request.ts'
import * as clock from '../../infra/time/clock.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { SemanticModel } from '../cube/compile-model.ts'
import { isProvenance, type ViewPolicies } from '../policy/view-policy.ts'

/**
 * A guide to using each dataset (Đắk Nông Điều 5.2), written for whoever reads it — an officer of
 * another agency, an analyst, a system's developer: generated from the entry and the semantic model
 * at each read (so it never falls behind a change of the catalogue), in Vietnamese or English, with
 * the owner agency's own notes first when it wrote any (the only part kept, in meta.dataset_guides).
 */
type Lang = 'vi' | 'en'
const say = (lang: Lang, vi: string, en: string) => (lang === 'vi' ? vi : en)

export function generatedSections(d: CatalogDataset, catalog: Pick<Catalog, 'agency'>, model: SemanticModel, views: readonly string[], lang: Lang): GuideSection[] {
  const agency = (code: string) => catalog.agency(code)?.name ?? code
  const personal = d.columns.filter((c) => c.personal)
  const sections: GuideSection[] = []

  sections.push({
    heading: say(lang, 'Dữ liệu này là gì', 'What this data is'),
    paragraphs: [
      d.description,
      say(
        lang,
        `Cơ quan chủ quản: ${agency(d.owner)}. Cập nhật: ${catalogLabel('frequency', d.update_frequency, 'vi').toLowerCase()}. Mức độ quan trọng: ${catalogLabel('protection', d.protection, 'vi').toLowerCase()}.`,
        `Owner agency: ${agency(d.owner)}. Updated: ${catalogLabel('frequency', d.update_frequency, 'en').toLowerCase()}. Protection: ${catalogLabel('protection', d.protection, 'en').toLowerCase()}.`,
      ),
      ...(personal.length > 0
        ? [
            say(
              lang,
              `Có dữ liệu cá nhân (${personal.map((c) => c.label).join(', ')}): chỉ tài khoản được cấp quyền dữ liệu cá nhân, hoặc hệ thống được cấp quyền nêu rõ từng trường đó, mới đọc được, và phải khai báo mục đích sử dụng.`,
              `It holds personal data (${personal.map((c) => c.label_en ?? c.label).join(', ')}): only accounts granted personal data, or systems whose grant names each of those fields, read them, and only with a declared purpose.`,
            ),
          ]
        : []),
    ],
  })

  const consumers = d.sharing.consumers.map(agency).join(', ')
  const ask = say(
    lang,
    'Cơ quan khác gửi yêu cầu chia sẻ trên trang Chia sẻ dữ liệu, nêu mục đích, căn cứ pháp lý, thời hạn, cách thức và tần suất, kèm văn bản đề nghị có chữ ký; quyền được cấp khi cả cơ quan chủ quản và đơn vị vận hành Kho dữ liệu cùng đồng ý, mỗi bên kèm văn bản.',
    'Other agencies ask on the Data sharing page, with the purpose, legal basis, period, method and frequency, and their signed written request; the grant is given when both the owner agency and the warehouse’s operator agree, each with its letter.',
  )
  sections.push({
    heading: say(lang, 'Ai được khai thác, và cách đề nghị', 'Who may use it, and how to ask'),
    paragraphs:
      d.sharing.scope === 'mo'
        ? [say(lang, 'Dữ liệu mở: mọi người được xem và tải về, không cần đăng nhập.', 'Open data: anyone may read and download it, without signing in.')]
        : [
            d.sharing.scope === 'dung_chung' && consumers
              ? say(lang, `Dữ liệu dùng chung: cơ quan chủ quản và ${consumers} được khai thác theo danh mục.`, `Shared data: the owner agency and ${consumers} use it by the catalogue.`)
              : say(lang, 'Dữ liệu nội bộ: chỉ cơ quan chủ quản được khai thác theo danh mục.', 'Internal data: only the owner agency uses it by the catalogue.'),
            ask,
          ],
  })

  sections.push({
    heading: say(lang, 'Các trường dữ liệu', 'Its fields'),
    paragraphs: [say(lang, `Mỗi bản ghi được xác định bởi: ${d.natural_key.map((k) => d.columns.find((c) => c.id === k)?.label ?? k).join(', ')}.`, `Each record is identified by: ${d.natural_key.map((k) => { const c = d.columns.find((x) => x.id === k); return c?.label_en ?? c?.label ?? k }).join(', ')}.`)],
    table: {
      headers: lang === 'vi' ? ['Trường', 'Kiểu', 'Bắt buộc', 'Giá trị', 'Dữ liệu cá nhân'] : ['Field', 'Type', 'Required', 'Values', 'Personal data'],
      rows: d.columns.map((c) => [
        lang === 'vi' ? c.label : (c.label_en ?? c.label),
        c.identifier ? catalogLabel('identifier', c.identifier, lang) : catalogLabel('columnType', c.type, lang),
        c.required ? say(lang, 'Có', 'Yes') : '',
        (c.enum ?? []).map((v) => { const l = c.enum_labels.find((x) => x.value === v); return l ? (lang === 'vi' ? l.label : (l.label_en ?? l.label)) : v }).join('; '),
        c.personal ? say(lang, 'Có', 'Yes') : '',
      ]),
    },
  })

  // How to read it: on the pages, through the API, over SQL, by feed — with a call that works as it is.
  const view = views[0]
  const meta = view ? model.meta.find((m) => m.name === view) : undefined
  if (view && meta) {
    const dims = meta.dimensions.filter((m) => !isProvenance(model, m.name) && !(model.members.get(m.name)?.meta as { meta?: { personal?: boolean } } | undefined)?.meta?.personal && m.type !== 'time').slice(0, 2).map((m) => m.name)
    const count = meta.measures.find((m) => m.name === `${view}.count`)?.name ?? meta.measures[0]?.name
    const query = { ...(count ? { measures: [count] } : {}), dimensions: dims, limit: 100 }
    const col = (m: string) => m.slice(view.length + 1)
    sections.push({
      heading: say(lang, 'Cách khai thác', 'How to read it'),
      paragraphs: [
        say(lang, `Trên Kho dữ liệu: trang Khám phá dữ liệu, chọn “${meta.title}”; kết quả tải về Excel hoặc in được.`, `On kho: the Explorer page, choose “${meta.title}”; results download to Excel or print.`),
        say(
          lang,
          'Cho hệ thống thông tin: đăng ký hệ thống, xin khóa, rồi gửi yêu cầu chia sẻ cho hệ thống với cách thức “Nhận dữ liệu tự động” để nhận các dòng mới và thay đổi sau mỗi lần cập nhật (có chữ ký số).',
          'For an information system: register it, get its key, then ask for a grant to it by “Automatic feed” to receive new and changed rows after each update (signed).',
        ),
      ],
      code: [
        { label: say(lang, 'Qua API (tương thích Cube; mã truy cập trong tiêu đề Authorization):', 'Through the API (Cube-compatible; the token in the Authorization header):'), text: `POST /cubejs-api/v1/load\n${JSON.stringify({ query }, null, 2)}` },
        {
          label: say(lang, 'Qua SQL (cổng Postgres của Kho dữ liệu; Metabase, Power BI, Excel, DBeaver kết nối được):', 'Over SQL (kho’s Postgres port; Metabase, Power BI, Excel, DBeaver connect):'),
          text: `SELECT ${[...dims.map(col), ...(count ? [`MEASURE(${col(count)})`] : [])].join(', ')}\nFROM ${view}${dims.length ? `\nGROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : ''}\nLIMIT 100;`,
        },
      ],
    })
  }

  sections.push({
    heading: say(lang, 'Khi thấy dữ liệu sai', 'When the data looks wrong'),
    paragraphs: [
      say(
        lang,
        `Báo lỗi ngay trên số liệu hoặc trên trang Chất lượng dữ liệu; ${agency(d.owner)} nhận thông báo, trả lời và sửa bằng lần gửi dữ liệu mới hoặc giải trình.`,
        `Report it on the figure itself or on the Data quality page; ${agency(d.owner)} is told, answers and corrects it with a new delivery or an explanation.`,
      ),
    ],
  })
  return sections
}

const guideQuery = z.strictObject({ lang: z.enum(['vi', 'en']).default('vi') })
const notesBody = z.strictObject({ text: z.string().max(GUIDE_NOTES_MAX) })

async function notesOf(wh: Warehouse, dataset: string): Promise<DatasetGuide['notes']> {
  const [row] = await queryRows<{ text: string; by: string; at: string }>(wh.client, 'SELECT text, edited_by AS by, toString(updated_at) AS at FROM meta.dataset_guides FINAL WHERE dataset = {d:String}', { d: dataset })
  return row && row.text.trim() ? row : null
}

export function datasetGuideRoutes(app: FastifyInstance, deps: { wh: Warehouse; catalog: () => Catalog; cube: { readonly model: SemanticModel; readonly sharing: ViewPolicies }; audit: AuditLog }) {
  const datasetOf = (id: string) => {
    const d = deps.catalog().dataset(id)
    if (!d) throw notFound('bộ dữ liệu / dataset', id)
    return d
  }

  // Public, like the catalogue it explains.
  app.get<{ Params: { id: string } }>('/api/catalog/datasets/:id/guide', allow(access.public), async (req): Promise<DatasetGuide> => {
    const d = datasetOf(req.params.id)
    const { lang } = parseQuery(guideQuery, req.query)
    return {
      dataset: d.id,
      title: say(lang, `Hướng dẫn khai thác: ${d.name}`, `Guide to ${d.name_en ?? d.name}`),
      lang,
      notes: await notesOf(deps.wh, d.id),
      sections: generatedSections(d, deps.catalog(), deps.cube.model, deps.cube.sharing.viewsOf(d.id), lang),
      editable: req.caller.role !== 'public' && req.caller.role !== 'system' && can(req.caller, 'manage', d.owner),
    }
  })

  // The owner agency writes its own notes (a steward may too); the rest stays generated.
  app.put<{ Params: { id: string } }>('/api/catalog/datasets/:id/guide', allow(access.roles('agency_officer', 'steward', 'admin')), async (req) => {
    const d = datasetOf(req.params.id)
    if (!can(req.caller, 'manage', d.owner)) throw new HttpError(403, 'forbidden', `Chỉ cơ quan chủ quản (${d.owner}) viết hướng dẫn của bộ dữ liệu này`, `Only the owner agency (${d.owner}) writes this dataset's guide`)
    const { text } = parseQuery(notesBody, req.body)
    await deps.wh.client.insert({ table: 'meta.dataset_guides', values: [{ dataset: d.id, text, edited_by: req.caller.account, updated_at: clock.nowMs() }], format: 'JSONEachRow' })
    deps.audit.recordRequest(req, { endpoint: 'catalog.guide', datasets: [d.id], query: { dataset: d.id, chars: text.length } })
    return { notes: await notesOf(deps.wh, d.id) }
  })
}
