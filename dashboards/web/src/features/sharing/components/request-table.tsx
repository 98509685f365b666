import { useState } from 'react'
import { api, download } from '../../../api.ts'
import { Empty, Feedback, useAttempt } from '../../../components/async.tsx'
import { ApproveForm, type SignedApproval } from './approve-form.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang, type Key } from '../../../i18n.ts'
import { datasetTitle, sendLetter } from '../sharing-types.ts'
import { FREQUENCY_WORDS, LEVEL_WORDS, METHOD_WORDS, SIGNATURE_SIDES, type ListedRequest, type RequestStatus, type ShareableDataset, type SignatureSide } from '../../../../../../infra/contracts/sharing.ts'

/** Names to show instead of codes: agencies, and datasets with their views' and members' titles. */
export interface Names {
  agency: Map<string, string>
  datasets: ShareableDataset[]
}

/** Which table: the requests the caller's side signs (owner or operator), or its agency's own. */
export type Side = 'requester' | 'signer'

type Step = 'approve' | 'refuse' | 'suspend' | 'resume' | 'end' | 'withdraw'

/** The steps the viewing side may take on a request now (the API checks them again). */
function stepsOf(side: Side, r: ListedRequest): Step[] {
  if (side === 'signer') {
    if (r.status === 'pending') return r.signs_as && r.request_letter ? ['approve', 'refuse'] : []
    return r.decides ? ({ approved: ['suspend', 'end'], suspended: ['resume', 'end'] } as Partial<Record<RequestStatus, Step[]>>)[r.status] ?? [] : []
  }
  return ({ pending: ['withdraw'], approved: ['end'], suspended: ['end'] } as Partial<Record<RequestStatus, Step[]>>)[r.status] ?? []
}

const SIDE_WORDS: Record<SignatureSide, Key> = { owner: 'sideOwner', operator: 'sideOperator' }

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
  const inLang = (pair: readonly [string, string]) => pair[lang === 'vi' ? 0 : 1]
  const title = (r: ListedRequest, name: string) => {
    const views = dataset(r.dataset)?.views ?? []
    const found = views.find((v) => v.name === name) ?? views.flatMap((v) => v.members).find((m) => m.name === name)
    return found ? (lang === 'vi' ? found.title : found.title_en) : name
  }
  const scope = (r: ListedRequest) => {
    const pending = r.status === 'pending' || r.status === 'refused' || r.status === 'withdrawn'
    return [...(pending ? r.views : r.granted_views), ...(pending ? r.members : r.granted_members)].map((n) => title(r, n)).join(', ') || '—'
  }
  const DONE: Record<string, Key> = { approve: 'doneApproved', refuse: 'doneRefused', suspend: 'doneSuspended', resume: 'doneResumed', end: 'doneEnded', withdraw: 'doneWithdrawn', letter: 'sent' }
  /** A letter the asking side attaches after sending (the written request when it failed to go, a third party's commitment). */
  const attachLetter = (r: ListedRequest, kind: 'request' | 'commitment', file: File) => attempt.attempt(() => sendLetter(r.id, kind, file), `${r.id}:letter`, `${r.id}: ${t('sent')}`)
  const act = (r: ListedRequest, step: string, approval?: SignedApproval) =>
    attempt.attempt(
      async () => {
        const note = approval?.note ?? notes[r.id] ?? ''
        if (step === 'approve' && approval) {
          const { letter: file, ...scope } = approval
          const letter = await sendLetter(r.id, r.signs_as!, file)
          await api(`/api/sharing/requests/${r.id}/decision`, { body: { approve: true, ...scope, note, letter } })
        }
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
  const signWord = (r: ListedRequest, sd: SignatureSide) => {
    const d = r.decisions.find((x) => x.side === sd)
    return d ? `${t(d.approve ? 'signAgreed' : 'signRefused')} (${d.by})` : r.status === 'pending' ? t('signWaiting') : '—'
  }
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
          {
            key: 'level',
            header: t('level'),
            value: (r) => `${inLang(LEVEL_WORDS[r.level])}; ${inLang(METHOD_WORDS[r.method])}; ${inLang(FREQUENCY_WORDS[r.frequency])}${r.recipient === 'system' ? ` — ${t('system')} ${r.system_id}` : ''}`,
          },
          {
            key: 'decisions',
            header: t('signatures'),
            value: (r) => SIGNATURE_SIDES.map((sd) => `${t(SIDE_WORDS[sd])}: ${signWord(r, sd)}`).join('; '),
            cell: (r) => (
              <span className="signatures">
                {!r.request_letter && r.status === 'pending' ? <span className="hint">{t('noLetterYet')}</span> : null}
                {SIGNATURE_SIDES.map((sd) => {
                  const d = r.decisions.find((x) => x.side === sd)
                  return (
                    <span key={sd} data-side={sd} data-signed={d ? (d.approve ? 'approved' : 'refused') : 'waiting'} className="signature">
                      {t(SIDE_WORDS[sd])}: {signWord(r, sd)}
                      {d?.letter ? (
                        <>
                          {' '}
                          <button type="button" className="linkish" onClick={() => void download(`/api/attachments/${d.letter}`, `${r.id}-${sd}.pdf`).catch(() => undefined)}>
                            ({t('letterOf')})
                          </button>
                        </>
                      ) : null}
                    </span>
                  )
                })}
              </span>
            ),
          },
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
              const steps = stepsOf(side, r)
              const letters =
                side === 'requester' && r.status === 'pending' ? (
                  <>
                    {!r.request_letter && (
                      <label className="inline small">
                        {t('attachRequestLetter')} <input type="file" data-letter="request" aria-label={t('attachRequestLetter')} onChange={(e) => e.target.files?.[0] && void attachLetter(r, 'request', e.target.files[0])} />
                      </label>
                    )}
                    {r.recipient === 'system' && !r.commitment_letter && (
                      <label className="inline small">
                        {t('attachCommitment')} <input type="file" data-letter="commitment" aria-label={t('attachCommitment')} onChange={(e) => e.target.files?.[0] && void attachLetter(r, 'commitment', e.target.files[0])} />
                      </label>
                    )}
                  </>
                ) : null
              if (steps.length === 0) return letters
              return (
                <span className="actions">
                  {letters}
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
