import { booleanSql, dateSql, dateTimeSql, enumCodeSql, enumLabelSql, numberSql } from '../../infra/warehouse/parse-sql.ts'
import { quoteIdent } from '../../infra/warehouse/sql.ts'
import { acceptedRowsSql } from '../../infra/warehouse/raw-rows.ts'
import type { Model, Project } from '../project/project.ts'
import * as clock from '../../infra/time/clock.ts'

/** A model's SQL made runnable: its table's name, its macros and refs expanded, kho's day written in. */

export const tableName = (m: Pick<Model, 'database' | 'name'>, suffix = '') => `${m.database}.${quoteIdent(m.name + suffix)}`

/** Macros a model may use, so std parses values exactly as the loaders checked them. */
const MACROS: Record<string, (arg: string) => string> = {
  parse_date: dateSql,
  parse_datetime: (v) => dateTimeSql(v),
  parse_number: numberSql,
  parse_bool: booleanSql,
}

/**
 * A model's SQL with its macros expanded: ref('m') → the model's table (or the table `readFrom`
 * gives for it), source('d') → the committed rows of raw.d (or of given loads only), var('name')
 * → a project variable, the
 * parse_* macros → the shared parsing expressions, enum_code('dataset.column', x) → the code a
 * cell names by its code or its label, and enum_label('dataset.column', code) → the code's label.
 */
export function compileModel(model: Model, project: Project, loads: Map<string, string[]> | null = null, readFrom: ReadonlyMap<string, string> = new Map()): string {
  return model.sql
    .replace(/\{\{\s*ref\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g, (_m, name: string) => readFrom.get(name) ?? tableName(project.models.get(name)!))
    .replace(/\{\{\s*source\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g, (_m, dataset: string) => acceptedRowsSql(dataset, loads?.get(dataset) ?? null))
    .replace(/\{\{\s*var\(\s*'([a-z0-9_]+)'\s*\)\s*\}\}/g, (_m, name: string) => {
      const value = project.vars[name]
      if (value === undefined) throw new Error(`${model.name}: var('${name}') is not defined`)
      return `'${value.replace(/'/g, "\\'")}'`
    })
    .replace(/\{\{\s*enum_(code|label)\(\s*'([a-z0-9_]+)\.([a-z0-9_]+)'\s*,\s*([^{}]*?)\s*\)\s*\}\}/g, (_m, kind: string, dataset: string, column: string, arg: string) => {
      const c = project.datasets.find((d) => d.id === dataset)?.columns.find((x) => x.id === column)
      if (!c?.enum) throw new Error(`${model.name}: enum_${kind}('${dataset}.${column}') names no enumerated column of the catalogue`)
      return kind === 'code' ? enumCodeSql(c, arg) : enumLabelSql(c, arg)
    })
    // kho's day (infra/time/clock.ts), never the engine's: a deadline is decided by one clock.
    .replace(/\{\{\s*today\(\s*\)\s*\}\}/g, () => `toDate('${clock.today()}')`)
    .replace(/\{\{\s*(parse_[a-z]+)\(\s*([^{}]*?)\s*\)\s*\}\}/g, (_m, macro: string, arg: string) => {
      const expand = MACROS[macro]
      if (!expand) throw new Error(`${model.name}: unknown macro ${macro}`)
      return expand(arg)
    })
}

/** A table's columns in order, as the engine has them. */
