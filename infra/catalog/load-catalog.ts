import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LineCounter, parseDocument, isNode } from 'yaml'
import type { z } from 'zod'
import { communesOf, parseProvinceCode, type Province } from '../identifiers/admin-units.ts'
import { parseCron } from '../time/cron.ts'
import { headerKey } from './header-key.ts'
import type { CalendarConfig } from '../time/working-days.ts'
import {
  agenciesFileSchema,
  DICTIONARY,
  calendarFileSchema,
  datasetSchema,
  defaultDeadline,
  periodicFrequencies,
  sectorFileSchema,
  type Agency,
  type Component,
  type Dataset,
  type DeadlineRule,
  type Indicator,
  type RequiredSystem,
  type Sector,
} from './schema.ts'

/** Where each part of the catalogue lives: beside the code that owns it. */
export const CATALOG_PATHS = {
  agencies: 'infra/catalog/agencies.yaml',
  calendar: 'infra/catalog/calendar.yaml',
  datasets: 'loaders/datasets',
  indicators: 'semantic/indicators',
} as const

export const PROJECT_ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..')

export interface CatalogIndicator extends Indicator {
  sector: string
  deadline: DeadlineRule
}

export interface CatalogDataset extends Dataset {
  deadline: DeadlineRule
}

export interface CrosswalkEntry {
  oldCode: string
  oldName: string
  newCode: string
  effectiveFrom: string
  basis: string
}

export interface Catalog {
  province: Province
  /** Pre-2025 commune codes of the province and the 2025 unit each belongs to now. */
  crosswalk: CrosswalkEntry[]
  /** The year's decisions on days off and days worked in return. */
  calendar: CalendarConfig
  /** The agency operating the warehouse (agencies.yaml `operator`), null when none is named. */
  operator: string | null
  agencies: Agency[]
  /** The systems that must connect (agencies.yaml `required_systems`). */
  requiredSystems: RequiredSystem[]
  datasets: CatalogDataset[]
  indicators: CatalogIndicator[]
  components: Component[]
  sectors: Sector[]
  agency(code: string): Agency | undefined
  dataset(id: string): CatalogDataset | undefined
  indicator(code: string): CatalogIndicator | undefined
}

/** Indicator and component codes an agency reports: its own indicators and the operands of their ratios. */
export function indicatorCodesOwnedBy(catalog: Pick<Catalog, 'indicators'>, agency: string): string[] {
  const codes = new Set<string>()
  for (const i of catalog.indicators) {
    if (i.owner !== agency) continue
    codes.add(i.code)
    for (const operand of [i.numerator, i.denominator]) if (operand && /^[a-z]/.test(operand)) codes.add(operand)
  }
  return [...codes]
}

export interface CatalogProblem {
  file: string
  /** Dotted path inside the file, e.g. `columns[2].type`; empty for the whole file. */
  path: string
  line: number | null
  message: string
}

export class CatalogError extends Error {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      `Danh mục không hợp lệ / the catalogue is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n` +
        problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.path || '(file)'}: ${p.message}`).join('\n'),
    )
  }
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${String(s)}` : String(s)),
    '',
  )
}

interface ParsedFile<T> {
  file: string
  data: T | null
  /** Line of a path inside the file, for cross-file checks reported after parsing. */
  lineOf(segments: (string | number)[]): number | null
}

function readYaml<S extends z.ZodType>(root: string, rel: string, schema: S, problems: CatalogProblem[]): ParsedFile<z.infer<S>> {
  const abs = path.join(root, rel)
  const lineCounter = new LineCounter()
  const text = fs.readFileSync(abs, 'utf8')
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const lineOf = (segments: (string | number)[]): number | null => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true)
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line
    }
    return null
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({ file: rel, path: '', line: lineCounter.linePos(e.pos[0]).line, message: `YAML: ${e.message}` })
    }
    return { file: rel, data: null, lineOf }
  }
  const result = schema.safeParse(doc.toJS())
  if (!result.success) {
    for (const issue of result.error.issues) {
      const segments = issue.path.filter((s): s is string | number => typeof s !== 'symbol')
      problems.push({ file: rel, path: formatPath(segments), line: lineOf(segments), message: issue.message })
    }
    return { file: rel, data: null, lineOf }
  }
  return { file: rel, data: result.data, lineOf }
}

