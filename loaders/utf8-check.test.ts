import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
import { archiveFile, archivePath, READ_BYTES } from './archive.ts'
import { keptUnder, readKept } from '../infra/files/sealed-file.ts'
import { Utf8Check } from './utf8-check.ts'

const dir = tempDir('kho-digest-')

/** Splits bytes at the given cut points, as a stream would deliver them. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c))
    from = c
  }
  return out
}

describe('UTF-8 check while archiving', () => {
  it('agrees with a whole-buffer check however the bytes are chunked', () => {
    // Vietnamese text, with now and then a byte from a legacy code page or a cut-off character.
    const text = fc.string({ unit: fc.constantFrom('a', 'ư', 'Đ', 'ệ', '😀', '\n', ',', ' '), maxLength: 60 }).map((s) => Buffer.from(s))
    const bytes = fc.oneof(
      text,
      fc.tuple(text, fc.integer({ min: 0x80, max: 0xff }), text).map(([a, b, c]) => Buffer.concat([a, Buffer.from([b]), c])),
      fc.tuple(text, fc.integer({ min: 1, max: 3 })).map(([a, n]) => Buffer.concat([a, Buffer.from('😀').subarray(0, n)])),
    )
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), (b, cuts) => {
        const check = new Utf8Check()
        for (const chunk of chunked(b, cuts)) check.push(chunk)
        expect(check.end()).toBe(isUtf8(b))
      }),
      { numRuns: 3000, seed: 20261122 },
    )
  })

  it('archives the file under its hash and names the first line that is not UTF-8', async () => {
    const archive = keptUnder(dir)
    const good = path.join(dir, 'good.csv')
    // Characters across the first and second read boundaries are still read as one, though each
    // read lands in the same buffer as the one before.
    const head = Buffer.from('Mã xã,Tên\n')
    const body = Buffer.concat([head, Buffer.alloc(READ_BYTES - head.length - 1, 'a'), Buffer.from('ệ\n'), Buffer.alloc(READ_BYTES - 4, 'b'), Buffer.from('ư\n07210,Phường Bắc Giang\n')])
    fs.writeFileSync(good, body)
    const sha256 = createHash('sha256').update(body).digest('hex')
    const archived = await archiveFile(archive, good, { text: true })
    expect(archived).toMatchObject({ sha256, notUtf8Line: null })
    await archived.stored
    // Kept sealed: the clear bytes are nowhere in the archive's file, and it opens to them exactly.
    const kept = archivePath(archive.dir, sha256)
    expect(fs.readFileSync(kept).includes('Phường Bắc Giang')).toBe(false)
    expect((await readKept(kept, archive.keys)).equals(body)).toBe(true)
    expect(fs.readdirSync(archive.dir).filter((f) => f.startsWith('.incoming'))).toEqual([])

    // A byte of a legacy code page in the second read, after a first read that was all UTF-8.
    const lateBad = path.join(dir, 'late-bad.csv')
    fs.writeFileSync(lateBad, Buffer.concat([head, Buffer.alloc(READ_BYTES, 'a'), Buffer.from('\n07228,Ph'), Buffer.from([0xf5]), Buffer.from('\n')]))
    expect((await archiveFile(archive, lateBad, { text: true })).notUtf8Line).toBe(3)

    const bad = path.join(dir, 'bad.csv')
    // "Phường" as Windows-1258 writes it, on line 3.
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('Mã xã,Tên\n07210,Bắc Giang\n07228,Ph'), Buffer.from([0x75, 0xf5, 0x1a, 0x6e, 0x67]), Buffer.from('\n')]))
    expect((await archiveFile(archive, bad, { text: true })).notUtf8Line).toBe(3)
    // Binary formats are only hashed.
    expect((await archiveFile(archive, bad, { text: false })).notUtf8Line).toBeNull()
  })

  it("keeps a sealed copy of the agency's file: a later change to the agency's file changes nothing kept", async () => {
    const archive = keptUnder(dir, 'archive-copy')
    const agencyFile = path.join(dir, 'agency.csv')
    fs.writeFileSync(agencyFile, 'Mã xã\n07228\n')
    const copied = await archiveFile(archive, agencyFile, { text: true })
    await copied.stored
    fs.writeFileSync(agencyFile, 'Mã xã\n99999\n')
    expect((await readKept(archivePath(archive.dir, copied.sha256), archive.keys)).toString('utf8')).toBe('Mã xã\n07228\n')
    expect(fs.statSync(archivePath(archive.dir, copied.sha256)).mode & 0o077).toBe(0)
  })
})
