import { api, download } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang, type Key } from '../../../i18n.ts'

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

/** The periodic account review, on the page and as a workbook. */
export function ReviewPanel() {
  const { t } = useLang()
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
                <DataTable<Row> rows={r[list]} columns={keys.map((key) => ({ key, header: key }))} />
              </details>
            ))}
          </>
        )}
      </Show>
    </section>
  )
}
