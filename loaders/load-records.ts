import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { loadFile, type LoadFileOptions, type LoadReport } from './load-file.ts'

/**
 * Loads records that arrived as data rather than a file (push API, pull connectors): they are
 * written as one JSON delivery, so they are archived and traced like any file.
 */
export type RecordsOptions = Omit<LoadFileOptions, 'file' | 'sourceName' | 'temporary'> & { uploadsDir: string; records: unknown[]; sourceName: string }

export async function loadRecords(opts: RecordsOptions): Promise<LoadReport> {
  const { uploadsDir, records, ...load } = opts
  fs.mkdirSync(uploadsDir, { recursive: true })
  const file = path.join(uploadsDir, `${randomUUID()}.json`)
  try {
    fs.writeFileSync(file, JSON.stringify(records))
    return await loadFile({ ...load, file, temporary: true })
  } finally {
    fs.rmSync(file, { force: true })
  }
}
