import { createHash, randomUUID } from 'node:crypto'
import { sealInto, type KeptFiles } from '../infra/files/sealed-file.ts'
import fs from 'node:fs'
import path from 'node:path'
import { fileTypeFromFile } from 'file-type'
import { queryRows, type Warehouse } from '../infra/warehouse/client.ts'
import { warehouseTime } from '../infra/warehouse/sql.ts'
import { LoadRefusal } from './load-refusal.ts'
import { Utf8Check } from './utf8-check.ts'

/**
 * Documents sent with data (Bắc Ninh QĐ 53 Điều 6.3: doc, pdf, images, media, zip; Điều 6.6 and
 * Lào Cai Điều 20.3: technical documentation with each dataset): attached to a delivery by its
 * officer, to a catalogue entry by its owner or a steward, or to a sharing request (Bắc Ninh Điều 7.2: the
 * written request, each side's approval letter, a third party's commitment). The type is decided from the content
 * (magic bytes, file-type), never the name; archives are kept as they are, never unpacked.
 */
export type AttachmentKind = 'delivery' | 'dataset' | 'sharing'

export interface Attachment {
  id: string
  kind: AttachmentKind
  load_id: string
  /** The sharing request a letter belongs to (kind sharing). */
  request_id: string
  dataset: string
  agency: string
  name: string
  media_type: string
  size: number
  sha256: string
  uploaded_by: string
  uploaded_at: string
}

/** The largest attachment, and the most a delivery may carry in all. */
export const ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
export const DELIVERY_ATTACHMENTS_MAX_BYTES = 200 * 1024 * 1024

/**
 * What may be attached, by the type its content shows (file-type's extension → media type kept): the
 * formats Bắc Ninh QĐ 53 Điều 6.3 lists for documents sent with data — text documents (doc, docx,
 * odt, rtf, txt, pdf), spreadsheets (xls, xlsx, ods), images (jpg, png, bmp, gif, tif), audio (mp3,
 * wav), video (mp4, avi) and archives (zip, rar) — each tested by content in attachments.test.ts, plus
 * a few their successors (pptx, webp, mov, m4a, 7z). semantic/sharing/conformance.md lists them against the article.
 */
const ALLOWED: Record<string, string> = {
  pdf: 'application/pdf',
  // Word, Excel and PowerPoint 97-2003 are compound files (cfb); their 2007+ forms are zips file-type names.
  cfb: 'application/x-cfb',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  rtf: 'application/rtf',
  png: 'image/png',
  jpg: 'image/jpeg',
  bmp: 'image/bmp',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  mp4: 'video/mp4',
  avi: 'video/x-msvideo',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  zip: 'application/zip',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
}

/** Text with no magic bytes (a README, an API guide in Markdown, JSON or XML) is accepted when it is UTF-8 throughout with no NUL byte. */
async function isUtf8Text(file: string): Promise<boolean> {
  const utf8 = new Utf8Check()
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.includes(0)) return false
    utf8.push(chunk)
  }
  return utf8.end()
}

/** The media type the content shows, or a refusal saying what it is and what is accepted. */
export async function attachmentType(file: string, name: string): Promise<string> {
  const found = await fileTypeFromFile(file)
  if (found && ALLOWED[found.ext]) return ALLOWED[found.ext]!
  if (!found && (await isUtf8Text(file))) return 'text/plain; charset=utf-8'
  const what = found ? `${found.mime}` : 'không rõ / unknown'
  throw new LoadRefusal(
    'attachment.type',
    `Tệp ${name} có nội dung ${what}, không thuộc loại được đính kèm (văn bản PDF, Word, Excel, ảnh, âm thanh, video, tệp nén, văn bản thuần)`,
    `${name} holds ${what}, not a type that may be attached (PDF, Word, Excel, images, audio, video, archives, plain text)`,
  )
}

export const attachmentPath = (dir: string, sha256: string) => path.join(dir, sha256.slice(0, 2), sha256)

const COLUMNS = 'id, kind, load_id, request_id, dataset, agency, name, media_type, size, sha256, uploaded_by, toString(uploaded_at) AS uploaded_at'
const read = (r: Attachment & { size: string | number }): Attachment => ({ ...r, size: Number(r.size) })

export async function listAttachments(wh: Warehouse, where: { loadId: string } | { dataset: string } | { requestId: string }): Promise<Attachment[]> {
  const [condition, v] =
    'loadId' in where ? ["kind = 'delivery' AND load_id", where.loadId] : 'dataset' in where ? ["kind = 'dataset' AND dataset", where.dataset] : ["kind = 'sharing' AND request_id", where.requestId]
  const rows = await queryRows<Attachment>(wh.client, `SELECT ${COLUMNS} FROM meta.attachments FINAL WHERE ${condition} = {v:String} AND NOT deleted ORDER BY uploaded_at, id`, { v })
  return rows.map(read)
}

export async function findAttachment(wh: Warehouse, id: string): Promise<Attachment | null> {
  const [row] = await queryRows<Attachment>(wh.client, `SELECT ${COLUMNS} FROM meta.attachments FINAL WHERE id = {id:String} AND NOT deleted`, { id })
  return row ? read(row) : null
}

/**
 * Keeps an uploaded file (already on disk, at most ATTACHMENT_MAX_BYTES) as an attachment: its
 * type checked from its content, the delivery's total checked, kept sealed by content hash
 * (encrypted at rest, written under a temporary name and renamed), then recorded.
 */
export async function storeAttachment(
  wh: Warehouse,
  store: KeptFiles,
  a: { kind: AttachmentKind; loadId: string; requestId?: string; dataset: string; agency: string; name: string; file: string; uploadedBy: string },
): Promise<Attachment> {
  const size = fs.statSync(a.file).size
  if (size === 0) throw new LoadRefusal('attachment.empty', `Tệp ${a.name} rỗng`, `${a.name} is empty`)
  const mediaType = await attachmentType(a.file, a.name)
  if (a.kind === 'delivery') {
    const used = (await listAttachments(wh, { loadId: a.loadId })).reduce((n, x) => n + x.size, 0)
    if (used + size > DELIVERY_ATTACHMENTS_MAX_BYTES) {
      const mb = DELIVERY_ATTACHMENTS_MAX_BYTES / 1024 / 1024
      throw new LoadRefusal('attachment.delivery_total', `Một lần gửi được đính kèm tối đa ${mb} MB; tệp ${a.name} vượt quá`, `A delivery may carry at most ${mb} MB of attachments; ${a.name} goes past it`)
    }
  }
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(a.file) as AsyncIterable<Buffer>) hash.update(chunk)
  const sha256 = hash.digest('hex')
  const target = attachmentPath(store.dir, sha256)
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true })
    await sealInto(a.file, target, store.keys)
  }
  const row: Attachment = {
    id: randomUUID(),
    kind: a.kind,
    load_id: a.loadId,
    request_id: a.requestId ?? '',
    dataset: a.dataset,
    agency: a.agency,
    name: path.basename(a.name).slice(0, 255),
    media_type: mediaType,
    size,
    sha256,
    uploaded_by: a.uploadedBy,
    uploaded_at: warehouseTime(),
  }
  await wh.client.insert({ table: 'meta.attachments', values: [{ ...row, deleted: 0, updated_at: Date.now() }], format: 'JSONEachRow' })
  return row
}
