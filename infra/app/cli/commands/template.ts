import fs from 'node:fs'
import path from 'node:path'
import { loadCatalog } from '../../../catalog/load-catalog.ts'
import { datasetTemplate } from '../../../../loaders/template.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'

/** kho template … (see HELP in main.ts) */
export async function templateCommand(run: CommandRun): Promise<number> {
  const { values, positionals, out } = run
  const id = positionals[1]
  if (!id || !values.out) throw new UsageError('Cách dùng: kho template <dataset> --out <tệp.xlsx>')
  const catalog = loadCatalog()
  const dataset = catalog.dataset(id)
  if (!dataset) throw new UsageError(`Không có bộ dữ liệu "${id}"; có: ${catalog.datasets.map((d) => d.id).join(', ')}`)
  fs.writeFileSync(values.out, await datasetTemplate(catalog, dataset))
  out({ dataset: id, file: path.resolve(values.out) }, () => console.log(`Đã tạo mẫu ${values.out} cho bộ dữ liệu ${dataset.name}`))
  return 0
}
