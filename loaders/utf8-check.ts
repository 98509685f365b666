import { isUtf8 } from 'node:buffer'
import fs from 'node:fs'

const isContinuation = (b: number) => (b & 0xc0) === 0x80
const sequenceLength = (lead: number) => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1)

/** Validates UTF-8 as a stream delivers it, chunk by chunk; a character split between chunks is checked on its own. */
export class Utf8Check {
  private tail: Buffer = Buffer.alloc(0)
  private valid = true

  push(chunk: Buffer): void {
    if (!this.valid) return
    // Continuation bytes at the start finish the character the previous chunk began.
    let head = 0
    while (head < chunk.length && head < 3 && isContinuation(chunk[head]!)) head++
    if (this.tail.length > 0 || head > 0) {
      const split = Buffer.concat([this.tail, chunk.subarray(0, head)])
      // Still unfinished at the end of a tiny chunk: wait for the next.
      if (head === chunk.length && split.length < sequenceLength(split[0]!)) {
        this.tail = split
        return
      }
      if (!isUtf8(split)) this.valid = false
    }
    // A character begun in the last bytes and finished in the next chunk waits for it.
    let end = chunk.length
    let lead = end - 1
    while (lead > head && end - lead < 4 && isContinuation(chunk[lead]!)) lead--
    if (lead >= head && end - lead < sequenceLength(chunk[lead]!)) end = lead
    if (!isUtf8(chunk.subarray(head, end))) this.valid = false
    this.tail = Buffer.from(chunk.subarray(end))
  }

  end(): boolean {
    return this.valid && this.tail.length === 0
  }
}

/** Only when the file is known to be bad: read it again line by line to say where. */
export async function firstNotUtf8Line(file: string): Promise<number> {
  let line = 1
  let partial: Buffer = Buffer.alloc(0)
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let data = partial.length ? Buffer.concat([partial, chunk]) : chunk
    let nl: number
    while ((nl = data.indexOf(0x0a)) >= 0) {
      if (!isUtf8(data.subarray(0, nl))) return line
      line++
      data = data.subarray(nl + 1)
    }
    partial = Buffer.from(data)
  }
  return line
}
