import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../infra/config.ts'
import { startService, type RunningService } from '../infra/app/service/start-service.ts'
import { signJwt } from '../infra/access/tokens.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { queryRows } from '../infra/warehouse/client.ts'
import { deliverLines } from './testing/deliver-lines.ts'

/*
 * Documents sent with data: an officer attaches a report's cover letter to its delivery, the owner
 * attaches an API guide to its catalogue entry. Types by content, not by name; who may read what;
 * every download logged.
 */
const home = tempDir('kho-attachments-')
let service: RunningService
let loadId = ''

const as = (ctx: Record<string, unknown>) => signJwt(ctx, service.ctx.secret)
const tc = () => as({ role: 'agency_officer', agency: 'SO_TC', sub: 'canbo.tc' })
const yt = () => as({ role: 'agency_officer', agency: 'SO_YT', sub: 'canbo.yt' })
const analyst = () => as({ role: 'analyst', sub: 'phan.tich' })

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)])
// An empty zip archive: the end-of-directory record alone.
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)])

async function upload(path: string, token: string, name: string, bytes: Buffer) {
  const form = new FormData()
  form.set('file', new Blob([bytes]), name)
  const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  return { status: res.status, body: (await res.json()) as any }
}

const get = async (path: string, token: string) => {
  const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) }
}

beforeAll(async () => {
  service = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'silent', KHO_INBOX_POLL_S: '0' }))
  await service.demoDone
  const dn = 'Mã số doanh nghiệp;Tên doanh nghiệp;Ngày thành lập;Mã xã;Ngành kinh tế (VSIC);Vốn điều lệ (triệu đồng);Tình trạng;Ngày cập nhật'
  loadId = (await deliverLines(service.ctx, home, 'dn.csv', 'doanh_nghiep', 'SO_TC', [dn, '0100047516;Công ty A;01/01/2020;07210;2610;2500;dang_hoat_dong;01/10/2026'])).loadId
}, 120_000)
afterAll(() => service?.stop())

