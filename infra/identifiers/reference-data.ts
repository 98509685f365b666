import fs from 'node:fs'

/** Reads a tab-separated file from infra/reference (header row first) into objects. */
export function readReferenceTsv<K extends string>(fileName: string): Record<K, string>[] {
  const text = fs.readFileSync(new URL(`../reference/${fileName}`, import.meta.url), 'utf8')
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0)
  const keys = header!.split('\t') as K[]
  return lines.map((line) => {
    const cells = line.split('\t')
    return Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? ''])) as Record<K, string>
  })
}
