import { type Migration } from './migration.ts'
import { loadsTable } from './003-loads.ts'

export const migration: Migration = {
  version: 24,
  name: 'load_delivered_by',
  statements: [
    {
      kind: 'add_column',
      table: loadsTable,
      column: {
        name: 'delivered_by',
        type: 'String',
        default: "''",
        comment: 'who delivered: account:<username> | cli:<OS user> | push-key:<key id> | pull:<source> | inbox | demo | file (in-process)',
      },
    },
  ],
}