function yamlFilesIn(root: string, dir: string): string[] {
  const abs = path.join(root, dir)
  if (!fs.existsSync(abs)) return []
  return fs
    .readdirSync(abs)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(dir, f))
}

/**
 * Reads and validates the whole catalogue. Every problem in every file is collected, so one
 * start-up shows all that is wrong, each with its file, line, path and reason.
 */
/**
 * What is wrong with one dataset entry beyond its schema: unknown agencies, duplicate columns or
 * headers, keys that are no columns, deadlines that cannot be computed. The same checks for a
 * YAML file and for an entry proposed in the product.
 */
export function datasetProblems(d: Dataset, agencyExists: (code: string) => boolean, indicatorOf: (code: string) => Pick<Indicator, 'level' | 'frequency'> | undefined = () => undefined): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = []
  const report = (path: (string | number)[], message: string) => problems.push({ path, message })
  const knownAgency = (segments: (string | number)[], code: string) => {
    if (!agencyExists(code)) report(segments, `không có cơ quan "${code}" trong ${CATALOG_PATHS.agencies} / unknown agency`)
  }
  knownAgency(['owner'], d.owner)
  d.sharing.consumers.forEach((c, i) => knownAgency(['sharing', 'consumers', i], c))
  const headerOwners = new Map<string, string>()
  d.columns.forEach((col, i) => {
    if (d.columns.findIndex((c) => c.id === col.id) !== i) report(['columns', i, 'id'], `cột "${col.id}" bị trùng / duplicate column`)
    for (const header of [col.id, col.label, ...col.aliases]) {
      const key = headerKey(header)
      const owner = headerOwners.get(key)
      if (owner && owner !== col.id) report(['columns', i, 'aliases'], `tiêu đề "${header}" đã dùng cho cột "${owner}" / header already names column "${owner}"`)
      headerOwners.set(key, col.id)
    }
    if (col.min !== null && col.max !== null && col.min > col.max) report(['columns', i, 'min'], 'min > max')
    if (col.pattern !== null && (col.example === null || !new RegExp(col.pattern).test(col.example))) {
      report(['columns', i, 'example'], 'cột có pattern cần example khớp với pattern / a column with a pattern needs an example that matches it')
    }
  })
  d.natural_key.forEach((k, i) => {
    if (!d.columns.some((c) => c.id === k)) report(['natural_key', i], `khóa "${k}" không phải là cột / is not a column`)
  })
  if (d.protection !== 'thong_thuong' && d.sharing.scope === 'mo') {
    report(['protection'], 'dữ liệu cốt lõi hoặc quan trọng không được công bố là dữ liệu mở (Luật Dữ liệu 2024 Điều 13) / core or important data may not be open data')
  }
  if (d.pull) {
    try {
      parseCron(d.pull.schedule)
    } catch (err) {
      report(['pull', 'schedule'], (err as Error).message)
    }
    if (d.pull.agency) knownAgency(['pull', 'agency'], d.pull.agency)
    if (d.pull.incremental && !d.columns.some((c) => c.id === d.pull!.incremental!.field)) {
      report(['pull', 'incremental', 'field'], `"${d.pull.incremental.field}" không phải là cột / is not a column`)
    }
  }
  // What the rows compute: a commune-level monthly indicator, from a date and a commune column (and a number to add).
  d.computes.forEach((c, i) => {
    const at = (field: string) => ['computes', i, field]
    const ind = indicatorOf(c.indicator)
    if (!ind) report(at('indicator'), `không có chỉ tiêu "${c.indicator}" / no indicator "${c.indicator}"`)
    else if (ind.level !== 'commune' || ind.frequency !== 'monthly') report(at('indicator'), `"${c.indicator}" không phải chỉ tiêu tháng theo xã / is not a monthly commune-level indicator`)
    const col = (id: string | null) => d.columns.find((x) => x.id === id)
    if (col(c.date)?.type !== 'date') report(at('date'), `"${c.date}" không phải cột ngày / is not a date column`)
    if (col(c.commune)?.identifier !== 'commune_code') report(at('commune'), `"${c.commune}" không phải cột mã xã / is not a commune code column`)
    if (c.value === 'sum' && !['integer', 'decimal'].includes(col(c.column)?.type ?? '')) report(at('column'), 'cộng (sum) cần một cột số / a sum needs a number column')
  })
  if (d.personal_data !== d.columns.some((c) => c.personal)) {
    report(['personal_data'], 'personal_data phải đúng khi và chỉ khi có cột personal / must be true exactly when a column is personal')
  }
  const deadline = d.deadline ?? defaultDeadline(d.update_frequency)
  if (d.delivered_by === 'owner' && deadline.after === 'change') {
    const col = d.columns.find((c) => c.id === d.changed_on)
    if (!col || col.type !== 'date') {
      report(['changed_on'], 'hạn "thay đổi + N ngày làm việc" cần changed_on là một cột ngày / a change deadline needs changed_on naming a date column')
    }
  }
  if (deadline.after === 'period_end' && !periodicFrequencies.includes(d.update_frequency)) {
    report(['deadline'], `hạn theo cuối kỳ cần tần suất tháng, quý hoặc năm, không phải "${d.update_frequency}" / a period-end deadline needs a monthly, quarterly or yearly frequency`)
  }
  return problems
}

