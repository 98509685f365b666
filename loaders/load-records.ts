import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { loadFile, type LoadFileOptions, type LoadReport } from './load-file.ts'

/**
 * Loads records that arrived as data rather than a file (push API, pull connectors): they are
 * written as one JSON delivery, so they are archived and traced like any file.
 */
export async function loadRecords(
  opts: Omit<LoadFileOptions, 'file' | 'sourceName'> & { home: string; records: unknown[]; sourceName: string },
): Promise<LoadReport> {
  const { home, records, ...load } = opts
  const dir = path.join(home, 'uploads')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${randomUUID()}.json`)
  try {
    fs.writeFileSync(file, JSON.stringify(records))
    return await loadFile({ ...load, file, temporary: true })
  } finally {
    fs.rmSync(file, { force: true })
  }
}
