import fs from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { UNIT_WORDS } from '../contracts/units.ts'

/**
 * The catalogue's file formats. Objects are strict so that a misspelt key is an error at start-up
 * rather than a setting silently ignored.
 */
const code = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'mã viết HOA, chữ số và gạch dưới / UPPER_CASE code')
const snake = z.string().regex(/^[a-z][a-z0-9_]*$/, 'tên viết thường_gạch_dưới / snake_case name')

export const frequencies = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'school_year', 'on_change'] as const
export type Frequency = (typeof frequencies)[number]
/** Frequencies whose deliveries cover a reporting period (month, quarter, year). */
export const periodicFrequencies: readonly Frequency[] = ['monthly', 'quarterly', 'yearly', 'school_year']

/** When a delivery is due: days after the period ends, or working days after a change. */
export const deadlineRuleSchema = z.discriminatedUnion('after', [
  z.strictObject({ after: z.literal('period_end'), days: z.number().int().min(0).max(366) }),
  z.strictObject({ after: z.literal('change'), working_days: z.number().int().min(0).max(60) }),
])
export type DeadlineRule = z.infer<typeof deadlineRuleSchema>

/** The regulations' defaults: monthly +15 days, quarterly +30, annual +90, a change +2 working days. */
export function defaultDeadline(frequency: Frequency): DeadlineRule {
  switch (frequency) {
    case 'monthly':
      return { after: 'period_end', days: 15 }
    case 'quarterly':
      return { after: 'period_end', days: 30 }
    case 'yearly':
    case 'school_year':
      return { after: 'period_end', days: 90 }
    case 'daily':
    case 'weekly':
    case 'on_change':
      return { after: 'change', working_days: 2 }
  }
}

export const agencyKinds = ['so', 'ubnd_tinh', 'ubnd_xa', 'co_quan_trung_uong'] as const

export const agencySchema = z.strictObject({
  code,
  name: z.string().min(1),
  kind: z.enum(agencyKinds),
  parent: code.nullable().default(null),
  commune_code: z.string().regex(/^\d{5}$/).nullable().default(null),
  contact: z
    .strictObject({ person: z.string().optional(), email: z.email().optional(), phone: z.string().optional() })
    .default({}),
})
export type Agency = z.infer<typeof agencySchema>

/**
 * A system that must connect to the warehouse (Lào Cai Điều 8.2: national databases, ministries'
 * systems, the province's own), whether or not it does yet: the register shows each with its state.
 */
export const requiredSystemSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{2,60}$/),
  name: z.string().min(3),
  name_en: z.string().optional(),
  /** Điều 8.2's groups: a national database, a ministry's or sector's system, a system of the province. */
  group: z.enum(['quoc_gia', 'bo_nganh', 'tinh']),
  /** The agency answerable for the connection. */
  agency: code,
  /** It sends data to kho, or reads from it. */
  direction: z.enum(['supplies', 'consumes']),
  datasets: z.array(z.string()).default([]),
  /** The day it is due to be connected, when a decision set one. */
  due_on: z.iso.date().optional(),
  /** The decision that requires it. */
  basis: z.string().default(''),
})
export type RequiredSystem = z.infer<typeof requiredSystemSchema>

export const agenciesFileSchema = z.strictObject({
  province: z.string().regex(/^\d{2}$/, 'mã tỉnh 2 chữ số / 2-digit province code'),
  /** One UBND agency per commune of the province, generated from the 2025 admin units. */
  commune_agencies: z.strictObject({ code_prefix: code, parent: code }).nullable().default(null),
  /** TSV of pre-2025 commune codes → 2025 units (old_code, old_name, new_code, new_name, effective_from, basis), from the project root. */
  commune_crosswalk: z.string().nullable().default(null),
  /** The agency operating the warehouse: whom officers are told to ask (a unit with no obligations, a new dataset). */
  operator: code.nullable().default(null),
  agencies: z.array(agencySchema).min(1),
  /** The systems that must connect (Lào Cai Điều 8.2), with their state on the register. */
  required_systems: z.array(requiredSystemSchema).default([]),
})

export const columnTypes = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'period'] as const
export const identifierKinds = ['cccd', 'enterprise_code', 'commune_code', 'province_code', 'admin_unit_code'] as const

/** A value of an enumeration with the words people write for it (a file may carry either). */
const enumLabel = z.strictObject({ value: z.string().min(1), label: z.string().min(1), label_en: z.string().optional() })
export type EnumLabel = z.infer<typeof enumLabel>

