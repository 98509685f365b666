import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, PROJECT_ROOT } from '../../catalog/load-catalog.ts'
import { openSyncedWarehouse, tempDir, type TempWarehouse } from '../../testing/temp-warehouse.ts'
import { loadFile } from '../../../loaders/load-file.ts'
import { storeAttachment } from '../../../loaders/attachments.ts'
import { catalogProject } from '../../../transforms/project/project.ts'
import { runModels } from '../../../transforms/runner/run.ts'
import { BackupError, createBackup, listBackups, pruneBackups, restoreBackup, tableChecksum, type BackupManifest } from './backup.ts'
import { pathsUnder } from '../../config.ts'
import { copyBackupElsewhere, listCopies, unpackCopy } from './offsite.ts'
import { backUpNow } from './back-up-now.ts'
import { keptUnder } from '../../files/sealed-file.ts'
import { Keyring } from '../../keys/keyring.ts'

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
  const r = await loadFile({ wh, catalog, archive: keptUnder(home), file, dataset: 'chi_tieu_kt_xh', agency: 'SO_CT', channel: 'file' })
  expect(r.status).toBe('committed')
  // A document attached to the delivery is backed up and restored with the data.
  const pdf = path.join(home, 'cong-van.pdf')
  fs.writeFileSync(pdf, '%PDF-1.4\n%%EOF\n')
  await storeAttachment(wh, keptUnder(home, 'attachments'), { kind: 'delivery', loadId: r.loadId, dataset: 'chi_tieu_kt_xh', agency: 'SO_CT', name: 'cong-van.pdf', file: pdf, uploadedBy: 'canbo.soct' })
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

  it('copies a backup elsewhere as one encrypted file that restores whole, and refuses a wrong key or a changed byte', async () => {
    const elsewhere = tempDir('kho-backup-elsewhere-')
    const key = 'khoa-sao-luu-cua-tinh-2026'
    const copy = await copyBackupElsewhere(path.join(home, 'backups', manifest.id), elsewhere, key)
    expect(path.basename(copy)).toBe(`${manifest.id}.kho-backup`)
    // Nothing of the backup reads in the clear (the manifest names every table; the plain copy shows them).
    const bytes = fs.readFileSync(copy)
    expect(bytes.includes('fct_submission')).toBe(false)
    const plain = await copyBackupElsewhere(path.join(home, 'backups', manifest.id), tempDir('kho-backup-plain-'))
    expect(fs.readFileSync(plain).includes('fct_submission')).toBe(true)

    // Restored from the copy alone, through the CLI, with the key from the environment.
    const fresh = tempDir('kho-restored-copy-')
    const { stdout } = await kho(['backup', 'restore', copy, '--home', fresh, '--json'], { KHO_HOME: home, KHO_BACKUP_KEY: key })
    const restored = JSON.parse(stdout) as { tables: { ok: boolean }[]; attachment_files: number }
    expect(restored.tables.length).toBe(manifest.tables.filter((t) => t.file).length)
    expect(restored.tables.every((t) => t.ok)).toBe(true)
    expect(restored.attachment_files).toBe(1)

    // A wrong key, a changed byte anywhere, a cut file: refused with the reason, nothing unpacked.
    const target = path.join(tempDir('kho-unpack-'), 'b')
    await expect(unpackCopy(copy, target, 'khoa-sai-hoan-toan-khac')).rejects.toThrow(/wrong key .*or the file was altered/)
    expect(fs.existsSync(target)).toBe(false)
    await expect(unpackCopy(copy, target)).rejects.toThrow(/encrypted: set KHO_BACKUP_KEY/)
    for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 3]) {
      const changed = Buffer.from(bytes)
      changed[at] = changed[at]! ^ 0x01
      const file = path.join(elsewhere, `changed-${at}.kho-backup`)
      fs.writeFileSync(file, changed)
      await expect(unpackCopy(file, target, key), `byte ${at}`).rejects.toBeInstanceOf(BackupError)
      expect(fs.existsSync(target)).toBe(false)
    }
    const cut = path.join(elsewhere, 'cut.kho-backup')
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100))
    await expect(unpackCopy(cut, target, key)).rejects.toBeInstanceOf(BackupError)
    const plainChanged = Buffer.from(fs.readFileSync(plain))
    const middle = Math.floor(plainChanged.length / 2)
    plainChanged[middle] = plainChanged[middle]! ^ 0x01
    fs.writeFileSync(plain, plainChanged)
    await expect(unpackCopy(plain, target)).rejects.toBeInstanceOf(BackupError)
    const kept = await kho(['backup', 'restore', cut, '--home', tempDir('kho-restored-cut-')], { KHO_HOME: home, KHO_BACKUP_KEY: key }).catch((e: { stderr: string; code: number }) => e)
    expect((kept as { code: number }).code).not.toBe(0)
    expect((kept as { stderr: string }).stderr).toMatch(/khoá \(KHO_BACKUP_KEY\) sai, hoặc tệp đã bị sửa/)
  })

  it('refuses to restore over data, and ignores a backup that never finished', async () => {
    await expect(restoreBackup(wh, path.join(home, 'backups', manifest.id), Keyring.open(pathsUnder(home).keys))).rejects.toBeInstanceOf(BackupError)
    fs.mkdirSync(path.join(home, 'backups', '20261123T023000Z'), { recursive: true })
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual([manifest.id])
  })

  it('keeps the newest N backups', async () => {
    await createBackup(wh, pathsUnder(home), new Date('2026-11-24T02:30:00Z'))
    await createBackup(wh, pathsUnder(home), new Date('2026-11-25T02:30:00Z'))
    expect(pruneBackups(pathsUnder(home).backups, 2)).toEqual([manifest.id])
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual(['20261125T023000Z', '20261124T023000Z'])
  })

  it('backs up on schedule to both places, keeping the newest N of each', async () => {
    const elsewhere = tempDir('kho-backup-copies-')
    const config = { paths: pathsUnder(home), backup: { cron: '30 2 * * *', keep: 2, copyDir: elsewhere, key: 'khoa-sao-luu-cua-tinh-2026' } }
    for (const day of ['2026-11-26', '2026-11-27', '2026-11-28']) await backUpNow(wh, config, new Date(`${day}T02:30:00Z`))
    expect(listCopies(elsewhere)).toEqual(['20261128T023000Z.kho-backup', '20261127T023000Z.kho-backup'])
    expect(listBackups(pathsUnder(home).backups).map((b) => b.id)).toEqual(['20261128T023000Z', '20261127T023000Z'])
  })
})
