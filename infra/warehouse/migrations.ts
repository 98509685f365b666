import type { Statement, TableSpec } from './ddl.ts'

/**
 * Versioned warehouse schema. A migration, once released, never changes: the runner stores a
 * checksum of each and refuses to start if an applied one was edited, and migrate.test.ts pins
 * every released checksum. The table specs below are the text of released migrations — frozen,
 * never edited. A schema change is a new migration (add_column, modify_column, a new table), and a
 * table's shape today is what the migrations make of it (currentTable), never a spec edited in place.
 */
export interface Migration {
  version: number
  name: string
  statements: Statement[]
}

const now = 'now64(3)'

/** Deep-frozen: released migration text cannot be changed at run time either. */
function released<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) released(v)
    Object.freeze(value)
  }
  return value
}

const agenciesTable: TableSpec = released({
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

const datasetsTable: TableSpec = released({
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

const datasetColumnsTable: TableSpec = released({
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

const indicatorsTable: TableSpec = released({
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

const adminUnitsTable: TableSpec = released({
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

/** One row per load; rows in raw.* are visible to readers only once their load is committed. */
const loadsTable: TableSpec = released({
  database: 'meta',
  name: 'loads',
  comment: 'Lần nạp dữ liệu (ReplacingMergeTree: the latest state of each load wins)',
  columns: [
    { name: 'load_id', type: 'String' },
    { name: 'dataset', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'channel', type: 'LowCardinality(String)', comment: 'file | upload | push | pull | inbox | demo' },
    { name: 'source', type: 'String', comment: 'file name or endpoint' },
    { name: 'sha256', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'started | committed | refused | failed' },
    { name: 'rows_read', type: 'UInt64' },
    { name: 'rows_loaded', type: 'UInt64' },
    { name: 'rows_rejected', type: 'UInt64' },
    { name: 'message', type: 'String' },
    { name: 'period', type: 'String', comment: 'reporting period the delivery covers, when known' },
    { name: 'delivered_at', type: "DateTime64(3, 'UTC')" },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
    { name: 'finished_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['dataset', 'agency', 'load_id'],
})

/** Rows a load rejected, with the reason in both languages; append-only. */
const rejectsTable: TableSpec = released({
  database: 'meta',
  name: 'rejects',
  comment: 'Dòng bị từ chối khi nạp và lý do',
  columns: [
    { name: 'load_id', type: 'String' },
    { name: 'dataset', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'row', type: 'UInt32', comment: 'line or record number in the delivery' },
    { name: 'column', type: 'LowCardinality(String)' },
    { name: 'value', type: 'String' },
    { name: 'code', type: 'LowCardinality(String)' },
    { name: 'reason_vi', type: 'String' },
    { name: 'reason_en', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'agency', 'load_id', 'row'],
})

/** Keys agencies' systems use for the push API; only a hash of each secret is kept. */
const apiKeysTable: TableSpec = released({
  database: 'meta',
  name: 'api_keys',
  columns: [
    { name: 'key_id', type: 'String' },
    { name: 'agency', type: 'LowCardinality(String)' },
    { name: 'secret_sha256', type: 'String' },
    { name: 'label', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", default: now },
    { name: 'revoked_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['key_id'],
})

/** One row per model per transform run. */
const runsTable: TableSpec = released({
  database: 'meta',
  name: 'runs',
  columns: [
    { name: 'run_id', type: 'String' },
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'materialized', type: 'LowCardinality(String)' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'success | error | skipped' },
    { name: 'rows', type: 'UInt64' },
    { name: 'duration_ms', type: 'UInt32' },
    { name: 'error', type: 'String' },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['model', 'started_at'],
})

/** Which committed loads an incremental model has taken in. */
const modelLoadsTable: TableSpec = released({
  database: 'meta',
  name: 'model_loads',
  columns: [
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'load_id', type: 'String' },
    { name: 'processed_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['processed_at'] },
  orderBy: ['model', 'load_id'],
})

/** Results of data tests, with sample failing rows. */
const testResultsTable: TableSpec = released({
  database: 'meta',
  name: 'test_results',
  columns: [
    { name: 'run_id', type: 'String' },
    { name: 'test', type: 'String' },
    { name: 'model', type: 'LowCardinality(String)' },
    { name: 'column', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pass | fail | error' },
    { name: 'failures', type: 'UInt64' },
    { name: 'sample', type: 'String', comment: 'JSON of up to 10 failing rows' },
    { name: 'ran_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['model', 'test', 'ran_at'],
})

/** Pre-2025 commune codes and the 2025 unit each now belongs to (seed data, dated). */
const communeCrosswalkTable: TableSpec = released({
  database: 'meta',
  name: 'commune_crosswalk',
  columns: [
    { name: 'old_code', type: 'String' },
    { name: 'old_name', type: 'String' },
    { name: 'new_code', type: 'String' },
    { name: 'effective_from', type: 'Date32' },
    { name: 'basis', type: 'String', comment: 'the decision the mapping comes from' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['old_code', 'new_code'],
})

/** Local accounts; passwords kept as scrypt hashes. The latest row of an account wins. */
const accountsTable: TableSpec = released({
  database: 'meta',
  name: 'accounts',
  columns: [
    { name: 'username', type: 'String' },
    { name: 'display_name', type: 'String' },
    { name: 'password_hash', type: 'String' },
    { name: 'role', type: 'LowCardinality(String)', comment: 'leader | analyst | agency_officer | steward | admin' },
    { name: 'agency', type: 'String' },
    { name: 'commune_code', type: 'String' },
    { name: 'personal_data', type: 'Bool' },
    { name: 'disabled', type: 'Bool' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['username'],
})

/** Every query and every denial: who, with what role and purpose, what, how many rows, outcome. Append-only. */
const auditTable: TableSpec = released({
  database: 'meta',
  name: 'audit',
  columns: [
    { name: 'at', type: "DateTime64(3, 'UTC')", default: now },
    { name: 'account', type: 'String' },
    { name: 'role', type: 'LowCardinality(String)' },
    { name: 'purpose', type: 'String' },
    { name: 'client', type: 'String' },
    { name: 'endpoint', type: 'LowCardinality(String)' },
    { name: 'members', type: 'Array(String)' },
    { name: 'filters', type: 'String', comment: 'JSON, including filters the access policy added' },
    { name: 'query', type: 'String', comment: 'JSON as sent' },
    { name: 'row_count', type: 'UInt64' },
    { name: 'duration_ms', type: 'UInt32' },
    { name: 'outcome', type: 'LowCardinality(String)', comment: 'ok | denied | error' },
    { name: 'reason', type: 'String' },
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toYYYYMM(at)',
  orderBy: ['at', 'account'],
})

/** Every day from 2015 to 2035: worked or not and why, and a running count of working days. */
const calendarTable: TableSpec = released({
  database: 'meta',
  name: 'calendar',
  columns: [
    { name: 'date', type: 'Date' },
    { name: 'is_working_day', type: 'Bool' },
    { name: 'reason', type: 'String', comment: 'holiday or weekend, empty for a working day' },
    { name: 'working_day_number', type: 'UInt32', comment: 'working days since 2015-01-01, this one included' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['date'],
})

/** A steward's decision on a value flagged as outside its history band; the latest decision wins. */
const outlierReviewsTable: TableSpec = released({
  database: 'meta',
  name: 'outlier_reviews',
  columns: [
    { name: 'indicator_code', type: 'String' },
    { name: 'period', type: 'String' },
    { name: 'unit_code', type: 'String' },
    { name: 'decision', type: 'LowCardinality(String)', comment: 'confirmed (the value is right) | rejected (the value is wrong)' },
    { name: 'note', type: 'String' },
    { name: 'reviewer', type: 'String' },
    { name: 'reviewed_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['reviewed_at'] },
  orderBy: ['indicator_code', 'period', 'unit_code'],
})

/** Scheduled jobs (digests, briefings, backups): one row per scheduled time; the latest state wins. */
const jobRunsTable: TableSpec = released({
  database: 'meta',
  name: 'job_runs',
  comment: 'Lần chạy tác vụ định kỳ (ReplacingMergeTree: the latest state of each run wins)',
  columns: [
    { name: 'job', type: 'LowCardinality(String)' },
    { name: 'scheduled_for', type: "DateTime64(3, 'UTC')", comment: 'the cron time this run stands for' },
    { name: 'trigger', type: 'LowCardinality(String)', comment: 'schedule | catch_up | manual' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'started | succeeded | failed | skipped' },
    { name: 'output', type: 'String', comment: 'what the run produced, e.g. a file under the data directory' },
    { name: 'message', type: 'String' },
    { name: 'started_at', type: "DateTime64(3, 'UTC')" },
    { name: 'finished_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['job', 'scheduled_for', 'trigger'],
})

/** Queries analysts saved by name in the explorer, per account; the latest version of a name wins. */
const savedQueriesTable: TableSpec = released({
  database: 'meta',
  name: 'saved_queries',
  comment: 'Truy vấn đã lưu của người dùng (ReplacingMergeTree: the latest version of each name wins)',
  columns: [
    { name: 'account', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'query', type: 'String', comment: 'the Cube query as JSON' },
    { name: 'deleted', type: 'Bool', default: 'false' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['account', 'name'],
})

/** Aggregated datasets stewards publish as open data; the latest version of each id wins. */
const openDatasetsTable: TableSpec = released({
  database: 'meta',
  name: 'open_datasets',
  comment: 'Dữ liệu mở đã công bố (ReplacingMergeTree: the latest state of each dataset wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'title', type: 'String' },
    { name: 'description', type: 'String' },
    { name: 'keywords', type: 'Array(String)' },
    { name: 'license', type: 'String' },
    { name: 'publisher', type: 'String' },
    { name: 'query', type: 'String', comment: 'the Cube query, run as the public' },
    { name: 'rows', type: 'UInt64' },
    { name: 'version', type: 'UInt32' },
    { name: 'published_by', type: 'String' },
    { name: 'withdrawn', type: 'Bool' },
    { name: 'published_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** One row per download of an open dataset file; append-only. */
const openDataDownloadsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_downloads',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'format', type: 'LowCardinality(String)' },
    { name: 'version', type: 'UInt32' },
    { name: 'at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['dataset', 'at'],
})

/** Requests to use a dataset outside one's scope and the owner's decisions; the latest state of each wins. */
const sharingRequestsTable: TableSpec = released({
  database: 'meta',
  name: 'sharing_requests',
  comment: 'Yêu cầu chia sẻ dữ liệu và quyết định của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'dataset', type: 'String' },
    { name: 'requester', type: 'String', comment: 'the account that asked' },
    { name: 'agency', type: 'String', comment: 'the agency the grant is for' },
    { name: 'views', type: 'Array(String)', comment: 'asked for: empty = every view of the dataset' },
    { name: 'members', type: 'Array(String)', comment: 'asked for: empty = every member of those views' },
    { name: 'purpose', type: 'String' },
    { name: 'legal_basis', type: 'String' },
    { name: 'starts_on', type: 'Date32' },
    { name: 'ends_on', type: 'Date32' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pending | approved | refused | suspended | ended | withdrawn' },
    { name: 'granted_views', type: 'Array(String)', comment: 'what the decision granted (may be narrower than asked)' },
    { name: 'granted_members', type: 'Array(String)' },
    { name: 'decided_by', type: 'String' },
    { name: 'decision_note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** Information systems that read through the integration platform (LGSP); the latest state wins. */
const systemsTable: TableSpec = released({
  database: 'meta',
  name: 'systems',
  comment: 'Hệ thống thông tin khai thác dữ liệu qua LGSP (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'name', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the agency that owns the system' },
    { name: 'contact', type: 'String' },
    { name: 'views', type: 'Array(String)', comment: 'the views it may read' },
    { name: 'addresses', type: 'Array(String)', comment: 'client addresses it may call from; empty = any' },
    { name: 'expires_on', type: 'Nullable(Date32)' },
    { name: 'disabled', type: 'Bool' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** A system's keys (kho_sys_…), stored as SHA-256 of the secret; the latest state of each key wins. */
const systemKeysTable: TableSpec = released({
  database: 'meta',
  name: 'system_keys',
  columns: [
    { name: 'key_id', type: 'String' },
    { name: 'system_id', type: 'String' },
    { name: 'secret_sha256', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'revoked_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['key_id'],
})

/** Dataset entries registered in the product: proposals and their review; the latest state of each version wins. */
const catalogEntriesTable: TableSpec = released({
  database: 'meta',
  name: 'catalog_entries',
  comment: 'Danh mục dữ liệu đăng ký trên hệ thống: đề xuất, phê duyệt (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'dataset', type: 'String' },
    { name: 'version', type: 'UInt32', comment: '1 for a new dataset; each change proposed is the next' },
    { name: 'entry', type: 'String', comment: 'the dataset entry as JSON (the YAML schema)' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'proposed | approved | refused | withdrawn | superseded' },
    { name: 'proposed_by', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the proposing officer’s agency' },
    { name: 'reviewed_by', type: 'String' },
    { name: 'note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['dataset', 'version'],
})

const attachmentsTable: TableSpec = released({
  database: 'meta',
  name: 'attachments',
  comment: 'Tài liệu đính kèm một lần gửi dữ liệu hoặc một bộ dữ liệu trong danh mục (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'kind', type: 'LowCardinality(String)', comment: 'delivery | dataset' },
    { name: 'load_id', type: 'String', comment: 'the delivery it documents (kind delivery)' },
    { name: 'dataset', type: 'String' },
    { name: 'agency', type: 'String', comment: 'the agency of the delivery, or the dataset’s owner' },
    { name: 'name', type: 'String', comment: 'the file name as sent' },
    { name: 'media_type', type: 'LowCardinality(String)', comment: 'decided from the content (magic bytes)' },
    { name: 'size', type: 'UInt64' },
    { name: 'sha256', type: 'String', comment: 'the stored copy, by content' },
    { name: 'uploaded_by', type: 'String' },
    { name: 'uploaded_at', type: "DateTime64(3, 'UTC')" },
    { name: 'deleted', type: 'UInt8', default: '0' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

const alertsTable: TableSpec = released({
  database: 'meta',
  name: 'alerts',
  comment: 'Cảnh báo vận hành: mở khi một quy tắc phát hiện, đóng khi nguyên nhân hết (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String', comment: 'the key and when it opened' },
    { name: 'key', type: 'String', comment: 'what it is about; at most one open alert per key' },
    { name: 'rule', type: 'LowCardinality(String)' },
    { name: 'severity', type: 'LowCardinality(String)', comment: 'critical | warning' },
    { name: 'agency', type: 'String', comment: 'the owner agency it concerns, or empty' },
    { name: 'title_vi', type: 'String' },
    { name: 'title_en', type: 'String' },
    { name: 'detail', type: 'String', comment: 'JSON: what the rule found (never personal data)' },
    { name: 'opened_at', type: "DateTime64(3, 'UTC')" },
    { name: 'resolved_at', type: "Nullable(DateTime64(3, 'UTC'))" },
    { name: 'notified', type: 'String', comment: 'JSON: to whom and how the opening and the resolution were sent' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

const errorReportsTable: TableSpec = released({
  database: 'meta',
  name: 'error_reports',
  comment: 'Báo lỗi dữ liệu của người dùng và trả lời của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'kind', type: 'LowCardinality(String)', comment: 'value | dataset' },
    { name: 'dataset', type: 'String' },
    { name: 'indicator_code', type: 'String', comment: 'kind value: the indicator, unit and period reported' },
    { name: 'unit_code', type: 'String' },
    { name: 'period', type: 'String' },
    { name: 'note', type: 'String', comment: 'what the reporter saw' },
    { name: 'agency', type: 'String', comment: 'the owner agency that answers' },
    { name: 'reported_by', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'open | answered | closed' },
    { name: 'answer', type: 'String' },
    { name: 'answered_by', type: 'String' },
    { name: 'closed_by', type: 'LowCardinality(String)', comment: "'' | delivery | explanation" },
    { name: 'load_id', type: 'String', comment: 'closed by delivery: the corrected delivery' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

/** Every version of every open dataset ever published, with its date: the public can cite one. */
const openDataVersionsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_versions',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'version', type: 'UInt32' },
    { name: 'rows', type: 'UInt64' },
    { name: 'published_by', type: 'String', comment: 'an account, or kho for a scheduled refresh' },
    { name: 'published_at', type: "DateTime64(3, 'UTC')" },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['id', 'version'],
})

/** Publications an owner agency proposes; a steward approves (and it is published) or refuses. */
const openDataProposalsTable: TableSpec = released({
  database: 'meta',
  name: 'open_data_proposals',
  comment: 'Đề xuất công bố dữ liệu mở của cơ quan chủ quản (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'dataset_id', type: 'String', comment: 'the open dataset it would publish' },
    { name: 'title', type: 'String' },
    { name: 'description', type: 'String' },
    { name: 'keywords', type: 'Array(String)' },
    { name: 'license', type: 'String' },
    { name: 'query', type: 'String' },
    { name: 'refresh', type: 'LowCardinality(String)' },
    { name: 'agency', type: 'String' },
    { name: 'proposed_by', type: 'String' },
    { name: 'status', type: 'LowCardinality(String)', comment: 'pending | approved | refused' },
    { name: 'decided_by', type: 'String' },
    { name: 'note', type: 'String' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')" },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['id'],
})

const pullHostsTable: TableSpec = released({
  database: 'meta',
  name: 'pull_hosts',
  comment: 'Máy chủ mà kết nối kéo dữ liệu được phép gọi, do cán bộ quản trị dữ liệu lập (ReplacingMergeTree: the latest state wins)',
  columns: [
    { name: 'host', type: 'String', comment: 'a name or address, with :port when only that port' },
    { name: 'note', type: 'String', comment: 'why it is allowed (whose system it is)' },
    { name: 'listed_by', type: 'String' },
    { name: 'removed', type: 'Bool', default: 'false' },
    { name: 'updated_at', type: "DateTime64(3, 'UTC')", default: now },
  ],
  engine: { kind: 'ReplacingMergeTree', args: ['updated_at'] },
  orderBy: ['host'],
})

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'layers',
    statements: (['raw', 'std', 'marts', 'meta'] as const).map((name) => ({ kind: 'database', name })),
  },
  {
    version: 2,
    name: 'catalogue',
    statements: [agenciesTable, datasetsTable, datasetColumnsTable, indicatorsTable, adminUnitsTable].map(
      (spec) => ({ kind: 'table', spec }),
    ),
  },
  {
    version: 3,
    name: 'loads',
    statements: [{ kind: 'table', spec: loadsTable }],
  },
  {
    version: 4,
    name: 'rejects',
    statements: [{ kind: 'table', spec: rejectsTable }],
  },
  {
    version: 5,
    name: 'api_keys',
    statements: [{ kind: 'table', spec: apiKeysTable }],
  },
  {
    version: 6,
    name: 'transform_runs',
    statements: [runsTable, modelLoadsTable, testResultsTable].map((spec) => ({ kind: 'table', spec })),
  },
  {
    version: 7,
    name: 'commune_crosswalk',
    statements: [{ kind: 'table', spec: communeCrosswalkTable }],
  },
  {
    version: 8,
    name: 'accounts_and_audit',
    statements: [accountsTable, auditTable].map((spec) => ({ kind: 'table', spec })),
  },
  {
    version: 9,
    name: 'calendar',
    statements: [{ kind: 'table', spec: calendarTable }],
  },
  {
    version: 10,
    name: 'outlier_reviews',
    statements: [{ kind: 'table', spec: outlierReviewsTable }],
  },
  {
    version: 11,
    name: 'job_runs',
    statements: [{ kind: 'table', spec: jobRunsTable }],
  },
  {
    version: 12,
    name: 'saved_queries',
    statements: [{ kind: 'table', spec: savedQueriesTable }],
  },
  {
    version: 13,
    name: 'open_data',
    statements: [openDatasetsTable, openDataDownloadsTable].map((spec) => ({ kind: 'table', spec })),
  },
  {
    version: 14,
    name: 'account_token_version',
    statements: [{ kind: 'add_column', table: accountsTable, column: { name: 'token_version', type: 'UInt32', default: '0', comment: 'bumped to revoke the tokens an account holds' } }],
  },
  {
    version: 15,
    name: 'sharing',
    statements: [
      ...(
        [
          { name: 'seq', type: 'UInt64', default: '0', comment: 'position in the hash chain (0: written before the chain began)' },
          { name: 'prev_hash', type: 'String', default: "''" },
          { name: 'hash', type: 'String', default: "''", comment: 'SHA-256 of this entry and prev_hash' },
          { name: 'agency', type: 'String', default: "''" },
          { name: 'via', type: 'LowCardinality(String)', default: "''", comment: 'session | jwt | system-key | service-token | push-key | anonymous' },
          { name: 'datasets', type: 'Array(String)', default: '[]', comment: 'the catalogue datasets the entry touched' },
        ] as const
      ).map((column) => ({ kind: 'add_column' as const, table: auditTable, column })),
      ...(
        [
          { name: 'email', type: 'String', default: "''" },
          { name: 'must_change_password', type: 'Bool', default: 'false', comment: 'set by a reset: the next sign-in must choose a new password' },
          // Not now(): ClickHouse computes an added column's default when old rows are read.
          { name: 'created_at', type: "DateTime64(3, 'UTC')", default: "toDateTime64(0, 3, 'UTC')", comment: 'when the account was made (epoch: before this column)' },
        ] as const
      ).map((column) => ({ kind: 'add_column' as const, table: accountsTable, column })),
      ...[sharingRequestsTable, systemsTable, systemKeysTable].map((spec) => ({ kind: 'table' as const, spec })),
    ],
  },
  {
    version: 16,
    name: 'catalog_entries',
    statements: [{ kind: 'table', spec: catalogEntriesTable }],
  },
  {
    version: 17,
    name: 'attachments',
    statements: [{ kind: 'table', spec: attachmentsTable }],
  },
  {
    version: 18,
    name: 'alerts',
    statements: [{ kind: 'table', spec: alertsTable }],
  },
  {
    version: 19,
    name: 'error_reports',
    statements: [{ kind: 'table', spec: errorReportsTable }],
  },
  {
    version: 20,
    name: 'open_data_living',
    statements: [
      ...(
        [
          { name: 'refresh', type: 'LowCardinality(String)', default: "'quarterly'", comment: 'monthly | quarterly | yearly | never: when it is published again' },
          { name: 'owner', type: 'String', default: "''", comment: 'the agency whose data it is, when an agency proposed it' },
        ] as const
      ).map((column) => ({ kind: 'add_column' as const, table: openDatasetsTable, column })),
      ...[openDataVersionsTable, openDataProposalsTable].map((spec) => ({ kind: 'table' as const, spec })),
    ],
  },
  {
    version: 21,
    name: 'run_how',
    statements: [
      {
        kind: 'add_column',
        table: runsTable,
        column: { name: 'how', type: 'LowCardinality(String)', default: "'whole'", comment: 'whole | loads | keys | difference: how the run built the model' },
      },
    ],
  },
  {
    version: 22,
    name: 'pull_hosts',
    statements: [{ kind: 'table', spec: pullHostsTable }],
  },
]

/**
 * A table's shape after every migration: its CREATE from the migration that made it, with the
 * columns later migrations added or changed. What code that writes whole tables (replaceRows) uses.
 */
export function currentTable(database: TableSpec['database'], name: string, list: Migration[] = migrations): TableSpec {
  let spec: TableSpec | null = null
  for (const m of list) {
    for (const st of m.statements) {
      if (st.kind === 'table' && st.spec.database === database && st.spec.name === name) spec = { ...st.spec, columns: [...st.spec.columns] }
      else if ((st.kind === 'add_column' || st.kind === 'modify_column') && spec && st.table.database === database && st.table.name === name) {
        const i = spec.columns.findIndex((c) => c.name === st.column.name)
        if (st.kind === 'add_column' && i < 0) spec.columns.push(st.column)
        else if (i >= 0) spec.columns[i] = st.column
      }
    }
  }
  if (!spec) throw new Error(`no migration creates ${database}.${name}`)
  return spec
}
