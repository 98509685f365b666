import { type Migration } from './migration.ts'

export const migration: Migration = {
  version: 1,
  name: 'layers',
  statements: (['raw', 'std', 'marts', 'meta'] as const).map((name) => ({ kind: 'database', name })),
}