const columnFields = z.strictObject({
  id: snake,
  label: z.string().min(1),
  label_en: z.string().optional(),
  description: z.string().optional(),
  type: z.enum(columnTypes),
  required: z.boolean().default(false),
  identifier: z.enum(identifierKinds).nullable().default(null),
  pattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p)
        return true
      } catch {
        return false
      }
    }, 'biểu thức chính quy không hợp lệ / invalid regular expression')
    .nullable()
    .default(null),
  /**
   * Allowed values: codes, or { value, label, label_en } where people write a label ("Đang hoạt
   * động") for the code (dang_hoat_dong). Read as `enum` (the codes) and `enum_labels`.
   */
  enum: z.array(z.union([z.string().min(1), enumLabel])).min(1).nullable().default(null),
  /** The labels of enum values (as an exported entry writes them); merged with labels given in `enum`. */
  enum_labels: z.array(enumLabel).default([]),
  min: z.number().nullable().default(null),
  max: z.number().nullable().default(null),
  /** Values must be codes of the indicator set (indicators and their components) owned by the sender. */
  references: z.enum(['indicator']).nullable().default(null),
  /** A typical value, shown in templates; required with a pattern, which it must match. */
  example: z.string().nullable().default(null),
  /** Other headers agencies use for this column; matched without case or diacritics. */
  aliases: z.array(z.string().min(1)).default([]),
  personal: z.boolean().default(false),
  /** The shared data dictionary's element this column is (dictionary.yaml). */
  element: snake.nullable().default(null),
})
  .transform(({ enum: values, enum_labels: given, ...c }) => {
    const inline = (values ?? []).filter((v): v is EnumLabel => typeof v !== 'string')
    const labels = [...given.filter((g) => !inline.some((i) => i.value === g.value)), ...inline]
    return { ...c, enum: values ? values.map((v) => (typeof v === 'string' ? v : v.value)) : null, enum_labels: labels }
  })
  .refine((c) => c.enum_labels.every((l) => c.enum?.includes(l.value)), {
    message: 'nhãn cho giá trị không có trong enum / a label names a value not in enum',
    path: ['enum_labels'],
  })

/** An element of the shared data dictionary: what a column naming it inherits, and where it joins. */
const elementSchema = z.strictObject({
  id: snake,
  label: z.string().min(1),
  label_en: z.string().optional(),
  type: z.enum(columnTypes),
  identifier: z.enum(identifierKinds).optional(),
  enum: z.array(z.string().min(1)).min(1).optional(),
  personal: z.boolean().optional(),
  aliases: z.array(z.string().min(1)).optional(),
  /** The cube holding the element, its key, and what of it a generated view shows. */
  home: z.strictObject({ cube: snake, key: snake, includes: z.array(snake) }).optional(),
})
export type DictionaryElement = z.infer<typeof elementSchema>

/** The shared data dictionary, shipped beside the catalogue (read once; a broken file stops the start). */
export const DICTIONARY: readonly DictionaryElement[] = z
  .strictObject({ elements: z.array(elementSchema) })
  .parse(parseYaml(fs.readFileSync(new URL('./dictionary.yaml', import.meta.url), 'utf8'))).elements

/**
 * A column naming an element takes the element's type, identifier, allowed values, personal flag,
 * label and aliases; what the column states itself must agree with them (its aliases add to them).
 */
export const columnSchema = z.preprocess((raw, ctx) => {
  if (!raw || typeof raw !== 'object' || !('element' in raw) || (raw as { element?: unknown }).element == null) return raw
  const c = raw as Record<string, unknown>
  const el = DICTIONARY.find((e) => e.id === c.element)
  if (!el) {
    ctx.addIssue({ code: 'custom', path: ['element'], message: `không có phần tử "${String(c.element)}" trong từ điển dữ liệu dùng chung / no such element in the shared data dictionary` })
    return raw
  }
  for (const key of ['type', 'identifier', 'personal'] as const) {
    if (c[key] !== undefined && el[key] !== undefined && c[key] !== el[key]) {
      ctx.addIssue({ code: 'custom', path: [key], message: `phần tử "${el.id}" có ${key} = ${String(el[key])} / the element "${el.id}" has ${key} ${String(el[key])}` })
    }
  }
  const { home: _home, id: _id, aliases, ...inherited } = el
  return { ...inherited, ...c, aliases: [...new Set([...(aliases ?? []), ...((c.aliases as string[] | undefined) ?? [])])] }
}, columnFields)

export type Column = z.infer<typeof columnSchema>

/** How kho pages through a source API. */
export const paginationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('page'), param: z.string().default('page'), size_param: z.string().default('page_size'), size: z.number().int().positive().default(500), start: z.number().int().min(0).default(1) }),
  z.strictObject({ kind: z.literal('offset'), param: z.string().default('offset'), limit_param: z.string().default('limit'), limit: z.number().int().positive().default(500) }),
  /** The next cursor is read from the body at `cursor_path` and sent as `param`. */
  z.strictObject({ kind: z.literal('cursor'), param: z.string().default('cursor'), cursor_path: z.string() }),
  /** The next page's URL is in the Link header (rel="next") or in the body at `next_path`. */
  z.strictObject({ kind: z.literal('link'), next_path: z.string().nullable().default(null) }),
])

