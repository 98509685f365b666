import type { Column, Dataset } from '../../infra/catalog/schema.ts'
import { enumCodeSql } from '../../infra/warehouse/parse-sql.ts'
import type { Model } from './model.ts'

/**
 * The std model of a catalogue dataset that no hand-written staging model reads: std.ds_<id>,
 * typed and standardised column by column from its entry, the latest record of each natural key
 * winning. What a hand-written model does for dan_cu or doanh_nghiep, written by kho for every
 * other dataset, so registering a dataset needs no SQL. A hand-written staging model that reads
 * the dataset's source replaces it.
 */
export const generatedModelName = (dataset: string) => `ds_${dataset}`

/** A column's value standardised by its type and identifier kind, as the hand-written models do. */
function columnSql(c: Column): string {
  // Qualified, so the raw column is read and not the standardised alias of the same name.
  const v = `source.${c.id}`
  if (c.identifier === 'cccd') return `replaceRegexpAll(${v}, '[\\\\s.]', '')`
  if (c.identifier === 'enterprise_code') {
    // 13 digits are a branch written without its dash: 0100047516001 → 0100047516-001.
    const code = `replaceRegexpAll(${v}, '\\\\s', '')`
    return `if(match(${code}, '^[0-9]{13}$'), concat(substring(${code}, 1, 10), '-', substring(${code}, 11, 3)), ${code})`
  }
  if (c.identifier) return `trimBoth(${v})`
  switch (c.type) {
    case 'date':
      return `{{ parse_date(${v}) }}`
    case 'datetime':
      return `{{ parse_datetime(${v}) }}`
    case 'integer':
    case 'decimal':
      return `{{ parse_number(${v}) }}`
    case 'boolean':
      return `{{ parse_bool(${v}) }}`
    case 'period':
      return `upperUTF8(trimBoth(${v}))`
    case 'string':
      return c.enum ? enumCodeSql(c, v) : `trimBoth(replaceRegexpAll(normalizeUTF8NFC(${v}), '\\\\s+', ' '))`
  }
}

/** Columns the model keeps as text (never NULL): identifiers, strings and periods. */
const isText = (c: Column) => !!c.identifier || c.type === 'string' || c.type === 'period'

export function datasetModelSql(d: Dataset): string {
  const communes = d.columns.filter((c) => c.identifier === 'commune_code')
  const changed = d.changed_on ? `ifNull(cleaned.${d.changed_on}, toDate32('1900-01-01'))` : "toDate32('1900-01-01')"
  const lines = [
    // Only the id (snake_case) goes into the SQL: names and labels are officers' free text.
    `-- Generated from the catalogue entry of ${d.id}.`,
    `with source as (select * from {{ source('${d.id}') }}),`,
    'cleaned as (',
    '    select',
    // A natural key is the table's sorting key, which ClickHouse will not have nullable; the loader
    // has refused rows without it, so assumeNotNull only changes the type.
    ...d.columns.map((c) => {
      const sql = d.natural_key.includes(c.id) && !isText(c) ? `assumeNotNull(${columnSql(c)})` : columnSql(c)
      return `        ${sql} as ${communes.includes(c) ? `${c.id}_delivered` : c.id},`
    }),
    '        _load_id, _agency, _source, _row, _loaded_at',
    '    from source',
    ')',
    'select',
    `    cleaned.*${communes.length ? ` except (${communes.map((c) => `${c.id}_delivered`).join(', ')})` : ''},`,
    // Pre-2025 commune codes to the unit each now belongs to.
    ...communes.map((c) => `    if(cw_${c.id}.new_code != '', cw_${c.id}.new_code, ${c.id}_delivered) as ${c.id},`),
    `    toUInt64(toInt64(${changed}) + 100000) * 10000000000000 + toUInt64(toUnixTimestamp64Milli(_loaded_at)) as _version`,
    'from cleaned',
    ...communes.map((c) => `left join {{ ref('commune_map') }} as cw_${c.id} on cw_${c.id}.old_code = cleaned.${c.id}_delivered`),
  ]
  return lines.join('\n')
}

/** std.indicator_computed: what datasets' rows compute of the KT-XH indicators (their `computes`), by commune and month. */
export const COMPUTED_INDICATORS_MODEL = 'indicator_computed'

/**
 * One select per declaration, each from its dataset's generated std model (only ids, indicator codes
 * and column ids, all checked names, go into the SQL); with none, an empty table of the same shape,
 * so marts.fct_indicator_check can always read it.
 */
export function computedIndicatorsSql(datasets: readonly Dataset[]): string {
  const parts = datasets.flatMap((d) =>
    d.computes.map(
      (c) => `select '${c.indicator}' as indicator_code, formatDateTime(${c.date}, '%Y-%m') as period, ${c.commune} as unit_code,
       toFloat64(${c.value === 'count' ? 'count()' : `sum(ifNull(${c.column}, 0))`}) as value, '${d.id}' as basis
from {{ ref('${generatedModelName(d.id)}') }} final
where ${c.date} is not null and ${c.commune} != ''
group by period, unit_code`,
    ),
  )
  const empty = "select '' as indicator_code, '' as period, '' as unit_code, toFloat64(0) as value, '' as basis where 0"
  return ['-- Generated from the catalogue entries\' computes.', parts.length ? parts.join('\nunion all\n') : empty].join('\n')
}

/** The hand-written models with a generated std model for every dataset no hand-written staging model reads. */
export function withGeneratedModels(handWritten: ReadonlyMap<string, Model>, datasets: readonly Dataset[]): Map<string, Model> {
  const read = new Set([...handWritten.values()].filter((m) => m.database === 'std').flatMap((m) => m.sources))
  const models = new Map(handWritten)
  for (const d of datasets) {
    if (read.has(d.id)) continue
    const sql = datasetModelSql(d)
    const name = generatedModelName(d.id)
    models.set(name, {
      name,
      database: 'std',
      file: `loaders/datasets/${d.id}.yaml (generated)`,
      sql,
      config: { materialized: 'incremental', unique_key: d.natural_key, version: '_version', tags: [d.id, 'generated', ...(d.personal_data ? ['personal'] : [])] },
      refs: d.columns.some((c) => c.identifier === 'commune_code') ? ['commune_map'] : [],
      sources: [d.id],
      description: d.description,
      columns: d.columns.map((c) => ({ name: c.id, description: c.label, tests: [] })),
      modelTests: [],
    })
  }
  // Made for the project that reads it (marts.fct_indicator_check); only datasets with a generated
  // std model compute (a hand-written one names its columns its own way).
  if (![...handWritten.values()].some((m) => m.refs.includes(COMPUTED_INDICATORS_MODEL))) return models
  const computing = datasets.filter((d) => d.computes.length > 0 && models.has(generatedModelName(d.id)))
  models.set(COMPUTED_INDICATORS_MODEL, {
    name: COMPUTED_INDICATORS_MODEL,
    database: 'std',
    file: 'catalogue entries: computes (generated)',
    sql: computedIndicatorsSql(computing),
    config: { materialized: 'table', tags: ['generated', 'reconciliation'] },
    refs: computing.map((d) => generatedModelName(d.id)),
    sources: [],
    description: 'KT-XH indicators computed from the rows of datasets that declare them, by commune and month',
    columns: [],
    modelTests: [],
  })
  return models
}
