import { useState } from 'react'
import { api } from '../../../api.ts'
import { Empty, Feedback, useAttempt } from '../../../components/async.tsx'
import { ApproveForm, type Approval } from './approve-form.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang, type Key } from '../../../i18n.ts'
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
export function RequestTable({ rows, side, names, onChange, testId, empty }: { rows: ListedRequest[]; side: Side; names: Names; onChange: () => unknown; testId: string; empty: string }) {
  const { t, fmt, lang } = useLang()
  const [notes, setNotes] = useState<Record<string, string>>({})
  // The request whose approval is being narrowed, in the form below the table.
  const [approving, setApproving] = useState<string | null>(null)
  const attempt = useAttempt(async () => {
    await onChange()
    // The navigation's count of requests waiting for a decision.
    window.dispatchEvent(new Event('kho:sharing-changed'))
  })
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
  const DONE: Record<string, Key> = { approve: 'doneApproved', refuse: 'doneRefused', suspend: 'doneSuspended', resume: 'doneResumed', end: 'doneEnded', withdraw: 'doneWithdrawn' }
  const act = (r: ListedRequest, step: string, approval?: Approval) =>
    attempt.attempt(
      async () => {
        const note = approval?.note ?? notes[r.id] ?? ''
        if (step === 'approve') await api(`/api/sharing/requests/${r.id}/decision`, { body: { approve: true, ...approval, note } })
        else if (step === 'refuse') await api(`/api/sharing/requests/${r.id}/decision`, { body: { approve: false, note } })
        else {
          const status = { suspend: 'suspended', resume: 'approved', end: 'ended', withdraw: 'withdrawn' }[step]
          await api(`/api/sharing/requests/${r.id}/status`, { body: { status, note } })
        }
        setNotes({ ...notes, [r.id]: '' })
        setApproving(null)
      },
      `${r.id}:${step}`,
      `${r.id}: ${t(DONE[step]!)}`,
    )
  const approvingRow = rows.find((r) => r.id === approving)
  if (rows.length === 0) return <Empty>{empty}</Empty>
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
                    <button
                      key={s}
                      type="button"
                      data-action={s}
                      disabled={attempt.busy !== null}
                      // Approving opens the form that narrows it; every other step is taken at once.
                      onClick={() => (s === 'approve' ? setApproving(r.id) : void act(r, s))}
                    >
                      {attempt.busy === `${r.id}:${s}` ? t('working') : t(s)}
                    </button>
                  ))}
                </span>
              )
            },
          },
        ]}
      />
      {approvingRow && (
        <ApproveForm
          key={approvingRow.id}
          request={approvingRow}
          dataset={dataset(approvingRow.dataset)}
          busy={attempt.busy !== null}
          onApprove={(a) => void act(approvingRow, 'approve', a)}
          onCancel={() => setApproving(null)}
        />
      )}
      <Feedback of={attempt} />
    </>
  )
}
