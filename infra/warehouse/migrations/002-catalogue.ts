import type { TableSpec } from '../ddl.ts'
import { type Migration, now, released } from './migration.ts'

export const agenciesTable: TableSpec = released({
  database: 'meta',
  name: 'agencies',
  comment: 'Cơ quan chủ quản dữ liệu (catalogue as code, synced at start-up)',
  columns: [
    { name: 'code', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'kind', type: 'LowCardinality(String)' },
    { name: 'parent', type: 'String' },
    { name: 'commune_code', type: 'String' },
    { name: 'contact', type: 'String' },
    { name: 'synced_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['code'],
})

export const datasetsTable: TableSpec = released({
  database: 'meta',
  name: 'datasets',
  comment: 'Danh mục dữ liệu dùng chung',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'owner', type: 'String' },
    { name: 'description', type: 'String' },
    { name: 'sharing_scope', type: 'LowCardinality(String)' },
    { name: 'sharing_method', type: 'LowCardinality(String)' },
    { name: 'update_frequency', type: 'LowCardinality(String)' },
    { name: 'deadline_rule', type: 'String' },
    { name: 'format_standard', type: 'String' },
    { name: 'consumers', type: 'Array(String)' },
    { name: 'personal_data', type: 'Bool' },
    { name: 'reject_threshold', type: 'Float64' },
    { name: 'definition', type: 'String', comment: 'the whole validated YAML as JSON' },
    { name: 'synced_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['id'],
})

export const datasetColumnsTable: TableSpec = released({
  database: 'meta',
  name: 'dataset_columns',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'position', type: 'UInt16' },
    { name: 'id', type: 'String' },
    { name: 'label', type: 'String' },
    { name: 'type', type: 'LowCardinality(String)' },
    { name: 'required', type: 'Bool' },
    { name: 'identifier', type: 'LowCardinality(String)' },
    { name: 'personal', type: 'Bool' },
    { name: 'aliases', type: 'Array(String)' },
    { name: 'rules', type: 'String', comment: 'pattern, enum, range as JSON' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'position'],
})

export const indicatorsTable: TableSpec = released({
  database: 'meta',
  name: 'indicators',
  comment: 'Bộ chỉ tiêu KT-XH của tỉnh',
  columns: [
    { name: 'code', type: 'String' },
    { name: 'name_vi', type: 'String' },
    { name: 'name_en', type: 'String' },
    { name: 'unit', type: 'String' },
    { name: 'frequency', type: 'LowCardinality(String)' },
    { name: 'owner', type: 'String' },
    { name: 'aggregation', type: 'LowCardinality(String)' },
    { name: 'numerator', type: 'String' },
    { name: 'denominator', type: 'String' },
    { name: 'multiplier', type: 'Float64' },
    { name: 'offset', type: 'Float64' },
    { name: 'level', type: 'LowCardinality(String)' },
    { name: 'sector', type: 'LowCardinality(String)' },
    { name: 'deadline_rule', type: 'String' },
    { name: 'synced_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['code'],
})

export const adminUnitsTable: TableSpec = released({
  database: 'meta',
  name: 'admin_units',
  comment: 'Đơn vị hành chính cấp xã từ 01/07/2025 (cả nước)',
  columns: [
    { name: 'province_code', type: 'LowCardinality(String)' },
    { name: 'province_name', type: 'LowCardinality(String)' },
    { name: 'commune_code', type: 'String' },
    { name: 'commune_name', type: 'String' },
    { name: 'commune_type', type: 'LowCardinality(String)' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['province_code', 'commune_code'],
})

export const migration: Migration = {
  version: 2,
  name: 'catalogue',
  statements: [agenciesTable, datasetsTable, datasetColumnsTable, indicatorsTable, adminUnitsTable].map(
    (spec) => ({ kind: 'table', spec }),
  ),
}
