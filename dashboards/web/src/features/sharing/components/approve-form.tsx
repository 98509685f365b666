import { useState, type FormEvent } from 'react'
import { DateInput } from '../../../components/date-input.tsx'
import { useLang } from '../../../i18n.ts'
import type { ListedRequest, ShareableDataset } from '../../../../../../infra/contracts/sharing.ts'

/** What an approval grants: the API's decision body (semantic/sharing/sharing-routes.ts). */
export interface Approval {
  views: string[]
  members: string[]
  starts_on: string
  ends_on: string
  note: string
}

/** An approval with the signer's letter, sent first. */
export interface SignedApproval extends Approval {
  letter: File
}

/**
 * A side (the owner, the operator) narrows an approval before giving it, with its signed letter:
 * fewer views, fewer members of a view, a shorter period (never wider than asked, or than what the
 * other side approved: the API refuses that too). Everything still on offer starts checked.
 */
export function ApproveForm({ request, dataset, busy, onApprove, onCancel }: { request: ListedRequest; dataset: ShareableDataset | undefined; busy: boolean; onApprove: (a: SignedApproval) => void; onCancel: () => void }) {
  const { t, lang } = useLang()
  const asked = request.decisions.length > 0 ? { views: request.granted_views, members: request.granted_members } : { views: request.views, members: request.members }
  const views = (dataset?.views ?? []).filter((v) => asked.views.includes(v.name) || asked.members.some((m) => m.startsWith(`${v.name}.`)))
  // A view asked for whole offers all its members; one asked for by member offers those.
  const offered = (v: (typeof views)[number]) => {
    const named = asked.members.filter((m) => m.startsWith(`${v.name}.`))
    return named.length > 0 ? v.members.filter((m) => named.includes(m.name)) : v.members
  }
  const [kept, setKept] = useState<Set<string>>(() => new Set(views.map((v) => v.name)))
  const [members, setMembers] = useState<Set<string>>(() => new Set(views.flatMap((v) => offered(v).map((m) => m.name))))
  const [starts, setStarts] = useState(request.starts_on)
  const [ends, setEnds] = useState(request.ends_on)
  const [note, setNote] = useState('')
  const [letter, setLetter] = useState<File | null>(null)

  const flip = (set: Set<string>, put: (s: Set<string>) => void, x: string) => {
    const next = new Set(set)
    if (next.has(x)) next.delete(x)
    else next.add(x)
    put(next)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const out: Approval = { views: [], members: [], starts_on: starts, ends_on: ends, note }
    for (const v of views) {
      if (!kept.has(v.name)) continue
      const chosen = offered(v).filter((m) => members.has(m.name))
      if (chosen.length === 0) continue
      // Asked whole and left whole: granted whole (members the view gains later included, as asked).
      if (chosen.length === v.members.length && !asked.members.some((m) => m.startsWith(`${v.name}.`))) out.views.push(v.name)
      else {
        out.views.push(v.name)
        out.members.push(...chosen.map((m) => m.name))
      }
    }
    if (letter) onApprove({ ...out, letter })
  }
  const nothing = views.every((v) => !kept.has(v.name) || offered(v).every((m) => !members.has(m.name)))
  const outside = starts < request.starts_on || ends > request.ends_on || starts > ends
  return (
    <form className="panel approve-form" onSubmit={submit} data-testid="approve-form" aria-label={t('approveTitle')}>
      <h3>
        {t('approveTitle')} <span translate="no">{request.id}</span>
      </h3>
      <p className="hint">{t('approveHint')}</p>
      <fieldset>
        <legend>{t('views')}</legend>
        {views.map((v) => (
          <div key={v.name} className="choice-group">
            <label className="inline">
              <input type="checkbox" data-view={v.name} checked={kept.has(v.name)} onChange={() => flip(kept, setKept, v.name)} /> {lang === 'vi' ? v.title : v.title_en}
            </label>
            {kept.has(v.name) && (
              <div className="choices" aria-label={t('members')}>
                {offered(v).map((m) => (
                  <label key={m.name} className="inline small">
                    <input type="checkbox" data-member={m.name} checked={members.has(m.name)} onChange={() => flip(members, setMembers, m.name)} /> {lang === 'vi' ? m.title : m.title_en}
                    {m.personal ? ' 🔒' : ''}
                  </label>
                ))}
              </div>
            )}
          </div>
        ))}
      </fieldset>
      <div className="form-row">
        <label>
          {t('startsOn')}
          <DateInput value={starts} onChange={setStarts} aria-label={t('startsOn')} />
        </label>
        <label>
          {t('endsOn')}
          <DateInput value={ends} onChange={setEnds} aria-label={t('endsOn')} />
        </label>
        <label>
          {t('note')}
          <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
      </div>
      <label>
        {t('approvalLetter')}
        <input type="file" name="letter" required accept=".pdf,.doc,.docx,.odt,.jpg,.jpeg,.png,.tif,.tiff" onChange={(e) => setLetter(e.target.files?.[0] ?? null)} />
      </label>
      {outside && <p className="state error">{t('approveOutside')}</p>}
      <div className="actions">
        <button type="submit" data-action="confirm-approve" disabled={busy || nothing || outside || !letter}>
          {busy ? t('working') : t('approve')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('cancel')}
        </button>
      </div>
    </form>
  )
}
