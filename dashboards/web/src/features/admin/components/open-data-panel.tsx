import { useState } from 'react'
import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useNames } from '../../../catalog-data.ts'
import { useLang } from '../../../i18n.ts'

interface Proposal {
  id: string
  dataset_id: string
  title: string
  description: string
  refresh: string
  agency: string
  proposed_by: string
  status: 'pending' | 'approved' | 'refused'
  note: string
  created_at: string
}

/** Open data the owner agencies proposed: a steward approves (it is published under the agency) or refuses with a reason. */
export function OpenDataPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const [version, setVersion] = useState(0)
  const [notes, setNotes] = useState<Record<string, string>>({})
  const proposals = useAsync(() => api<Proposal[]>('/api/open-data/proposals'), [version])
  const decide = async (id: string, decision: 'approve' | 'refuse') => {
    await api(`/api/open-data/proposals/${encodeURIComponent(id)}/decide`, { body: { decision, note: notes[id] ?? '' } })
    setVersion((v) => v + 1)
  }
  return (
    <section className="panel">
      <h2>{t('openDataProposals')}</h2>
      <Show value={proposals}>
        {(list) => (
          <DataTable<Proposal>
            testId="open-data-proposals"
            rows={list}
            empty={t('emptyOpenDataProposals')}
            columns={[
              { key: 'title', header: t('openDataTitle'), as: 'name' },
              { key: 'agency', header: t('agency'), value: (p) => names.agency(p.agency), as: 'name' },
              { key: 'refresh', header: t('openDataRefresh'), value: (p) => t(`refresh_${p.refresh as 'monthly'}`) },
              { key: 'created_at', header: t('alertOpened'), cell: (p) => fmt.date(p.created_at) },
              {
                key: 'status',
                header: t('status'),
                cell: (p) =>
                  p.status === 'pending' ? (
                    <span className="form-row">
                      <input aria-label={t('note')} value={notes[p.id] ?? ''} onChange={(e) => setNotes({ ...notes, [p.id]: e.target.value })} />
                      <button type="button" onClick={() => void decide(p.id, 'approve')}>
                        {t('approve')}
                      </button>
                      <button type="button" onClick={() => void decide(p.id, 'refuse')}>
                        {t('refuse')}
                      </button>
                    </span>
                  ) : (
                    <span className={`badge request-${p.status === 'approved' ? 'approved' : 'refused'}`}>{fmt.status(`request.${p.status}`)}</span>
                  ),
              },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
