import fs from 'node:fs'
import path from 'node:path'
import type { KhoPaths } from '../../config.ts'
import type { Keyring } from '../../keys/keyring.ts'
import { resealFolder, sealedWith } from '../../files/sealed-file.ts'
import { resealBackups } from '../backup/backup.ts'

export interface SealedAtRest {
  archive: number
  attachments: number
  backups: number
}

/**
 * Seals what kho keeps on disk and is still clear — delivered files, attachments, backups written
 * before encryption — and, with `rekey`, re-seals what an older key sealed (after `kho keys rotate`).
 * Run at every start (clear files only, once: afterwards a header read per file) and by `kho keys
 * reseal`. The warehouse's own parts move onto its encrypted disk at start (warehouse/client.ts).
 */
export async function sealAtRest(paths: Pick<KhoPaths, 'archive' | 'attachments' | 'backups'>, keys: Keyring, opts: { rekey: boolean }): Promise<SealedAtRest> {
  return {
    archive: (await resealFolder(paths.archive, keys, opts)).sealed,
    attachments: (await resealFolder(paths.attachments, keys, opts)).sealed,
    backups: await resealBackups(paths.backups, keys, opts),
  }
}

/** How many kept files each key seals ('clear' for none), across the archive, attachments and backups. */
export function keyUse(paths: Pick<KhoPaths, 'archive' | 'attachments' | 'backups'>): Record<string, number> {
  const use: Record<string, number> = {}
  for (const dir of [paths.archive, paths.attachments, paths.backups]) {
    if (!fs.existsSync(dir)) continue
    for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
      const file = path.join(dir, rel)
      if (path.basename(rel).startsWith('.') || path.basename(rel) === 'manifest.json' || !fs.statSync(file).isFile()) continue
      const by = String(sealedWith(file) ?? 'clear')
      use[by] = (use[by] ?? 0) + 1
    }
  }
  return use
}
