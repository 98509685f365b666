import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readCsv } from './csv.ts'

/** Any text an agency's cell may hold: Vietnamese, delimiters, quotes, line breaks. */
const cellText = fc.string({ unit: fc.constantFrom('a', 'Đ', 'ư', 'ỗ', ' ', ',', ';', '"', '\n', '\r\n', '1', '=', "'", '\t'), maxLength: 12 })

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`
/** Quote only where RFC 4180 needs it, as most writers do. */
const minimal = (s: string) => (/[",\n\r;\t|]/.test(s) || s === '' ? quote(s) : s)

async function* chunked(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
}

async function read(text: string, size: number) {
  const out: { line: number; cells: string[] }[] = []
  for await (const r of readCsv(chunked(text, size), 't.csv')) out.push(r)
  return out
}

describe('the CSV reader (property-based)', () => {
  it('reads back exactly what a writer wrote, whatever the cells, the delimiter, the line ending and the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }).chain((width) =>
          fc.record({
            rows: fc.array(fc.array(cellText, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }),
            width: fc.constant(width),
            delimiter: fc.constantFrom(',', ';', '\t'),
            eol: fc.constantFrom('\n', '\r\n'),
            quoting: fc.constantFrom('all', 'minimal'),
            chunk: fc.integer({ min: 1, max: 64 }),
          }),
        ),
        async ({ rows, width, delimiter, eol, quoting, chunk }) => {
          const header = Array.from({ length: width }, (_, i) => `cot_${i}`)
          const q = quoting === 'all' ? quote : minimal
          const lines = [header.join(delimiter), ...rows.map((r) => r.map(q).join(delimiter))]
          const text = lines.join(eol) + eol
          const records = await read(text, chunk)
          expect(records.map((r) => r.cells)).toEqual([header, ...rows])
          // Each record says the line it starts on.
          let line = 1
          lines.forEach((l, i) => {
            expect(records[i]!.line).toBe(line)
            line += (l.match(/\n/g)?.length ?? 0) + 1
          })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('refuses an unclosed quote instead of swallowing the rest of the file', async () => {
    await fc.assert(
      fc.asyncProperty(cellText, async (tail) => {
        const text = `a,b\n1,"${tail.replace(/"/g, '')}\n2,3\n`
        await expect(read(text, 7)).rejects.toMatchObject({ code: 'csv.unclosed_quote' })
      }),
      { numRuns: 100 },
    )
  })
})
