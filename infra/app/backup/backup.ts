import fs from 'node:fs'
import path from 'node:path'
import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import { quoteIdent } from '../../warehouse/sql.ts'
import type { KhoPaths } from '../../config.ts'
import * as clock from '../../time/clock.ts'

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
  /** Data file in the backup folder (Native, zstd); null for views. */
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

/**
 * A full backup of the embedded warehouse under <paths.backups>/<id>/: every table's rows (Native,
 * zstd) with its CREATE statement, row count and checksum, and the archive of delivered files
 * (hard links: content-addressed files never change). The manifest is written last, so a backup
 * interrupted half-way is never listed or restored.
 */
export async function createBackup(wh: Warehouse, paths: Pick<KhoPaths, 'backups' | 'archive' | 'attachments'>, now = clock.now()): Promise<BackupManifest> {
  if (wh.engine !== 'chdb') {
    throw new BackupError('kho backup sao lưu kho nhúng; với máy chủ ClickHouse hãy dùng BACKUP … TO Disk của máy chủ / use the server\'s BACKUP for a ClickHouse server')
  }
  const id = stamp(now)
  const dir = path.join(paths.backups, id)
  if (fs.existsSync(dir)) throw new BackupError(`Bản sao lưu ${id} đã có / backup ${id} exists`)
  fs.mkdirSync(dir, { recursive: true })
  const tables: TableBackup[] = []
  for (const t of await layerTables(wh)) {
    const view = t.engine === 'View' || t.engine === 'MaterializedView'
    const file = view ? null : `${t.database}.${t.name}.native.zst`
    let sums = { rows: 0, checksum: '' }
    let structure = ''
    if (file) {
      await wh.client.command({
        query: `INSERT INTO FUNCTION file({path:String}, 'Native') SELECT * FROM ${quoteIdent(t.database)}.${quoteIdent(t.name)}`,
        query_params: { path: path.join(dir, file) },
      })
      // Summed from the file written, so a background merge meanwhile cannot make the two disagree.
      structure = await structureOf(wh, t.database, t.name)
      sums = await tableChecksum(wh, t.database, t.name, { path: path.join(dir, file), structure })
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
  const manifest: BackupManifest = { id, created_at: now.toISOString(), schema_version: Number(schema?.v ?? 0), tables, archive_files: archiveFiles, attachment_files: attachmentFiles, bytes }
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2))
  return manifest
}

/** Complete backups (with a manifest), newest first. */
export function listBackups(backupsDir: string): BackupManifest[] {
  const root = backupsDir
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root)
    .filter((id) => fs.existsSync(path.join(root, id, MANIFEST)))
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
export async function restoreBackup(wh: Warehouse, backupDir: string, files?: { archive: string; attachments: string }): Promise<RestoreResult> {
  const manifestFile = path.join(backupDir, MANIFEST)
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${backupDir} không phải bản sao lưu đầy đủ (thiếu ${MANIFEST}) / not a complete backup`)
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest
  const existing = await layerTables(wh)
  if (existing.length > 0) throw new BackupError(`Kho đích đã có ${existing.length} bảng; chỉ khôi phục vào thư mục dữ liệu mới / the target warehouse is not empty; restore into a fresh data directory`)
  for (const db of LAYERS) await wh.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` })
  const ordered = [...manifest.tables.filter((t) => t.file), ...manifest.tables.filter((t) => !t.file)]
  for (const t of ordered) {
    await wh.client.command({ query: t.create })
    if (t.file) {
      await wh.client.command({
        query: `INSERT INTO ${quoteIdent(t.database)}.${quoteIdent(t.name)} SELECT * FROM file({path:String}, 'Native', {structure:String})`,
        query_params: { path: path.join(backupDir, t.file), structure: t.structure },
        // Rows exactly as they were: a Replacing table must not collapse versions on the way in.
        clickhouse_settings: { optimize_on_insert: 0 },
      })
    }
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