/**
 * The catalogue with datasets added or replaced by entries kept in the warehouse (registered in
 * the product): each entry checked as a YAML file is; a bad one is a CatalogError naming it.
 */
/** A name as people compare names: no case, no diacritics, single spaces ("Dân cư" = "dan  cu"). */
const plainName = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase().replace(/\s+/g, ' ').trim()

/**
 * What a dataset's record is the record of: its key's shared meanings (dictionary elements and
 * checked identifiers), or null when a key column means something only in its own dataset.
 */
function recordOf(d: Dataset): string | null {
  const parts = d.natural_key.map((k) => {
    const c = d.columns.find((x) => x.id === k)
    // A checked identifier means its dictionary element, however the column names it.
    const element = c?.element ?? (c?.identifier ? DICTIONARY.find((e) => e.identifier === c.identifier)?.id : undefined)
    return element ?? (c?.identifier ? `identifier:${c.identifier}` : null)
  })
  return parts.every((p) => p !== null) ? [...parts].sort().join('+') : null
}

/**
 * One dataset, one official source (Lào Cai Điều 4.3): a dataset may not record what another one
 * already records — the same name, or a record keyed by the same shared meanings (a second register
 * of people by CCCD, of enterprises by their code). The way to that data is a sharing request, or
 * a change to the dataset that holds it.
 */
export function overlapOf(d: Dataset, others: readonly Dataset[]): { vi: string; en: string } | null {
  const record = recordOf(d)
  for (const o of others) {
    if (o.id === d.id) continue
    const sameName = plainName(o.name) === plainName(d.name)
    const sameRecord = record !== null && recordOf(o) === record
    if (!sameName && !sameRecord) continue
    const why = sameName ? { vi: 'cùng tên', en: 'the same name' } : { vi: `cùng khóa bản ghi (${d.natural_key.join(', ')})`, en: `the same record key (${d.natural_key.join(', ')})` }
    return {
      vi: `"${d.name}" trùng với bộ dữ liệu "${o.name}" (${o.id}) của cơ quan ${o.owner}: ${why.vi}. Mỗi dữ liệu chỉ có một nguồn chính thức: hãy đề nghị chia sẻ "${o.id}" hoặc đề xuất sửa đổi bộ dữ liệu đó`,
      en: `"${d.name_en ?? d.name}" overlaps the dataset "${o.name_en ?? o.name}" (${o.id}) of agency ${o.owner}: ${why.en}. Each piece of data has one official source: ask to share "${o.id}" or propose a change to it`,
    }
  }
  return null
}

export function withDatasets(base: Catalog, entries: readonly Dataset[]): Catalog {
  const problems: CatalogProblem[] = []
  for (const d of entries) {
    for (const p of datasetProblems(d, (code) => base.agency(code) !== undefined, (code) => base.indicator(code))) {
      problems.push({ file: `catalogue entry ${d.id}`, path: formatPath(p.path), line: null, message: p.message })
    }
  }
  if (problems.length > 0) throw new CatalogError(problems)
  const replaced = new Map(entries.map((d) => [d.id, { ...d, deadline: d.deadline ?? defaultDeadline(d.update_frequency) }]))
  const datasets = [...base.datasets.map((d) => replaced.get(d.id) ?? d), ...[...replaced.values()].filter((d) => !base.dataset(d.id))]
  for (const d of entries) {
    const overlap = overlapOf(d, datasets)
    if (overlap) problems.push({ file: `catalogue entry ${d.id}`, path: '', line: null, message: `${overlap.vi} / ${overlap.en}` })
  }
  if (problems.length > 0) throw new CatalogError(problems)
  const byId = new Map(datasets.map((d) => [d.id, d]))
  return { ...base, datasets, dataset: (id) => byId.get(id) }
}

