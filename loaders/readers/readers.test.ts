import { describe, expect, it } from 'vitest'
import { LoadRefusal } from '../load-refusal.ts'
import { readCsv } from './csv.ts'
import { decodeText } from './decode.ts'
import { readJson } from './json.ts'

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

/** Reads bytes the way the loader does, split into small chunks to exercise every boundary. */
async function csv(bytes: Uint8Array | string, chunk = 7): Promise<{ line: number; cells: string[] }[]> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  const out = []
  for await (const r of readCsv(decodeText(chunksOf(data, chunk), 'f.csv'), 'f.csv')) out.push(r)
  return out
}

async function json(text: string, recordPath: string | null = null) {
  const out = []
  for await (const r of readJson(decodeText(chunksOf(new TextEncoder().encode(text), 5), 'f.json'), 'f.json', recordPath)) out.push(r)
  return out
}

describe('CSV reader', () => {
  it('reads quoted cells with delimiters, doubled quotes and line breaks, CRLF and a BOM', async () => {
    const text = '\uFEFFMã xã,Địa chỉ,Ghi chú\r\n07210,"Số 5, đường Lê Lợi","nói ""xin chào""\r\ndòng hai"\r\n\r\n09301,Thôn 3,\r\n'
    expect(await csv(text)).toEqual([
      { line: 1, cells: ['Mã xã', 'Địa chỉ', 'Ghi chú'] },
      { line: 2, cells: ['07210', 'Số 5, đường Lê Lợi', 'nói "xin chào"\r\ndòng hai'] },
      { line: 5, cells: ['09301', 'Thôn 3', ''] },
    ])
  })

  it('detects semicolon and tab delimiters from the header', async () => {
    expect(await csv('a;b\n1,5;2\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1,5', '2'] },
    ])
    expect((await csv('a\tb\nx\ty'))[1]).toEqual({ line: 2, cells: ['x', 'y'] })
  })

  it('decodes UTF-16 LE and BE text as Excel saves "Unicode text"', async () => {
    const text = 'Mã\tTên\n07210\tPhường Bắc Giang\n'
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    const be = Buffer.from(le)
    be[0] = 0xfe
    be[1] = 0xff
    for (let i = 2; i < be.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!]
    for (const bytes of [le, be]) {
      expect(await csv(bytes, 3)).toEqual([
        { line: 1, cells: ['Mã', 'Tên'] },
        { line: 2, cells: ['07210', 'Phường Bắc Giang'] },
      ])
    }
  })

  it('refuses a legacy Vietnamese code page instead of loading mojibake', async () => {
    // "Phường" in Windows-1258: ư is 0xFD, ờ is ơ (0xF5) + combining grave (0xCC).
    const cp1258 = Uint8Array.from([0x4d, 0x61, 0x0a, 0x50, 0x68, 0xfd, 0xf5, 0xcc, 0x6e, 0x67, 0x0a])
    const err = await csv(cp1258).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoadRefusal)
    expect((err as LoadRefusal).vi).toMatch(/Windows-1258/)
    expect((err as LoadRefusal).code).toBe('encoding')
  })

  it('refuses an unclosed quote, naming its line', async () => {
    const err = (await csv('a,b\n1,"open\n2,3\n').catch((e: unknown) => e)) as LoadRefusal
    expect(err.en).toContain('line 2')
  })
})

describe('JSON reader', () => {
  it('reads an array of records with the union of their keys as header', async () => {
    expect(await json('[{"a":"x","b":1},{"a":"y","c":null,"b":2.5}]')).toEqual([
      { line: 0, cells: ['a', 'b', 'c'] },
      { line: 1, cells: ['x', '1', ''] },
      { line: 2, cells: ['y', '2.5', ''] },
    ])
  })

  it('reads NDJSON with line numbers, and records under a path', async () => {
    expect((await json('{"a":1}\n\n{"a":2}\n'))[2]).toEqual({ line: 3, cells: ['2'] })
    expect(await json('{"data":{"items":[{"k":"v"}]}}', 'data.items')).toEqual([
      { line: 0, cells: ['k'] },
      { line: 1, cells: ['v'] },
    ])
    const err = (await json('{"data":{}}', 'data.items').catch((e: unknown) => e)) as LoadRefusal
    expect(err.code).toBe('json.no_records')
  })

  it('refuses records that are not objects, and truncated JSON, saying where', async () => {
    for (const text of ['["a", "b"]', '[1, 2]', '[{"a":1}, [2]]']) {
      expect(((await json(text).catch((e: unknown) => e)) as LoadRefusal).code, text).toBe('json.not_object')
    }
    const cut = (await json('[{"a":1},\n{"a":').catch((e: unknown) => e)) as LoadRefusal
    expect(cut.code).toBe('json.syntax')
    expect(cut.en).toContain('line 2')
  })

  it('streams: one record at a time, whatever the chunking, with strings holding brackets and quotes', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({ id: i, note: `a "quoted" {not} [a bracket] \\ ${i}` }))
    const out = await json(JSON.stringify({ meta: { n: 2000 }, data: { items: records } }), 'data.items')
    expect(out).toHaveLength(2001)
    expect(out[0]).toEqual({ line: 0, cells: ['id', 'note'] })
    expect(out[2000]).toEqual({ line: 2000, cells: ['1999', 'a "quoted" {not} [a bracket] \\ 1999'] })
  })
})
