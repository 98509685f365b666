import { api, download } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang, type Key } from '../../../i18n.ts'
import { useNames } from '../../../catalog-data.ts'

type Row = Record<string, string | null>
interface Review {
  as_of: string
  unused: Row[]
  personal_data: Row[]
  grants_ending: Row[]
  old_keys: Row[]
}

const LISTS: [keyof Omit<Review, 'as_of'>, Key, string[]][] = [
  ['unused', 'unusedAccounts', ['username', 'display_name', 'role', 'agency', 'last_sign_in']],
  ['personal_data', 'personalAccounts', ['username', 'display_name', 'role', 'agency', 'last_sign_in']],
  ['grants_ending', 'grantsEnding', ['id', 'dataset', 'agency', 'ends_on', 'requester']],
  ['old_keys', 'oldKeys', ['system_id', 'system_name', 'agency', 'key_id', 'created_at']],
]

/** Each field's header, and whether it is a day, a code or a name. */
const FIELDS: Record<string, { header: Key; kind?: 'date' | 'day' | 'code' | 'name' | 'role' | 'agency' | 'dataset' }> = {
  username: { header: 'username', kind: 'code' },
  display_name: { header: 'displayName', kind: 'name' },
  role: { header: 'role', kind: 'role' },
  agency: { header: 'agency', kind: 'agency' },
  last_sign_in: { header: 'lastSignIn', kind: 'date' },
  id: { header: 'requestId', kind: 'code' },
  dataset: { header: 'dataset', kind: 'dataset' },
  ends_on: { header: 'endsOn', kind: 'day' },
  requester: { header: 'requester', kind: 'code' },
  system_id: { header: 'systemId', kind: 'code' },
  system_name: { header: 'displayName', kind: 'name' },
  key_id: { header: 'keyId', kind: 'code' },
  created_at: { header: 'createdAt', kind: 'date' },
}

/** The periodic account review, on the page and as a workbook. */
export function ReviewPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const review = useAsync(() => api<Review>('/api/admin/account-review'), [])
  return (
    <section className="panel" data-testid="account-review">
      <div className="toolbar">
        <h2>{t('review')}</h2>
        <button type="button" onClick={() => void download('/api/admin/account-review?format=xlsx', 'ra_soat_tai_khoan.xlsx')}>
          {t('downloadXlsx')}
        </button>
      </div>
      <Show value={review}>
        {(r) => (
          <>
            {LISTS.map(([list, title, keys]) => (
              <details key={list} open={r[list].length > 0}>
                <summary>
                  {t(title)}: {r[list].length}
                </summary>
                <DataTable<Row>
                  rows={r[list]}
                  empty={t('reviewNothing')}
                  columns={keys.map((key) => {
                    const f = FIELDS[key]!
                    const v = (row: Row) => String(row[key] ?? '')
                    switch (f.kind) {
                      case 'date':
                        return { key, header: t(f.header), cell: (row: Row) => fmt.date(row[key]) }
                      case 'day':
                        return { key, header: t(f.header), cell: (row: Row) => fmt.day(row[key]) }
                      case 'role':
                        return { key, header: t(f.header), value: (row: Row) => (row[key] ? fmt.status(`role.${v(row)}`) : '') }
                      case 'agency':
                        return { key, header: t(f.header), value: (row: Row) => names.agency(v(row)), as: 'name' as const }
                      case 'dataset':
                        return { key, header: t(f.header), value: (row: Row) => names.dataset(v(row)) }
                      default:
                        return { key, header: t(f.header), ...(f.kind ? { as: f.kind } : {}) }
                    }
                  })}
                />
              </details>
            ))}
          </>
        )}
      </Show>
    </section>
  )
}
