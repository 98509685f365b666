import type { TableSpec } from '../ddl.ts'
import { type Migration, released } from './migration.ts'

/** Every day from 2015 to 2035: worked or not and why, and a running count of working days. */
export const calendarTable: TableSpec = released({
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

export const migration: Migration = {
  version: 9,
  name: 'calendar',
  statements: [{ kind: 'table', spec: calendarTable }],
}
