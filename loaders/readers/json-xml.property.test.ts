import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readJson } from './json.ts'
import { readXml } from './xml.ts'

/** Text an agency's system may send: Vietnamese, quotes, backslashes, markup characters, line breaks. */
const text = fc.string({ unit: fc.constantFrom('a', 'Đ', 'ư', 'ỗ', ' ', '"', '\\', '<', '>', '&', "'", '\n', '/', '{', '}', ',', '1', '\u00e9'), maxLength: 10 })

async function* chunked(s: string, size: number) {
  for (let i = 0; i < s.length; i += size) yield s.slice(i, i + size)
}

async function collect(records: AsyncGenerator<{ line: number; cells: string[] }>) {
  const out: string[][] = []
  for await (const r of records) out.push(r.cells)
  return out
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

describe('the JSON and XML readers (property-based)', () => {
  it('read back any records a JSON array or NDJSON writer wrote, at any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.record({
            width: fc.constant(width),
            rows: fc.array(fc.array(fc.oneof(text, fc.integer({ min: -1e9, max: 1e9 }), fc.boolean(), fc.constant(null)), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }),
            ndjson: fc.boolean(),
            indent: fc.constantFrom(0, 2),
            chunk: fc.integer({ min: 1, max: 50 }),
          }),
        ),
        async ({ width, rows, ndjson, indent, chunk }) => {
          const keys = Array.from({ length: width }, (_, i) => `truong_${i}`)
          const objects = rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i]])))
          const doc = ndjson ? objects.map((o) => JSON.stringify(o)).join('\n') + '\n' : JSON.stringify(objects, null, indent)
          const out = await collect(readJson(chunked(doc, chunk), 'f.json'))
          expect(out[0]).toEqual(keys)
          expect(out.slice(1)).toEqual(rows.map((r) => r.map((v) => (v === null ? '' : String(v)))))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('read back any field text an XML writer escaped, in attributes or elements, at any chunking', async () => {
    const field = text.filter((s) => s === s.trim() && !s.includes('\n'))
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, field, field), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        async (rows, chunk) => {
          const body = rows.map(([a, b, c]) => `<dong ma="${escapeXml(a)}"><ten>${escapeXml(b)}</ten><ghi_chu>${escapeXml(c)}</ghi_chu></dong>`).join('\n')
          const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<baocao>\n${body}\n</baocao>\n`
          const out = await collect(readXml(chunked(doc, chunk), 'f.xml', { recordPath: 'baocao/dong' }))
          expect(out[0]).toEqual(['ma', 'ten', 'ghi_chu'])
          expect(out.slice(1)).toEqual(rows.map(([a, b, c]) => [a, b, c]))
        },
      ),
      { numRuns: 300 },
    )
  })
})
