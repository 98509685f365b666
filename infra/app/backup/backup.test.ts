import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../testing/temp-warehouse.ts'
import { loadFile } from '../../../loaders/load-file.ts'
import { storeAttachment } from '../../../loaders/attachments.ts'
import { catalogProject } from '../../../transforms/runner/project.ts'
import { runModels } from '../../../transforms/runner/run.ts'
import { BackupError, createBackup, listBackups, pruneBackups, restoreBackup, tableChecksum, type BackupManifest } from './backup.ts'
import { pathsUnder } from '../../config.ts'

const catalog = loadCatalog()
const home = tempDir('kho-backup-')
let wh: TempWarehouse
let manifest: BackupManifest

const kho = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/kho.js'), ...args], { env: { ...process.env, KHO_LOG_LEVEL: 'silent', ...env } })

beforeAll(async () => {
  wh = await openSyncedWarehouse(catalog)
  const file = path.join(home, 'ct.csv')
  const months = Array.from({ length: 24 }, (_, i) => `EXPORT_VAL,${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},24,${100 + i}`)
  fs.writeFileSync(file, ['ma_chi_tieu,ky_bao_cao,ma_don_vi,gia_tri', ...months, 'IMPORT_VAL,2026-13,24,1'].join('\n'))
  const r = await loadFile({ wh, catalog, archiveDir: path.join(home, 'archive'), file, dataset: 'chi_tieu_kt_xh', agency: 'SO_CT', channel: 'file' })
  expect(r.status).toBe('committed')
  // A document attached to the delivery is backed up and restored with the data.
  const pdf = path.join(home, 'cong-van.pdf')
  fs.writeFileSync(pdf, '%PDF-1.4\n%%EOF\n')
  await storeAttachment(wh, pathsUnder(home).attachments, { kind: 'delivery', loadId: r.loadId, dataset: 'chi_tieu_kt_xh', agency: 'SO_CT', name: 'cong-van.pdf', file: pdf, uploadedBy: 'canbo.soct' })
  await runModels(wh, catalogProject(catalog))
  manifest = await createBackup(wh, pathsUnder(home), new Date('2026-11-22T02:30:00Z'))
}, 120_000)
afterAll(() => wh?.close())

describe('backup and restore', () => {
  it('writes every table of the four layers with its count and checksum, and the archive', async () => {
    expect(manifest.id).toBe('20261122T023000Z')
    const names = manifest.tables.map((t) => `${t.database}.${t.name}`)
    expect(names).toEqual(expect.arrayContaining(['raw.chi_tieu_kt_xh', 'std.indicator_reports', 'marts.fct_submission', 'meta.loads', 'meta.rejects', 'meta.schema_migrations']))
    expect(names.some((n) => n.includes('__stage'))).toBe(false)
    // Replacing tables may merge in the background after the backup; the others must match it exactly.
    for (const t of manifest.tables.filter((x) => x.file && !x.engine.startsWith('Replacing'))) {
      expect(await tableChecksum(wh, t.database, t.name), `${t.database}.${t.name}`).toEqual({ rows: t.rows, checksum: t.checksum })
    }
    expect(manifest.tables.find((t) => t.name === 'rejects')!.rows).toBe(1)
    expect(manifest.archive_files).toBe(1)
    expect(manifest.attachment_files).toBe(1)
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual([manifest.id])
  })

  it('restores into a fresh data directory with every table identical, and kho opens it', async () => {
    const fresh = tempDir('kho-restored-')
    const { stdout } = await kho(['backup', 'restore', manifest.id, '--home', fresh, '--json'], { KHO_HOME: home })
    const restored = JSON.parse(stdout) as { tables: { table: string; rows: number; checksum: string; ok: boolean }[]; archive_files: number; attachment_files: number }
    const expected = manifest.tables.filter((t) => t.file).map((t) => ({ table: `${t.database}.${t.name}`, rows: t.rows, checksum: t.checksum, ok: true }))
    expect(restored.tables).toEqual(expected)
    expect(restored.archive_files).toBe(1)
    expect(restored.attachment_files).toBe(1)
    expect(fs.readdirSync(pathsUnder(fresh).attachments, { recursive: true }).map(String).filter((f) => f.length > 40)).toHaveLength(1)
    const status = JSON.parse((await kho(['status', '--json'], { KHO_HOME: fresh })).stdout) as { tables: Record<string, number>; schemaVersion: number }
    expect(status.schemaVersion).toBe(manifest.schema_version)
    for (const t of expected) expect(status.tables[t.table], t.table).toBe(t.rows)
  })

  it('refuses to restore over data, and ignores a backup that never finished', async () => {
    await expect(restoreBackup(wh, path.join(home, 'backups', manifest.id))).rejects.toBeInstanceOf(BackupError)
    fs.mkdirSync(path.join(home, 'backups', '20261123T023000Z'), { recursive: true })
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual([manifest.id])
  })

  it('keeps the newest N backups', async () => {
    await createBackup(wh, pathsUnder(home), new Date('2026-11-24T02:30:00Z'))
    await createBackup(wh, pathsUnder(home), new Date('2026-11-25T02:30:00Z'))
    expect(pruneBackups(pathsUnder(home).backups, 2)).toEqual([manifest.id])
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual(['20261125T023000Z', '20261124T023000Z'])
  })
})
