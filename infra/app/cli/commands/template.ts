import fs from 'node:fs'
import path from 'node:path'
import { withClient } from '../client.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'

/**
 * kho template … (see HELP in main.ts): the workbook the service serves at
 * /api/datasets/<id>/template.xlsx, so a dataset registered in the product has one too.
 */
export async function templateCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const id = positionals[1]
  if (!id || !values.out) throw new UsageError('Cách dùng: kho template <dataset> --out <tệp.xlsx>')
  const file = values.out
  const r = await withClient(config, async (client) => {
    fs.writeFileSync(file, await client.download(`/api/datasets/${encodeURIComponent(id)}/template.xlsx`))
    return { dataset: id, file: path.resolve(file) }
  })
  out(r, () => console.log(`Đã tạo mẫu ${file} cho bộ dữ liệu ${id}`))
  return 0
}
