import fs from 'node:fs'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'

/**
 * Writes an uploaded file to `file`. When the disk refuses it (full), the rest of the upload is
 * still read and dropped before the error is thrown, so the sender gets the answer (507, the disk
 * named) instead of a connection reset mid-send, which stream.pipeline gives by destroying the
 * source. Whatever was written is left for the caller to remove, as on any other failure.
 */
export async function receiveFile(source: Readable, file: string): Promise<void> {
  const out = fs.createWriteStream(file)
  let failed: unknown = null
  out.on('error', (err) => {
    failed ??= err
    source.unpipe(out)
    source.resume()
  })
  source.pipe(out)
  try {
    await finished(source)
  } catch (err) {
    out.destroy()
    throw err
  }
  if (failed === null) await finished(out).catch((err: unknown) => (failed = err))
  if (failed !== null) {
    out.destroy()
    throw failed
  }
}
