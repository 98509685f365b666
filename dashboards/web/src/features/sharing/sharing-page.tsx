import { api } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang, type Key } from '../../i18n.ts'
import { RequestForm } from './components/request-form.tsx'
import { RequestTable, type Names } from './components/request-table.tsx'
import { UsagePanel } from './components/usage-panel.tsx'
import { datasetTitle } from './sharing-types.ts'
import type { ListedRequest, ShareableDataset } from '../../../../../infra/contracts/sharing.ts'

const SCOPE: Record<ShareableDataset['scope'], Key> = { noi_bo: 'scopeInternal', dung_chung: 'scopeShared', mo: 'scopeOpen' }
const ACCESS: Record<ShareableDataset['access'], Key> = { owner: 'accessOwner', consumer: 'accessConsumer', granted: 'accessGranted', none: 'accessNone' }

/**
 * Sharing between agencies: what the agency holds and may ask for, its requests and their
 * decisions, the requests for its own data to decide, and how its data is used.
 */
export default function SharingPage() {
  const { t, lang } = useLang()
  const { account } = useAuth()
  const data = useAsync(
    () =>
      Promise.all([
        api<ShareableDataset[]>('/api/sharing/datasets'),
        api<ListedRequest[]>('/api/sharing/requests'),
        api<{ code: string; name: string }[]>('/api/catalog/agencies'),
      ]),
    [],
  )
  const officer = account?.role === 'agency_officer'
  return (
    <div data-testid="sharing-page">
      <div className="toolbar">
        <h1>{t('sharing')}</h1>
      </div>
      <Show value={data}>
        {([datasets, requests, agencies]) => {
          const names: Names = { agency: new Map(agencies.map((a) => [a.code, a.name])), datasets }
          const owned = new Set(datasets.filter((d) => d.owner === account?.agency).map((d) => d.id))
          const mine = requests.filter((r) => officer && r.agency === account?.agency)
          const toDecide = requests.filter((r) => !officer || owned.has(r.dataset))
          return (
            <>
              {officer && (
                <section className="panel">
                  <h2>{t('dataset')}</h2>
                  <DataTable<ShareableDataset>
                    testId="shareable"
                    rows={datasets}
                    columns={[
                      { key: 'name', header: t('dataset'), value: (d) => datasetTitle(d, lang) },
                      { key: 'owner_name', header: t('owner'), as: 'name' },
                      { key: 'scope', header: t('scope'), value: (d) => t(SCOPE[d.scope]) },
                      { key: 'access', header: t('access'), cell: (d) => <span data-access={d.access}>{t(ACCESS[d.access])}</span> },
                    ]}
                  />
                </section>
              )}
              {officer && <RequestForm datasets={datasets} onSent={data.reload} />}
              {officer && (
                <section className="panel">
                  <h2>{t('myRequests')}</h2>
                  <RequestTable testId="my-requests" rows={mine} side="requester" names={names} onChange={data.reload} />
                </section>
              )}
              {toDecide.length > 0 && (
                <section className="panel">
                  <h2>{t('toDecide')}</h2>
                  <RequestTable testId="to-decide" rows={toDecide} side="owner" names={names} onChange={data.reload} />
                </section>
              )}
              <UsagePanel names={names} />
            </>
          )
        }}
      </Show>
    </div>
  )
}