describe('attachments', () => {
  it('takes a document with a delivery by what its content is, whatever its name says', async () => {
    const letter = await upload(`/api/loads/${loadId}/attachments`, tc(), 'cong-van.pdf', PDF)
    expect(letter.status).toBe(200)
    expect(letter.body).toMatchObject({ kind: 'delivery', load_id: loadId, dataset: 'doanh_nghiep', agency: 'SO_TC', name: 'cong-van.pdf', media_type: 'application/pdf', size: PDF.length })
    // A program renamed .pdf is refused, saying what it really is; a zip named .pdf is kept as a zip.
    const program = await upload(`/api/loads/${loadId}/attachments`, tc(), 'huong-dan.pdf', EXE)
    expect(program.status).toBe(415)
    expect(program.body.error.message_en).toContain('not a type that may be attached')
    const archive = await upload(`/api/loads/${loadId}/attachments`, tc(), 'bao-cao.pdf', ZIP)
    expect([archive.status, archive.body.media_type]).toEqual([200, 'application/zip'])
    // Over the size limit: refused, nothing kept.
    const big = await upload(`/api/loads/${loadId}/attachments`, tc(), 'video.mp4', Buffer.alloc(51 * 1024 * 1024))
    expect(big.status).toBe(413)
  })

  it("lets the delivery's agency and the province read them, not another agency, and logs each download", async () => {
    const mine = await fetch(`${service.url}/api/loads/${loadId}/attachments`, { headers: { authorization: `Bearer ${tc()}` } })
    const list = (await mine.json()) as { id: string; name: string }[]
    expect(list.map((a) => a.name)).toEqual(['cong-van.pdf', 'bao-cao.pdf'])
    expect((await get(`/api/loads/${loadId}/attachments`, yt())).status).toBe(403)
    expect((await get(`/api/attachments/${list[0]!.id}`, yt())).status).toBe(403)
    const read = await get(`/api/attachments/${list[0]!.id}`, analyst())
    expect([read.status, read.type]).toEqual([200, 'application/pdf'])
    expect(read.bytes.equals(PDF)).toBe(true)
    // Another agency may not add to it either.
    expect((await upload(`/api/loads/${loadId}/attachments`, yt(), 'x.pdf', PDF)).status).toBe(403)
    await service.ctx.audit.flush()
    const logged = await queryRows<{ account: string; endpoint: string }>(service.ctx.wh.client, "SELECT account, endpoint FROM meta.audit WHERE endpoint LIKE 'attachment.%' ORDER BY seq")
    expect(logged).toEqual([
      { account: 'canbo.tc', endpoint: 'attachment.upload' },
      { account: 'canbo.tc', endpoint: 'attachment.upload' },
      { account: 'phan.tich', endpoint: 'attachment.download' },
    ])
  })

  it("takes technical documentation with a catalogue entry from its owner, for everyone signed in to read", async () => {
    const guide = Buffer.from('# Hướng dẫn API đăng ký doanh nghiệp\n\nGET /doanh-nghiep?tu_ngay=...\n')
    const saved = await upload('/api/catalog/datasets/doanh_nghiep/attachments', tc(), 'huong-dan-api.md', guide)
    expect([saved.status, saved.body.media_type, saved.body.kind]).toEqual([200, 'text/plain; charset=utf-8', 'dataset'])
    expect((await upload('/api/catalog/datasets/doanh_nghiep/attachments', yt(), 'x.md', guide)).status).toBe(403)
    const list = await fetch(`${service.url}/api/catalog/datasets/doanh_nghiep/attachments`, { headers: { authorization: `Bearer ${yt()}` } })
    const docs = (await list.json()) as { id: string; name: string }[]
    expect(docs.map((d) => d.name)).toEqual(['huong-dan-api.md'])
    expect((await get(`/api/attachments/${docs[0]!.id}`, yt())).bytes.equals(guide)).toBe(true)
    expect((await fetch(`${service.url}/api/catalog/datasets/doanh_nghiep/attachments`)).status).toBe(401)
  })

  it('takes each of the twenty formats Bắc Ninh Điều 6.3 lists, by what its content is, under any name', async () => {
    const office = (name: string) => fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing/office', name))
    /** A RIFF container (wav, avi) of the given form with its first chunk. */
    const riff = (form: string, chunk: string) => {
      const b = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from(form), Buffer.from(chunk), Buffer.alloc(64)])
      b.writeUInt32LE(b.length - 8, 4)
      return b
    }
    // A 1×1, 24-bit bitmap: file header, BITMAPINFOHEADER, one padded pixel.
    const bmp = Buffer.alloc(58)
    bmp.write('BM', 0)
    bmp.writeUInt32LE(58, 2)
    bmp.writeUInt32LE(54, 10)
    bmp.writeUInt32LE(40, 14)
    bmp.writeInt32LE(1, 18)
    bmp.writeInt32LE(1, 22)
    bmp.writeUInt16LE(1, 26)
    bmp.writeUInt16LE(24, 28)
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]), Buffer.alloc(20)])
    const formats: [string, Buffer, string][] = [
      ['doc', office('cong-van.doc'), 'application/x-cfb'],
      ['docx', office('cong-van.docx'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['odt', office('cong-van.odt'), 'application/vnd.oasis.opendocument.text'],
      ['rtf', office('cong-van.rtf'), 'application/rtf'],
      ['txt', Buffer.from('Công văn số 12/STC: đề nghị bổ sung dữ liệu\n'), 'text/plain; charset=utf-8'],
      ['pdf', PDF, 'application/pdf'],
      ['xls', office('bang.xls'), 'application/x-cfb'],
      ['xlsx', office('bang.xlsx'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['ods', office('bang.ods'), 'application/vnd.oasis.opendocument.spreadsheet'],
      ['jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0'), Buffer.alloc(40)]), 'image/jpeg'],
      ['png', png, 'image/png'],
      ['bmp', bmp, 'image/bmp'],
      ['gif', Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(20)]), 'image/gif'],
      ['tif', Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), Buffer.alloc(40)]), 'image/tiff'],
      ['mp3', Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(400)]), 'audio/mpeg'],
      ['wav', riff('WAVE', 'fmt '), 'audio/wav'],
      ['mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(40)]), 'video/mp4'],
      ['avi', riff('AVI ', 'LIST'), 'video/x-msvideo'],
      ['zip', ZIP, 'application/zip'],
      ['rar', Buffer.concat([Buffer.from('Rar!\x1a\x07\x00', 'latin1'), Buffer.alloc(40)]), 'application/vnd.rar'],
    ]
    expect(new Set(formats.map(([f]) => f)).size).toBe(20)
    const kept: string[] = []
    for (const [format, bytes, mediaType] of formats) {
      // Named as something else: the content decides.
      const saved = await upload('/api/catalog/datasets/doanh_nghiep/attachments', tc(), `tai-lieu-${format}.bin`, bytes)
      expect([format, saved.status, saved.body.media_type]).toEqual([format, 200, mediaType])
      kept.push(saved.body.id)
    }
    // Read back as sent (sealed at rest, opened on the way out).
    const avi = await get(`/api/attachments/${kept[17]}`, yt())
    expect([avi.type, avi.bytes.equals(formats[17]![1])]).toEqual(['video/x-msvideo', true])
  })
})
