import type { TableSpec } from '../ddl.ts'
import { type Migration, released } from './migration.ts'

/** Pre-2025 commune codes and the 2025 unit each now belongs to (seed data, dated). */
export const communeCrosswalkTable: TableSpec = released({
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

export const migration: Migration = {
  version: 7,
  name: 'commune_crosswalk',
  statements: [{ kind: 'table', spec: communeCrosswalkTable }],
}