/** A source API kho pulls on a schedule (cron, Vietnam time). */
export const pullSchema = z.strictObject({
  url: z.url(),
  /** The agency whose data it is; the dataset's owner when absent. */
  agency: code.nullable().default(null),
  schedule: z.string(),
  /**
   * A header carrying a secret from kho's secret store, named here and set by an administrator
   * (infra/access/secret-store.ts) — never an environment variable of the process, which holds
   * kho's own secrets (the second probe sent the administrator's password to an officer's listener).
   */
  auth: z
    .strictObject({
      header: z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'tên tiêu đề HTTP / an HTTP header name'),
      secret: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'tên một khóa trong kho khóa của kho (chữ thường, số, _ - .) / the name of a secret in kho\'s secret store'),
      prefix: z.string().max(50).default(''),
    })
    .nullable()
    .default(null),
  records_path: z.string().nullable().default(null),
  pagination: paginationSchema.default({ kind: 'none' }),
  /** Ask only for records changed since the last pull: the newest `field` loaded so far, sent as `param`. */
  incremental: z.strictObject({ field: snake, param: z.string().min(1) }).nullable().default(null),
  max_pages: z.number().int().positive().default(10_000),
  retries: z.number().int().min(0).max(10).default(4),
  timeout_s: z.number().positive().default(60),
})
export type PullConfig = z.infer<typeof pullSchema>

/**
 * Column ids the semantic layer generates members under (semantic/generated/dataset-cubes.ts): a
 * column so named would clash with a generated measure and fail only at approval.
 */
const GENERATED_MEMBER = /^(count|row_key)$|^(sum|avg|distinct)_|_label$/

/**
 * A KT-XH indicator the dataset's rows compute, by commune and month: kho computes it and sets it
 * beside what the indicator's owner reports (the reconciliation, marts.fct_indicator_check), as it
 * does for the population, business and social-insurance registers.
 */
export const computesSchema = z.strictObject({
  indicator: code,
  /** count: each row counts one (accidents); sum: the column's values added (deaths). */
  value: z.enum(['count', 'sum']),
  column: snake.nullable().default(null),
  /** The date column saying which month a row counts in. */
  date: snake,
  /** The commune column (a commune_code). */
  commune: snake,
})
export type Computes = z.infer<typeof computesSchema>

/** The most columns a dataset may have: its table, checks and view are built at approval, on the serial engine. */
export const MAX_DATASET_COLUMNS = 200

export const datasetSchema = z.strictObject({
  /** A table name and a route segment: short. */
  id: snake.max(48, 'tối đa 48 ký tự / at most 48 characters'),
  name: z.string().min(1),
  name_en: z.string().optional(),
  owner: code,
  /** 'indicator_owner': each row is delivered by the agency owning its indicator (KT-XH reports). */
  delivered_by: z.enum(['owner', 'indicator_owner']).default('owner'),
  description: z.string().min(1),
  personal_data: z.boolean(),
  /**
   * Who may use it: noi_bo — the owner only (others by an approved request); dung_chung — the
   * owner and the named consumer agencies; mo — open data, everyone.
   */
  sharing: z
    .strictObject({
      scope: z.enum(['noi_bo', 'dung_chung', 'mo']),
      method: z.enum(['api', 'sync', 'file']),
      consumers: z.array(code).default([]),
    })
    .refine((s) => s.scope !== 'noi_bo' || s.consumers.length === 0, {
      message: 'dữ liệu nội bộ (noi_bo) không có cơ quan khai thác; dùng dung_chung / an internal (noi_bo) dataset names no consumers; use dung_chung',
      path: ['consumers'],
    }),
  /**
   * How much protecting it matters (Lào Cai Điều 6.2–6.3; Luật Dữ liệu 2024 Điều 13): core data
   * (cot_loi), important data (quan_trong) or other data (thong_thuong). Core and important data are
   * never open data: shown on the catalogue, checked with the entry.
   */
  protection: z.enum(['cot_loi', 'quan_trong', 'thong_thuong']).default('thong_thuong'),
  update_frequency: z.enum(frequencies),
  deadline: deadlineRuleSchema.nullable().default(null),
  /** The date column saying when each record changed at the source, for the "change + N working days" rule. */
  changed_on: snake.nullable().default(null),
  format_standard: z.string().min(1),
  formats: z.array(z.enum(['csv', 'xlsx', 'xml', 'json'])).min(1),
  /** Where the records are in JSON ("data.items") or XML ("baocao/dong"); otherwise found by shape. */
  record_path: z.string().min(1).nullable().default(null),
  natural_key: z.array(snake).min(1),
  /** Share of rejected rows above which the whole delivery is refused. */
  reject_threshold: z.number().min(0).max(1).default(0.05),
  pull: pullSchema.nullable().default(null),
  /**
   * How long kho keeps what this dataset's deliveries leave behind once nothing current needs it
   * (months; null: the default for its kind, see retentionOf): the delivered files in the archive,
   * and for personal data the raw rows a later delivery replaced, the rejected rows and refused loads.
   */
  retention: z
    .strictObject({
      files_months: z.number().int().min(1).max(1200).nullable().default(null),
      personal_rows_months: z.number().int().min(1).max(1200).nullable().default(null),
    })
    .default({ files_months: null, personal_rows_months: null }),
  computes: z.array(computesSchema).max(20).default([]),
  columns: z
    .array(columnSchema)
    .min(1)
    .max(MAX_DATASET_COLUMNS, `tối đa ${MAX_DATASET_COLUMNS} cột / at most ${MAX_DATASET_COLUMNS} columns`)
    .superRefine((columns, ctx) => {
      columns.forEach((c, i) => {
        if (c.id.length > 60) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'tối đa 60 ký tự / at most 60 characters' })
        if (GENERATED_MEMBER.test(c.id)) {
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${c.id}" trùng tên trường kho tự sinh (count, row_key, sum_…, avg_…, distinct_…, …_label) / clashes with a generated member's name` })
        }
      })
    }),
})
export type Dataset = z.infer<typeof datasetSchema>

