import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openWarehouse, queryRows, type Warehouse } from '../../warehouse/client.ts'
import { quoteIdent } from '../../warehouse/sql.ts'
import { pathsUnder, type KhoPaths } from '../../config.ts'
import * as clock from '../../time/clock.ts'
import { Keyring } from '../../keys/keyring.ts'
import { resealFolder, sealInto, writeKept } from '../../files/sealed-file.ts'

const LAYERS = ['raw', 'std', 'marts', 'meta'] as const

export interface TableBackup {
  database: string
  name: string
  engine: string
  /** The table's own CREATE statement, replayed on restore. */
  create: string
  /** Its columns, to read the data file back (an empty table's file has no header to infer them from). */
  structure: string
  rows: number
  /** Order-independent: XOR of every row's cityHash64. */
  checksum: string
  /** Data file in the backup folder (Native, zstd; sealed when the manifest says so); null for views. */
  file: string | null
}

export interface BackupManifest {
  id: string
  created_at: string
  schema_version: number
  tables: TableBackup[]
  archive_files: number
  /** Attached documents copied (absent in backups made before attachments existed). */
  attachment_files?: number
  bytes: number
  /** The data files are sealed with the keyring's keys (absent in backups made before encryption). */
  sealed?: boolean
}

const MANIFEST = 'manifest.json'

export class BackupError extends Error {}

/** Tables and views of the four layers, without the loaders' temporary stage tables. */
async function layerTables(wh: Warehouse) {
  return queryRows<{ database: string; name: string; engine: string; create: string }>(
    wh.client,
    `SELECT database, name, engine, create_table_query AS create FROM system.tables
     WHERE database IN ('raw', 'std', 'marts', 'meta') AND NOT name LIKE '%\\_\\_%' AND NOT is_temporary
     ORDER BY database, name`,
  )
}

/** A table's columns as a structure string for file() ("`a` String, `b` UInt32"). */
async function structureOf(wh: Warehouse, database: string, name: string): Promise<string> {
  const [r] = await queryRows<{ s: string }>(
    wh.client,
    `SELECT arrayStringConcat(arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((position, concat('\`', replaceAll(name, '\`', '\\\`'), '\` ', type))))), ', ') AS s
     FROM system.columns WHERE database = {db:String} AND table = {t:String}`,
    { db: database, t: name },
  )
  return r!.s
}

