import type { TableSpec } from './ddl.ts'
import type { Migration } from './migrations/migration.ts'
import { migration as v01 } from './migrations/001-layers.ts'
import { migration as v02 } from './migrations/002-catalogue.ts'
import { migration as v03 } from './migrations/003-loads.ts'
import { migration as v04 } from './migrations/004-rejects.ts'
import { migration as v05 } from './migrations/005-api-keys.ts'
import { migration as v06 } from './migrations/006-transform-runs.ts'
import { migration as v07 } from './migrations/007-commune-crosswalk.ts'
import { migration as v08 } from './migrations/008-accounts-and-audit.ts'
import { migration as v09 } from './migrations/009-calendar.ts'
import { migration as v10 } from './migrations/010-outlier-reviews.ts'
import { migration as v11 } from './migrations/011-job-runs.ts'
import { migration as v12 } from './migrations/012-saved-queries.ts'
import { migration as v13 } from './migrations/013-open-data.ts'
import { migration as v14 } from './migrations/014-account-token-version.ts'
import { migration as v15 } from './migrations/015-sharing.ts'
import { migration as v16 } from './migrations/016-catalog-entries.ts'
import { migration as v17 } from './migrations/017-attachments.ts'
import { migration as v18 } from './migrations/018-alerts.ts'
import { migration as v19 } from './migrations/019-error-reports.ts'
import { migration as v20 } from './migrations/020-open-data-living.ts'
import { migration as v21 } from './migrations/021-run-how.ts'
import { migration as v22 } from './migrations/022-pull-hosts.ts'
import { migration as v23 } from './migrations/023-ask-synonyms.ts'
import { migration as v24 } from './migrations/024-load-delivered-by.ts'
import { migration as v25 } from './migrations/025-load-events.ts'
import { migration as v26 } from './migrations/026-sharing-signatures.ts'
import { migration as v27 } from './migrations/027-dataset-guides.ts'
import { migration as v28 } from './migrations/028-agency-ranking.ts'

/**
 * Versioned warehouse schema. A migration, once released, never changes: the runner stores a
 * checksum of each and refuses to start if an applied one was edited, and released-migrations.test.ts
 * pins every released checksum. Each migration is a file of migrations/ (NNN-name.ts) holding the
 * tables it creates: the text of released migrations — frozen, never edited. A schema change is a new migration (add_column, modify_column, a new table), and a
 * table's shape today is what the migrations make of it (currentTable), never a spec edited in place.
 */
/** Every migration, in order. */
export const migrations: Migration[] = [v01, v02, v03, v04, v05, v06, v07, v08, v09, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28]

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
