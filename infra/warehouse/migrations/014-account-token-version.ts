import { type Migration } from './migration.ts'
import { accountsTable } from './008-accounts-and-audit.ts'

export const migration: Migration = {
  version: 14,
  name: 'account_token_version',
  statements: [{ kind: 'add_column', table: accountsTable, column: { name: 'token_version', type: 'UInt32', default: '0', comment: 'bumped to revoke the tokens an account holds' } }],
}
