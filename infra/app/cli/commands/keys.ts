import { Keyring } from '../../../keys/keyring.ts'
import { keyUse, sealAtRest } from '../../keys/seal-at-rest.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'

/** kho keys … (see HELP in main.ts): works on the keys folder and the kept files directly. */
export async function keysCommand(run: CommandRun): Promise<number> {
  const { config, positionals, out } = run
  const keys = Keyring.open(config.paths.keys)
  const action = positionals[1]
  if (action === 'list') {
    const use = keyUse(config.paths)
    const list = { current: keys.current().id, keys: keys.ids().map((id) => ({ id, files: use[String(id)] ?? 0 })), clear: use.clear ?? 0 }
    out(list, () => {
      for (const k of list.keys) console.log(`khóa ${k.id}${k.id === list.current ? ' (hiện hành)' : ''}\t${k.files} tệp`)
      if (list.clear > 0) console.log(`chưa mã hóa\t${list.clear} tệp`)
    })
    return 0
  }
  if (action === 'rotate') {
    const id = keys.rotate()
    out({ current: id }, () =>
      console.log(
        `Khóa ${id} là khóa hiện hành: tệp mới được mã hóa bằng khóa này; tệp cũ vẫn mở được bằng khóa của chúng. ` +
          `Chạy "kho keys reseal" để mã hóa lại tệp cũ; khởi động lại dịch vụ để kho dữ liệu ghi bằng khóa mới.`,
      ),
    )
    return 0
  }
  if (action === 'reseal') {
    const r = await sealAtRest(config.paths, keys, { rekey: true })
    out(r, () => console.log(`Đã mã hóa lại bằng khóa ${keys.current().id}: ${r.archive} tệp gốc, ${r.attachments} tài liệu, ${r.backups} tệp sao lưu`))
    return 0
  }
  throw new UsageError('Cách dùng: kho keys list | kho keys rotate | kho keys reseal')
}
