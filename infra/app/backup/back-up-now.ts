import path from 'node:path'
import type { KhoConfig } from '../../config.ts'
import type { Warehouse } from '../../warehouse/client.ts'
import { createBackup, pruneBackups, type BackupManifest } from './backup.ts'
import { copyBackupElsewhere, pruneCopies } from './offsite.ts'
import * as clock from '../../time/clock.ts'

/**
 * One backup as the schedule and `kho backup create` make it: written beside the warehouse, the
 * oldest beyond `keep` removed, and — when a second place is configured — copied there as one
 * (encrypted) file, kept to the same number.
 */
export async function backUpNow(wh: Warehouse, config: Pick<KhoConfig, 'paths' | 'backup'>, at = clock.now()): Promise<BackupManifest & { pruned: string[]; copy: string | null }> {
  const manifest = await createBackup(wh, config.paths, at)
  let copy: string | null = null
  if (config.backup.copyDir) {
    copy = await copyBackupElsewhere(path.join(config.paths.backups, manifest.id), config.backup.copyDir, config.backup.key)
    pruneCopies(config.backup.copyDir, config.backup.keep)
  }
  return { ...manifest, pruned: pruneBackups(config.paths.backups, config.backup.keep), copy }
}
