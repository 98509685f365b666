import fs from 'node:fs'
import path from 'node:path'

/** One row as delimited text with RFC 4180 quoting, the way spreadsheet programs export them. */
function lineMaker(delimiter: string): (cells: readonly string[]) => string {
  // One scan a cell for any character that needs quoting (the demo writes millions of cells).
  const special = new RegExp(`["\\r\\n${delimiter.replace(/[\\^\]-]/g, '\\$&')}]`)
  const quote = (cell: string) => (special.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)
  return (cells) => cells.map(quote).join(delimiter)
}

/** Writes rows as delimited text (a small file, whole). */
export function toDelimited(header: string[], rows: string[][], delimiter = ',', lineEnd = '\r\n'): string {
  const line = lineMaker(delimiter)
  return [header, ...rows].map(line).join(lineEnd) + lineEnd
}

export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le-bom'

const BOMS: Record<TextEncoding, Buffer> = { utf8: Buffer.alloc(0), 'utf8-bom': Buffer.from([0xef, 0xbb, 0xbf]), 'utf16le-bom': Buffer.from([0xff, 0xfe]) }

/** Text appended to a file a chunk at a time, so a file of any size takes a megabyte of memory. */
export class TextFile {
  private readonly fd: number
  private pending: string[] = []
  private pendingChars = 0

  constructor(
    file: string,
    private readonly encoding: TextEncoding = 'utf8-bom',
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.fd = fs.openSync(file, 'w')
    fs.writeSync(this.fd, BOMS[encoding])
  }

  write(text: string): void {
    this.pending.push(text)
    this.pendingChars += text.length
    if (this.pendingChars >= 1 << 20) this.flush()
  }

  private flush(): void {
    if (this.pending.length === 0) return
    fs.writeSync(this.fd, Buffer.from(this.pending.join(''), this.encoding === 'utf16le-bom' ? 'utf16le' : 'utf8'))
    this.pending = []
    this.pendingChars = 0
  }

  close(): void {
    this.flush()
    fs.closeSync(this.fd)
  }
}

/** A delimited file written row by row (the demo's registers run to millions of rows). */
export class DelimitedFile {
  private readonly out: TextFile
  private readonly line: (cells: readonly string[]) => string
  private readonly lineEnd: string
  rows = 0

  constructor(file: string, header: readonly string[], opts: { delimiter?: string; encoding?: TextEncoding; lineEnd?: string } = {}) {
    this.out = new TextFile(file, opts.encoding)
    this.line = lineMaker(opts.delimiter ?? ',')
    this.lineEnd = opts.lineEnd ?? '\r\n'
    this.out.write(this.line(header) + this.lineEnd)
  }

  row(cells: readonly string[]): void {
    this.out.write(this.line(cells) + this.lineEnd)
    this.rows++
  }

  close(): void {
    this.out.close()
  }
}

/** A JSON array of objects written one object at a time, as an export with one object a line. */
export class JsonArrayFile {
  private readonly out: TextFile
  rows = 0

  constructor(file: string) {
    this.out = new TextFile(file, 'utf8')
    this.out.write('[')
  }

  row(value: object): void {
    this.out.write(`${this.rows++ === 0 ? '\n' : ',\n'}${JSON.stringify(value)}`)
  }

  close(): void {
    this.out.write('\n]\n')
    this.out.close()
  }
}