export function loadCatalog(root: string = PROJECT_ROOT): Catalog {
  const problems: CatalogProblem[] = []
  const report = (f: ParsedFile<unknown>, segments: (string | number)[], message: string) =>
    problems.push({ file: f.file, path: formatPath(segments), line: f.lineOf(segments), message })

  const agenciesFile = readYaml(root, CATALOG_PATHS.agencies, agenciesFileSchema, problems)
  const calendarFile = readYaml(root, CATALOG_PATHS.calendar, calendarFileSchema, problems)
  const datasetFiles = yamlFilesIn(root, CATALOG_PATHS.datasets).map((rel) => readYaml(root, rel, datasetSchema, problems))
  const sectorFiles = yamlFilesIn(root, CATALOG_PATHS.indicators).map((rel) => readYaml(root, rel, sectorFileSchema, problems))

  let province: Province | null = null
  const agencies: Agency[] = []
  if (agenciesFile.data) {
    const parsed = parseProvinceCode(agenciesFile.data.province)
    if (parsed.ok) province = parsed.value
    else report(agenciesFile, ['province'], parsed.problem.vi)
    agencies.push(...agenciesFile.data.agencies)
    const generated = agenciesFile.data.commune_agencies
    if (generated && province) {
      for (const c of communesOf(province.code)) {
        agencies.push({
          code: `${generated.code_prefix}${c.code}`,
          name: `UBND ${c.name}`,
          kind: 'ubnd_xa',
          parent: generated.parent,
          commune_code: c.code,
          contact: {},
        })
      }
    }
  }
  const crosswalk: CrosswalkEntry[] = []
  if (agenciesFile.data?.commune_crosswalk && province) {
    const rel = agenciesFile.data.commune_crosswalk
    const abs = path.join(root, rel)
    if (!fs.existsSync(abs)) report(agenciesFile, ['commune_crosswalk'], `không có tệp ${rel} / no such file`)
    else {
      const communes = new Set(communesOf(province.code).map((c) => c.code))
      fs.readFileSync(abs, 'utf8').split(/\r?\n/).slice(1).forEach((line, i) => {
        if (!line.trim()) return
        const [oldCode = '', oldName = '', newCode = '', , effectiveFrom = '', basis = ''] = line.split('\t')
        const where = `${rel}:${i + 2}`
        if (!/^\d{5}$/.test(oldCode) || communes.has(oldCode)) report(agenciesFile, ['commune_crosswalk'], `${where}: mã cũ "${oldCode}" phải là mã 5 chữ số không còn hiệu lực / must be a 5-digit code no longer in force`)
        else if (!communes.has(newCode)) report(agenciesFile, ['commune_crosswalk'], `${where}: mã mới "${newCode}" không phải xã của tỉnh / is not a 2025 commune of the province`)
        else if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) report(agenciesFile, ['commune_crosswalk'], `${where}: ngày hiệu lực "${effectiveFrom}" phải là yyyy-mm-dd`)
        else crosswalk.push({ oldCode, oldName, newCode, effectiveFrom, basis })
      })
    }
  }
  const agencyByCode = new Map<string, Agency>()
  agencies.forEach((a, i) => {
    if (agencyByCode.has(a.code)) report(agenciesFile, ['agencies', i, 'code'], `mã cơ quan "${a.code}" bị trùng / duplicate agency code`)
    agencyByCode.set(a.code, a)
  })
  const operator = agenciesFile.data?.operator
  if (operator && !agencyByCode.has(operator)) report(agenciesFile, ['operator'], `không có cơ quan "${operator}" / unknown agency`)
  agenciesFile.data?.agencies.forEach((a, i) => {
    if (a.parent && !agencyByCode.has(a.parent)) report(agenciesFile, ['agencies', i, 'parent'], `không có cơ quan "${a.parent}" / unknown agency`)
  })
  const knownAgency = (f: ParsedFile<unknown>, segments: (string | number)[], agencyCode: string) => {
    if (agenciesFile.data && !agencyByCode.has(agencyCode)) {
      report(f, segments, `không có cơ quan "${agencyCode}" trong ${CATALOG_PATHS.agencies} / unknown agency`)
    }
  }

  const datasets: CatalogDataset[] = []
  for (const f of datasetFiles) {
    const d = f.data
    if (!d) continue
    const expectedId = path.basename(f.file).replace(/\.ya?ml$/, '')
    if (d.id !== expectedId) report(f, ['id'], `id "${d.id}" phải trùng tên tệp "${expectedId}" / must match the file name`)
    if (datasets.some((x) => x.id === d.id)) report(f, ['id'], `bộ dữ liệu "${d.id}" bị trùng / duplicate dataset id`)
    const indicatorOf = (code: string) => sectorFiles.flatMap((s) => s.data?.indicators ?? []).find((i) => i.code === code)
    for (const p of datasetProblems(d, (code) => !agenciesFile.data || agencyByCode.has(code), indicatorOf)) report(f, p.path, p.message)
    const overlap = overlapOf(d, datasets)
    if (overlap) report(f, ['natural_key'], `${overlap.vi} / ${overlap.en}`)
    datasets.push({ ...d, deadline: d.deadline ?? defaultDeadline(d.update_frequency) })
  }

  const sectors: Sector[] = []
  const indicators: CatalogIndicator[] = []
  const components: Component[] = []
  for (const f of sectorFiles) {
    if (!f.data) continue
    if (sectors.some((s) => s.code === f.data!.sector.code)) report(f, ['sector', 'code'], 'lĩnh vực bị trùng / duplicate sector')
    sectors.push(f.data.sector)
    components.push(...f.data.components)
    f.data.indicators.forEach((ind, i) => {
      if (indicators.some((x) => x.code === ind.code)) report(f, ['indicators', i, 'code'], `chỉ tiêu "${ind.code}" bị trùng / duplicate indicator`)
      knownAgency(f, ['indicators', i, 'owner'], ind.owner)
      indicators.push({ ...ind, sector: f.data!.sector.code, deadline: ind.deadline ?? defaultDeadline(ind.frequency) })
    })
  }
  // Ratio operands: an indicator, a declared component, or an indicator's _ytd / same-period-last-year form.
  const operandNames = new Set([...indicators.map((i) => i.code), ...components.map((c) => c.code)])
  for (const f of sectorFiles) {
    f.data?.indicators.forEach((ind, i) => {
      const needsOperands = ind.aggregation === 'ratio'
      for (const side of ['numerator', 'denominator'] as const) {
        const operand = ind[side]
        if (needsOperands && !operand) report(f, ['indicators', i, side], `chỉ tiêu tỷ lệ cần ${side} / a ratio needs a ${side}`)
        if (operand && !operandNames.has(operand.replace(/_(ytd|prev_year_same_period)$/, ''))) {
          report(f, ['indicators', i, side], `"${operand}" không phải chỉ tiêu hay thành phần đã khai báo / is no declared indicator or component`)
        }
      }
    })
  }

  agenciesFile.data?.required_systems.forEach((r, i) => {
    knownAgency(agenciesFile, ['required_systems', i, 'agency'], r.agency)
    r.datasets.forEach((d, j) => {
      // By file: a dataset whose file has problems of its own is still known here.
      if (!datasetFiles.some((f) => path.basename(f.file).replace(/\.ya?ml$/, '') === d)) report(agenciesFile, ['required_systems', i, 'datasets', j], `không có bộ dữ liệu "${d}" / unknown dataset`)
    })
  })
  if (problems.length > 0 || !province) throw new CatalogError(problems)
  const datasetById = new Map(datasets.map((d) => [d.id, d]))
  const indicatorByCode = new Map(indicators.map((i) => [i.code, i]))
  const cal = calendarFile.data!
  return {
    province,
    crosswalk,
    calendar: { nationalDayExtra: cal.national_day_extra, daysOff: cal.days_off, workingDays: cal.working_days },
    operator: agenciesFile.data!.operator,
    agencies,
    requiredSystems: agenciesFile.data!.required_systems,
    datasets,
    indicators,
    components,
    sectors,
    agency: (c) => agencyByCode.get(c),
    dataset: (id) => datasetById.get(id),
    indicator: (c) => indicatorByCode.get(c),
  }
}
