import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { OFFSITE_EXT, unpackCopy } from '../../backup/offsite.ts'
import { listBackups, restoreHome, type BackupManifest } from '../../backup/backup.ts'
import { Keyring } from '../../../keys/keyring.ts'
import { readServiceFile } from '../../service/service-file.ts'
import { withClient } from '../client.ts'
import { fmt, UsageError, viaText, type CommandRun } from '../command-kit.ts'

/** kho backup … (see HELP in main.ts) */
export async function backupCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const action = positionals[1]
  if (action === 'list') {
    const list = listBackups(config.paths.backups)
    out(list, () => list.forEach((b) => console.log(`${b.id}\t${b.tables.length} bảng\t${fmt.format(b.bytes)} byte\t${b.archive_files} tệp gốc`)))
    return 0
  }
  if (action === 'create') {
    const m = await withClient(config, (client) => client.call<BackupManifest>('POST', '/api/admin/backups'))
    out(m, () => console.log(`Đã sao lưu ${m.id}: ${m.tables.length} bảng, ${fmt.format(m.bytes)} byte, ${m.archive_files} tệp gốc (${viaText(m.via)})`))
    return 0
  }
  const id = positionals[2]
  if (action === 'restore' && id && values.home) {
    const target = path.resolve(values.home)
    if (readServiceFile(target)) throw new UsageError(`Dịch vụ đang chạy trên ${target}; khôi phục vào thư mục mới / the service runs on ${target}`)
    // A copy kept elsewhere (one file, maybe encrypted) is opened and checked whole before anything is restored.
    const unpacked = id.endsWith(OFFSITE_EXT) ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kho-restore-')), 'backup') : null
    if (unpacked) await unpackCopy(path.resolve(id), unpacked, config.backup.key)
    try {
      const r = await restoreHome(unpacked ?? path.join(config.paths.backups, id), target, Keyring.open(config.paths.keys))
      out(r, () => console.log(`Đã khôi phục ${r.id} vào ${target}: ${r.tables.length} bảng khớp số dòng và tổng kiểm, ${r.archive_files} tệp gốc`))
    } finally {
      if (unpacked) fs.rmSync(path.dirname(unpacked), { recursive: true, force: true })
    }
    return 0
  }
  throw new UsageError('Cách dùng: kho backup create | kho backup list | kho backup restore <mã | tệp .kho-backup> --home <thư mục mới>')
}
