import { stringify } from 'yaml'
import { enumLabelSql } from '../../infra/warehouse/parse-sql.ts'
import { DICTIONARY, type Column, type Dataset } from '../../infra/catalog/schema.ts'
import { hasHandWrittenView } from './view-access.ts'
import { generatedModelName } from '../../transforms/project/dataset-models.ts'

/**
 * The Cube cube and view of a catalogue dataset that has no hand-written view, generated from its
 * entry and compiled with the hand-written model: a count, distinct counts of its identifier
 * columns, sums and averages of its numeric columns, every column as a dimension (dates as time
 * dimensions), personal columns marked. Columns that are elements of the shared data dictionary
 * join the cube that holds the element (its `home`: a CCCD the population register, an enterprise
 * code the business register, a commune code the admin units), so datasets that share an element
 * can be read together.
 */

/** Where a column's element lives in the semantic layer: its dictionary element's home (by name, or by the identifier it checks). */
function homeOf(c: Column): { cube: string; key: string; includes: string[] } | undefined {
  const el = DICTIONARY.find((e) => (c.element ? e.id === c.element : c.identifier !== null && e.identifier === c.identifier))
  return el?.home
}

/**
 * Officers' free text (names, labels, descriptions) as Cube YAML may carry it: Cube's compiler reads
 * `{…}` in a string as an expression to evaluate and a backtick as the end of one, so braces,
 * backticks and backslashes are replaced — a title is never code.
 */
const plainText = (s: string) => s.replace(/\{/g, '(').replace(/\}/g, ')').replace(/`/g, "'").replace(/\\/g, '/')

const cubeType = (c: Column) => (c.type === 'date' || c.type === 'datetime' ? 'time' : c.type === 'integer' || c.type === 'decimal' ? 'number' : c.type === 'boolean' ? 'boolean' : 'string')

/** A whole-number column holding a year, by its label ("Năm rà soát", "Năm học"): grouped and filtered by, never summed. */
export const isYearColumn = (c: Column) => c.type === 'integer' && /^(năm|year)\b/i.test(c.label)

export const generatedCubeName = (dataset: string) => `ds_${dataset}`

/** One YAML file (cube and view) for a dataset; the view is named by the dataset's id. */
export function datasetCubeFile(d: Dataset, stdTable: string): { fileName: string; content: string } {
  const cube = generatedCubeName(d.id)
  // Numbers worth adding up: not a year ("Năm rà soát": a total of years means nothing).
  const numeric = d.columns.filter((c) => !c.identifier && (c.type === 'integer' || c.type === 'decimal') && !isYearColumn(c))
  const identifiers = d.columns.filter((c) => c.identifier && c.identifier !== 'commune_code')
  // One join per element home (the first column holding it).
  const joins = [
    ...new Map(
      d.columns.flatMap((c) => {
        const home = homeOf(c)
        return home ? [[home.cube, { column: c.id, home }] as const] : []
      }),
    ).values(),
  ]
  // English titles where the entry gives English names (Cube keeps them in `meta`; the dashboards read them).
  const en = (text: string | undefined) => (text ? { title_en: plainText(text) } : {})
  const withMeta = (meta: Record<string, unknown>) => (Object.keys(meta).length > 0 ? { meta } : {})
  const doc = {
    cubes: [
      {
        name: cube,
        sql: `SELECT * FROM ${stdTable} FINAL`,
        title: plainText(d.name),
        ...withMeta(en(d.name_en)),
        public: false,
        dimensions: [
          { name: 'row_key', sql: `concat(${d.natural_key.map((k) => `toString({CUBE}.${k})`).join(", '|', ")})`, type: 'string', primary_key: true },
          ...d.columns.map((c) => ({
            name: c.id,
            sql: c.id,
            type: cubeType(c),
            title: plainText(c.label),
            // A coded column's values with their names: pages show and pick the names, never the codes.
            ...withMeta({ ...en(c.label_en), ...(c.personal ? { personal: true } : {}), ...(c.enum_labels.length > 0 ? { values: c.enum_labels.map((l) => ({ value: l.value, label: plainText(l.label), ...(l.label_en ? { label_en: plainText(l.label_en) } : {}) })) } : {}) }),
          })),
          // Where a row came from, for traces (semantic/trace): hidden from pages, refused to the public.
          { name: 'load_id', sql: '_load_id', type: 'string', title: 'Lần nộp', meta: { title_en: 'Delivery', provenance: true } },
          { name: 'source_row', sql: '_row', type: 'number', title: 'Dòng trong tệp', meta: { title_en: 'Row in the file', provenance: true } },
          // An enumerated column's values as people read them: each code's label (the code where it has none).
          ...d.columns
            .filter((c) => c.enum && c.enum_labels.length > 0)
            .map((c) => ({
              name: `${c.id}_label`,
              // Labels are officers' free text: made plain as titles are, then written as SQL text.
              sql: enumLabelSql({ ...c, enum_labels: c.enum_labels.map((l) => ({ ...l, label: plainText(l.label) })) }, c.id),
              type: 'string',
              title: plainText(`${c.label} (tên)`),
              ...withMeta(en(c.label_en && `${c.label_en} (name)`)),
            })),
        ],
        measures: [
          { name: 'count', type: 'count', title: plainText(`Số bản ghi — ${d.name}`), ...withMeta(en(`Records — ${d.name_en ?? d.name}`)) },
          ...identifiers.map((c) => ({
            name: `distinct_${c.id}`,
            sql: c.id,
            type: 'count_distinct',
            title: plainText(`Số ${c.label.toLowerCase()} khác nhau`),
            ...withMeta(en(c.label_en && `Distinct ${c.label_en.toLowerCase()}`)),
          })),
          ...numeric.flatMap((c) => [
            // source_column: the delivered column a trace's history compares across deliveries.
            { name: `sum_${c.id}`, sql: c.id, type: 'sum', title: plainText(`Tổng ${c.label.toLowerCase()}`), meta: { ...en(c.label_en && `Total ${c.label_en.toLowerCase()}`), source_column: c.id } },
            { name: `avg_${c.id}`, sql: c.id, type: 'avg', title: plainText(`Bình quân ${c.label.toLowerCase()}`), meta: { ...en(c.label_en && `Average ${c.label_en.toLowerCase()}`), source_column: c.id } },
          ]),
        ],
        ...(joins.length
          ? { joins: joins.map((j) => ({ name: j.home.cube, sql: `{CUBE}.${j.column} = {${j.home.cube}}.${j.home.key}`, relationship: 'many_to_one' })) }
          : {}),
      },
    ],
    views: [
      {
        name: d.id,
        title: plainText(d.name),
        ...withMeta(en(d.name_en)),
        description: plainText(d.description),
        cubes: [
          { join_path: cube, includes: '*', excludes: ['row_key'] },
          ...joins.map((j) => ({ join_path: `${cube}.${j.home.cube}`, prefix: true, includes: j.home.includes })),
        ],
      },
    ],
  }
  return { fileName: `generated/${d.id}.yml`, content: `# Generated from the catalogue entry of ${d.id}; a hand-written view replaces it.\n${stringify(doc)}` }
}

/** The generated cube files of every catalogue dataset without a hand-written view. */
export function generatedCubeFiles(catalog: { datasets: readonly Dataset[] }): { fileName: string; content: string }[] {
  return catalog.datasets.filter((d) => !hasHandWrittenView(d.id)).map((d) => datasetCubeFile(d, `std.${generatedModelName(d.id)}`))
}