/**
 * The keeping periods in force for a dataset. The regulations set no number of months: Nghị định
 * 13/2023 asks personal data be deleted once its purpose is served, the archive law keeps
 * administrative records 5 years. So: 60 months for files of other datasets; 24 for a personal
 * dataset's files and replaced personal rows (two full reporting years to answer a complaint or a
 * correction). A catalogue entry may set either.
 */
export function retentionOf(d: Pick<Dataset, 'personal_data' | 'retention'>): { filesMonths: number; personalRowsMonths: number | null } {
  return {
    filesMonths: d.retention.files_months ?? (d.personal_data ? 24 : 60),
    personalRowsMonths: d.personal_data ? (d.retention.personal_rows_months ?? 24) : null,
  }
}

export const aggregations = ['sum', 'last', 'ratio', 'index', 'survey'] as const

export const indicatorSchema = z.strictObject({
  code,
  name_vi: z.string().min(1),
  name_en: z.string().min(1),
  // In the units dictionary, so every page can say it in English too.
  unit: z.string().min(1).refine((u) => Object.hasOwn(UNIT_WORDS, u), { error: (issue) => `unit "${String(issue.input)}" is not in the units dictionary (infra/contracts/units.ts): add it with its English name` }),
  frequency: z.enum(frequencies),
  owner: code,
  /** sum adds; last takes the period's last value (stocks); ratio recomputes numerator/denominator. */
  aggregation: z.enum(aggregations),
  numerator: z.string().nullable().default(null),
  denominator: z.string().nullable().default(null),
  /** ratio = numerator / denominator × multiplier + offset (offset −100 turns an index into growth). */
  multiplier: z.number().default(1),
  offset: z.number().default(0),
  /** 'commune' where communes report their own values; 'province' for province-wide figures only. */
  level: z.enum(['province', 'commune']),
  description: z.string().optional(),
  deadline: deadlineRuleSchema.nullable().default(null),
  /** Higher is better (default) or lower is better, for status colours. */
  direction: z.enum(['up', 'down']).default('up'),
  /** Decimals shown in reports; by default from the unit (see indicator-decimals.ts). */
  decimals: z.number().int().min(0).max(4).optional(),
})
export type Indicator = z.infer<typeof indicatorSchema>

/** A quantity delivered only to compute ratios (e.g. forest area), not an indicator of its own. */
export const componentSchema = z.strictObject({
  code: snake,
  name_vi: z.string().min(1),
  name_en: z.string().min(1),
  unit: z.string().min(1),
})
export type Component = z.infer<typeof componentSchema>

export const sectorFileSchema = z.strictObject({
  sector: z.strictObject({ code: snake, name_vi: z.string().min(1), name_en: z.string().min(1) }),
  indicators: z.array(indicatorSchema).min(1),
  components: z.array(componentSchema).default([]),
})
export type Sector = z.infer<typeof sectorFileSchema>['sector']

const isoDate = z.iso.date()

export const calendarFileSchema = z.strictObject({
  national_day_extra: z.enum(['before', 'after']).default('before'),
  days_off: z.array(isoDate).default([]),
  working_days: z.array(isoDate).default([]),
})
