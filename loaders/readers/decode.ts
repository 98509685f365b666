import { TextDecoder } from 'node:util'
import { LoadRefusal } from '../load-refusal.ts'

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be'

/** Picks the encoding from the byte-order mark; no BOM means UTF-8, checked strictly while decoding. */
export function sniffEncoding(head: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 }
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 }
  return { encoding: 'utf-8', bomLength: 0 }
}

/**
 * Decodes a byte stream to text chunks. Invalid UTF-8 (a legacy Vietnamese code page such as
 * Windows-1258 or TCVN3) is refused with that explanation rather than loaded as mojibake.
 */
export async function* decodeText(source: AsyncIterable<Uint8Array>, fileName: string): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null
  let encoding: TextEncoding = 'utf-8'
  let offset = 0
  for await (const chunk of source) {
    let bytes = chunk
    if (!decoder) {
      const sniffed = sniffEncoding(bytes)
      encoding = sniffed.encoding
      decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true })
      bytes = bytes.subarray(sniffed.bomLength)
    }
    try {
      yield decoder.decode(bytes, { stream: true })
    } catch {
      throw notTextRefusal(fileName, encoding, { byte: offset })
    }
    offset += chunk.length
  }
  if (decoder) {
    try {
      const tail = decoder.decode()
      if (tail) yield tail
    } catch {
      throw notTextRefusal(fileName, encoding, { byte: offset })
    }
  }
}

/** The refusal for text that is not in its encoding, saying where (a line when known, else a byte). */
export function notTextRefusal(fileName: string, encoding: TextEncoding, where: { line: number } | { byte: number }): LoadRefusal {
  const [vi, en] = 'line' in where ? [`dòng ${where.line}`, `line ${where.line}`] : [`gần byte ${where.byte}`, `near byte ${where.byte}`]
  return new LoadRefusal(
    'encoding',
    `Tệp ${fileName} không phải văn bản ${encoding.toUpperCase()} hợp lệ (${vi}); có thể đang dùng bảng mã cũ như Windows-1258 hoặc TCVN3. Hãy lưu lại dưới dạng CSV UTF-8`,
    `${fileName} is not valid ${encoding.toUpperCase()} text (${en}); it may use a legacy code page such as Windows-1258 or TCVN3. Save it as CSV UTF-8`,
  )
}
