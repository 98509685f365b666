import { type Migration } from './migration.ts'
import { runsTable } from './006-transform-runs.ts'

export const migration: Migration = {
  version: 21,
  name: 'run_how',
  statements: [
    {
      kind: 'add_column',
      table: runsTable,
      column: { name: 'how', type: 'LowCardinality(String)', default: "'whole'", comment: 'whole | loads | keys | difference: how the run built the model' },
    },
  ],
}
