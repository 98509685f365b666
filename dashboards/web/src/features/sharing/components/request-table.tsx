import { useState } from 'react'
import { api, ApiError } from '../../../api.ts'
import { ErrorBox } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { datasetTitle } from '../sharing-types.ts'
import type { ListedRequest, RequestStatus, ShareableDataset } from '../../../../../../infra/contracts/sharing.ts'

/** Names to show instead of codes: agencies, and datasets with their views' and members' titles. */
export interface Names {
  agency: Map<string, string>
  datasets: ShareableDataset[]
}

export type Side = 'requester' | 'owner'

/** The steps each side may take from each status (the API checks them again). */
const STEPS: Record<Side, Partial<Record<RequestStatus, ('approve' | 'refuse' | 'suspend' | 'resume' | 'end' | 'withdraw')[]>>> = {
  owner: { pending: ['approve', 'refuse'], approved: ['suspend', 'end'], suspended: ['resume', 'end'] },
  requester: { pending: ['withdraw'], approved: ['end'], suspended: ['end'] },
}

/** Requests with their status, and the steps the side viewing them may take, each with a note. */
export function RequestTable({ rows, side, names, onChange, testId }: { rows: ListedRequest[]; side: Side; names: Names; onChange: () => void; testId: string }) {
  const { t, fmt, lang } = useLang()
  const [notes, setNotes] = useState<Record<string, string>>({})
  const [error, setError] = useState<Error | null>(null)
  const dataset = (id: string) => names.datasets.find((d) => d.id === id)
  const title = (r: ListedRequest, name: string) => {
    const views = dataset(r.dataset)?.views ?? []
    const found = views.find((v) => v.name === name) ?? views.flatMap((v) => v.members).find((m) => m.name === name)
    return found ? (lang === 'vi' ? found.title : found.title_en) : name
  }
  const scope = (r: ListedRequest) => {
    const pending = r.status === 'pending' || r.status === 'refused' || r.status === 'withdrawn'
    return [...(pending ? r.views : r.granted_views), ...(pending ? r.members : r.granted_members)].map((n) => title(r, n)).join(', ') || '—'
  }
  const act = async (r: ListedRequest, step: string) => {
    const note = notes[r.id] ?? ''
    try {
      if (step === 'approve' || step === 'refuse') await api(`/api/sharing/requests/${r.id}/decision`, { body: { approve: step === 'approve', note } })
      else {
        const status = { suspend: 'suspended', resume: 'approved', end: 'ended', withdraw: 'withdrawn' }[step]
        await api(`/api/sharing/requests/${r.id}/status`, { body: { status, note } })
      }
      setError(null)
      setNotes({ ...notes, [r.id]: '' })
      onChange()
    } catch (err) {
      setError(err as ApiError)
    }
  }
  return (
    <>
      <DataTable<ListedRequest>
        testId={testId}
        rows={rows}
        columns={[
          { key: 'id', header: t('code') },
          { key: 'dataset', header: t('dataset'), value: (r) => datasetTitle(dataset(r.dataset), lang, r.dataset) },
          { key: 'agency', header: t('agency'), value: (r) => names.agency.get(r.agency) ?? r.agency, as: 'name' },
          { key: 'requester', header: t('requester'), as: 'code' },
          { key: 'members', header: t('views'), value: scope },
          // The requester's own words, shown as written.
          { key: 'purpose', header: t('purpose'), as: 'name' },
          { key: 'starts_on', header: t('startsOn'), cell: (r) => fmt.day(r.starts_on) },
          { key: 'ends_on', header: t('endsOn'), cell: (r) => fmt.day(r.ends_on) },
          {
            key: 'status',
            header: t('status'),
            cell: (r) => (
              <span className={`badge request-${r.status}`} data-status={r.status}>
                {fmt.status(`request.${r.status}`)}
                {r.in_force ? ` · ${t('inForce')}` : ''}
              </span>
            ),
          },
          { key: 'decision_note', header: t('note'), as: 'name' },
          {
            key: 'actions',
            header: t('decision'),
            value: () => '',
            cell: (r) => {
              const steps = STEPS[side][r.status] ?? []
              if (steps.length === 0) return null
              return (
                <span className="actions">
                  <input aria-label={t('note')} placeholder={t('note')} value={notes[r.id] ?? ''} onChange={(e) => setNotes({ ...notes, [r.id]: e.target.value })} />
                  {steps.map((s) => (
                    <button key={s} type="button" data-action={s} onClick={() => void act(r, s)}>
                      {t(s)}
                    </button>
                  ))}
                </span>
              )
            },
          },
        ]}
      />
      {error && <ErrorBox error={error} />}
    </>
  )
}