/** Row count and checksum of a table, or of a backup's data file (`file`, read with `structure`). */
export async function tableChecksum(wh: Warehouse, database: string, name: string, file?: { path: string; structure: string }): Promise<{ rows: number; checksum: string }> {
  const from = file ? `file({path:String}, 'Native', {structure:String})` : `${quoteIdent(database)}.${quoteIdent(name)}`
  const [r] = await queryRows<{ rows: number; checksum: string }>(
    wh.client,
    `SELECT count() AS rows, toString(groupBitXor(cityHash64(*))) AS checksum FROM ${from}`,
    { path: file?.path ?? '', structure: file?.structure ?? '' },
  )
  return { rows: Number(r!.rows), checksum: r!.checksum }
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')

/**
 * Copies every file under `from` to the same place under `to`; with `link`, as hard links where the
 * file system allows (the archive is content-addressed: its files never change). Returns the count.
 */
function copyFiles(from: string, to: string, link: boolean): number {
  if (!fs.existsSync(from)) return 0
  let n = 0
  for (const rel of fs.readdirSync(from, { recursive: true }).map(String)) {
    const source = path.join(from, rel)
    if (!fs.statSync(source).isFile()) continue
    const target = path.join(to, rel)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    n++
    if (link) {
      try {
        fs.linkSync(source, target)
        continue
      } catch {
        // Another file system: copy instead.
      }
    }
    fs.copyFileSync(source, target)
  }
  return n
}

/** A backup being written: a hidden folder, renamed to its id only when whole. */
const unfinished = (backupsDir: string, id: string) => path.join(backupsDir, `.${id}.partial`)

/**
 * Removes what a backup stopped half-way (a kill, a full disk) left behind; run when the service
 * starts, before any backup can be under way. Returns the folders removed.
 */
export function removeUnfinishedBackups(backupsDir: string): string[] {
  if (!fs.existsSync(backupsDir)) return []
  const left = fs.readdirSync(backupsDir).filter((f) => f.startsWith('.') && f.endsWith('.partial'))
  for (const f of left) fs.rmSync(path.join(backupsDir, f), { recursive: true, force: true })
  return left
}

/**
 * A full backup of the embedded warehouse under <paths.backups>/<id>/: every table's rows (Native,
 * zstd, sealed with the keyring's current key) with its CREATE statement, row count and checksum,
 * and the archive of delivered files and the attachments (hard links: they are sealed already, and
 * content-addressed files never change). Each table is written by the engine, summed, then sealed
 * and its clear file removed before the next, inside a folder only kho's user can read; the folder
 * gets its id (and is listed) only when the manifest is in it, so a backup stopped half-way is
 * never listed or restored, and the next start removes it.
 */
export async function createBackup(wh: Warehouse, paths: Pick<KhoPaths, 'backups' | 'archive' | 'attachments' | 'keys'>, now = clock.now()): Promise<BackupManifest> {
  if (wh.engine !== 'chdb') {
    throw new BackupError('kho backup sao lưu kho nhúng; với máy chủ ClickHouse hãy dùng BACKUP … TO Disk của máy chủ / use the server\'s BACKUP for a ClickHouse server')
  }
  const id = stamp(now)
  const final = path.join(paths.backups, id)
  if (fs.existsSync(final)) throw new BackupError(`Bản sao lưu ${id} đã có / backup ${id} exists`)
  const keys = Keyring.open(paths.keys)
  const dir = unfinished(paths.backups, id)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  try {
    const manifest = await writeBackup(wh, paths, keys, dir, id, now)
    fs.renameSync(dir, final)
    return manifest
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

async function writeBackup(wh: Warehouse, paths: Pick<KhoPaths, 'archive' | 'attachments'>, keys: Keyring, dir: string, id: string, now: Date): Promise<BackupManifest> {
  const tables: TableBackup[] = []
  for (const t of await layerTables(wh)) {
    const view = t.engine === 'View' || t.engine === 'MaterializedView'
    const file = view ? null : `${t.database}.${t.name}.native.zst`
    let sums = { rows: 0, checksum: '' }
    let structure = ''
    if (file) {
      const clear = path.join(dir, `clear-${file}`)
      await wh.client.command({
        query: `INSERT INTO FUNCTION file({path:String}, 'Native') SELECT * FROM ${quoteIdent(t.database)}.${quoteIdent(t.name)}`,
        query_params: { path: clear },
      })
      // Summed from the file written, so a background merge meanwhile cannot make the two disagree.
      structure = await structureOf(wh, t.database, t.name)
      sums = await tableChecksum(wh, t.database, t.name, { path: clear, structure })
      await sealInto(clear, path.join(dir, file), keys)
      fs.rmSync(clear)
    }
    tables.push({ database: t.database, name: t.name, engine: t.engine, create: t.create, structure, ...sums, file })
  }
  const [schema] = await queryRows<{ v: number }>(wh.client, 'SELECT max(version) AS v FROM meta.schema_migrations')
  const archiveFiles = copyFiles(paths.archive, path.join(dir, 'archive'), true)
  // Documents attached to deliveries and catalogue entries: content-addressed too.
  const attachmentFiles = copyFiles(paths.attachments, path.join(dir, 'attachments'), true)
  const bytes = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.zst'))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
  const manifest: BackupManifest = { id, created_at: now.toISOString(), schema_version: Number(schema?.v ?? 0), tables, archive_files: archiveFiles, attachment_files: attachmentFiles, bytes, sealed: true }
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2))
  return manifest
}

/** Complete backups (with a manifest), newest first. */
export function listBackups(backupsDir: string): BackupManifest[] {
  const root = backupsDir
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root)
    .filter((id) => !id.startsWith('.') && fs.existsSync(path.join(root, id, MANIFEST)))
    .map((id) => JSON.parse(fs.readFileSync(path.join(root, id, MANIFEST), 'utf8')) as BackupManifest)
    .sort((a, b) => b.id.localeCompare(a.id))
}

/** Keeps the newest `keep` complete backups (and any unfinished newer one); deletes the rest. */
export function pruneBackups(backupsDir: string, keep: number): string[] {
  const removed = listBackups(backupsDir)
    .slice(keep)
    .map((m) => m.id)
  for (const id of removed) fs.rmSync(path.join(backupsDir, id), { recursive: true, force: true })
  return removed
}

export interface RestoreResult {
  id: string
  tables: { table: string; rows: number; checksum: string; ok: boolean }[]
  archive_files: number
  attachment_files: number
}

/**
 * Restores a backup into an empty warehouse (a fresh data directory): tables from their CREATE
 * statements, rows from the data files, views last; then every table's count and checksum is
 * compared with the manifest. The archive and the attachments go to the given folders.
 */
