import { useRef, useState } from 'react'
import { api } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang, type Key } from '../../i18n.ts'
import { RequestForm } from './components/request-form.tsx'
import { RequestTable, type Names } from './components/request-table.tsx'
import { UsagePanel } from './components/usage-panel.tsx'
import { datasetTitle } from './sharing-types.ts'
import { Tabs } from '../../components/tabs.tsx'
import { awaitsCaller, type ListedRequest, type ShareableDataset } from '../../../../../infra/contracts/sharing.ts'

const SCOPE: Record<ShareableDataset['scope'], Key> = { noi_bo: 'scopeInternal', dung_chung: 'scopeShared', mo: 'scopeOpen' }
const ACCESS: Record<ShareableDataset['access'], Key> = { owner: 'accessOwner', consumer: 'accessConsumer', granted: 'accessGranted', open: 'accessOpen', none: 'accessNone' }

type SharingTab = 'incoming' | 'outgoing' | 'datasets' | 'usage'

/**
 * Sharing between agencies, one tab each: what others ask of the agency (to decide, with how many
 * wait), what it asks of others, the datasets and its access to each, and how its data is used.
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
        // The agency's own consuming systems, which a request may be for.
        account?.role === 'agency_officer' ? api<{ id: string; name: string; disabled: boolean }[]>('/api/admin/systems') : Promise.resolve([]),
      ]),
    [],
  )
  const officer = account?.role === 'agency_officer'
  const [chosen, setChosen] = useState<SharingTab | null>(null)
  // The tab the page opened on stays open after a decision empties its count.
  const opened = useRef<SharingTab | null>(null)
  return (
    <div data-testid="sharing-page">
      <div className="toolbar">
        <h1>{t('sharing')}</h1>
      </div>
      <Show value={data}>
        {([datasets, requests, agencies, systems]) => {
          const names: Names = { agency: new Map(agencies.map((a) => [a.code, a.name])), datasets }
          const mine = requests.filter((r) => officer && r.agency === account?.agency)
          const toDecide = requests.filter((r) => r.decides)
          const waiting = toDecide.filter(awaitsCaller).length
          // A steward decides for every agency and asks for nothing; an officer starts where something waits.
          opened.current ??= !officer || waiting > 0 ? 'incoming' : 'outgoing'
          const tab: SharingTab = chosen ?? opened.current
          return (
            <>
              <Tabs<SharingTab>
                value={tab}
                onChange={setChosen}
                tabs={[
                  { key: 'incoming', label: officer ? t('toDecide') : t('toDecideSteward'), count: waiting, testId: 'tab-incoming' },
                  ...(officer
                    ? [
                        { key: 'outgoing' as const, label: t('myRequests'), testId: 'tab-outgoing' },
                        { key: 'datasets' as const, label: t('datasetsTab'), testId: 'tab-datasets' },
                      ]
                    : []),
                  { key: 'usage', label: t('usage'), testId: 'tab-usage' },
                ]}
              />
              {tab === 'incoming' && (
                <section className="panel">
                  <h2>{officer ? t('toDecide') : t('toDecideSteward')}</h2>
                  <RequestTable testId="to-decide" rows={toDecide} side="signer" names={names} onChange={data.reload} empty={t('noToDecide')} />
                </section>
              )}
              {tab === 'outgoing' && (
                <>
                  <RequestForm datasets={datasets} systems={systems.filter((x) => !x.disabled)} onSent={data.reload} />
                  <section className="panel">
                    <h2>{t('myRequests')}</h2>
                    <RequestTable testId="my-requests" rows={mine} side="requester" names={names} onChange={data.reload} empty={t('noMyRequests')} />
                  </section>
                </>
              )}
              {tab === 'datasets' && (
                <section className="panel">
                  <h2>{t('datasetsTab')}</h2>
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
              {tab === 'usage' && <UsagePanel names={names} />}
            </>
          )
        }}
      </Show>
    </div>
  )
}