export async function restoreBackup(wh: Warehouse, backupDir: string, keys: Keyring, files?: { archive: string; attachments: string }): Promise<RestoreResult> {
  const manifestFile = path.join(backupDir, MANIFEST)
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${backupDir} không phải bản sao lưu đầy đủ (thiếu ${MANIFEST}) / not a complete backup`)
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest
  const existing = await layerTables(wh)
  if (existing.length > 0) throw new BackupError(`Kho đích đã có ${existing.length} bảng; chỉ khôi phục vào thư mục dữ liệu mới / the target warehouse is not empty; restore into a fresh data directory`)
  for (const db of LAYERS) await wh.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` })
  const ordered = [...manifest.tables.filter((t) => t.file), ...manifest.tables.filter((t) => !t.file)]
  // A sealed table file is opened into a folder only kho's user can read, one table at a time,
  // and removed as soon as its rows are in.
  const opened = fs.mkdtempSync(path.join(os.tmpdir(), 'kho-restore-'))
  try {
    for (const t of ordered) {
      await wh.client.command({ query: t.create })
      if (t.file) {
        const file = manifest.sealed ? path.join(opened, t.file) : path.join(backupDir, t.file)
        if (manifest.sealed) await writeKept(path.join(backupDir, t.file), file, keys)
        await wh.client.command({
          query: `INSERT INTO ${quoteIdent(t.database)}.${quoteIdent(t.name)} SELECT * FROM file({path:String}, 'Native', {structure:String})`,
          query_params: { path: file, structure: t.structure },
          // Rows exactly as they were: a Replacing table must not collapse versions on the way in.
          clickhouse_settings: { optimize_on_insert: 0 },
        })
        if (manifest.sealed) fs.rmSync(file)
      }
    }
  } finally {
    fs.rmSync(opened, { recursive: true, force: true })
  }
  const tables: RestoreResult['tables'] = []
  for (const t of manifest.tables.filter((x) => x.file)) {
    const now = await tableChecksum(wh, t.database, t.name)
    tables.push({ table: `${t.database}.${t.name}`, ...now, ok: now.rows === t.rows && now.checksum === t.checksum })
  }
  const archiveFiles = files ? copyFiles(path.join(backupDir, 'archive'), files.archive, false) : 0
  const attachmentFiles = files ? copyFiles(path.join(backupDir, 'attachments'), files.attachments, false) : 0
  const bad = tables.filter((t) => !t.ok)
  if (bad.length > 0) throw new BackupError(`Khôi phục không khớp ở ${bad.map((t) => t.table).join(', ')} / restored tables differ from the backup`)
  return { id: manifest.id, tables, archive_files: archiveFiles, attachment_files: attachmentFiles }
}

/** Left in a home while a restore writes it; a home holding it is not opened (bootstrap.ts). */
export const RESTORING = 'RESTORING'

/** Whether a home holds a restore that never finished (killed, or failed half-way). */
export const unfinishedRestore = (home: string): boolean => fs.existsSync(path.join(home, RESTORING))

/**
 * Restores a backup into a new home, whole or not at all: the home is marked while the restore
 * writes it, and kho will not open a marked home; a restore into a marked home (one stopped
 * half-way) starts again from nothing. The keyring that sealed the backup comes along into the
 * home's keys folder, so the restored archive, attachments and disk open with it.
 */
export async function restoreHome(backupDir: string, target: string, keys: Keyring): Promise<RestoreResult> {
  const paths = pathsUnder(target)
  const marker = path.join(target, RESTORING)
  const warehouseDir = path.join(target, 'warehouse')
  if (fs.existsSync(marker)) for (const d of [warehouseDir, paths.archive, paths.attachments]) fs.rmSync(d, { recursive: true, force: true })
  fs.mkdirSync(target, { recursive: true })
  fs.writeFileSync(marker, `${backupDir}\n`)
  if (!fs.existsSync(path.join(paths.keys, 'keyring.json'))) {
    fs.mkdirSync(paths.keys, { recursive: true, mode: 0o700 })
    fs.copyFileSync(keys.file, path.join(paths.keys, 'keyring.json'))
  }
  const wh = openWarehouse({ kind: 'chdb', dataDir: warehouseDir, keysDir: paths.keys })
  let result: RestoreResult
  try {
    result = await restoreBackup(wh, backupDir, keys, paths)
  } finally {
    await wh.close()
  }
  fs.rmSync(marker)
  return result
}

/**
 * Seals the table files of every backup made before encryption (and, with `rekey`, re-seals those
 * sealed under an older key), marking each manifest sealed; a backup's archive and attachments are
 * resealed with the archive's own folders. Returns the files sealed.
 */
export async function resealBackups(backupsDir: string, keys: Keyring, opts: { rekey: boolean }): Promise<number> {
  let sealed = 0
  for (const m of listBackups(backupsDir)) {
    const dir = path.join(backupsDir, m.id)
    sealed += (await resealFolder(dir, keys, { ...opts, only: (rel) => rel !== MANIFEST })).sealed
    if (!m.sealed) fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ ...m, sealed: true }, null, 2))
  }
  return sealed
}
