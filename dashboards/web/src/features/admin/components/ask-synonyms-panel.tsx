import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { Feedback, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import { foldText } from '../../../../../../infra/contracts/question-words.ts'
import type { AskSynonyms } from '../../../../../../infra/contracts/ask.ts'

/** How many indicators and views the list shows before the search narrows it. */
const LISTED = 12

/**
 * How Hỏi đáp may name each indicator and view: the ways kho ships with, and those a steward adds
 * (one per line), read by the next question asked. Found by name or code, typed with or without
 * diacritics.
 */
export function AskSynonymsPanel() {
  const { t, fmt, lang } = useLang()
  const [version, setVersion] = useState(0)
  const [text, setText] = useState('')
  const [editing, setEditing] = useState<string | null>(null)
  const list = useAsync(() => api<AskSynonyms[]>(`/api/ask/synonyms?lang=${lang}`), [version, lang])
  const attempt = useAttempt(() => {
    setEditing(null)
    setVersion((v) => v + 1)
  })
  const words = foldText(text).split(/\s+/).filter(Boolean)
  const save = (e: FormEvent<HTMLFormElement>, subject: string) => {
    e.preventDefault()
    const lines = String(new FormData(e.currentTarget).get('words') ?? '').split('\n')
    void attempt.attempt(() => api(`/api/ask/synonyms/${encodeURIComponent(subject)}`, { method: 'PUT', body: { words: lines } }), subject)
  }
  return (
    <section className="panel" data-testid="ask-synonyms">
      <h2>{t('askSynonyms')}</h2>
      <p className="muted">{t('askSynonymsHint')}</p>
      <label>
        {t('askSynonymsFind')}
        <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('askSynonymsFindPlaceholder')} />
      </label>
      <Feedback of={attempt} />
      <Show value={list} empty={(d) => d.length === 0} say={t('askSynonymsNone')}>
        {(rows) => {
          // What is typed, from the start of a word of the name, the code or a way to say it: "ban le" is
          // "bán lẻ", not "urBANisation … tỷ LỆ" nor "BẰNG cấp … tỷ LỆ".
          const typed = ` ${words.join(' ')}`
          const shown = rows.filter((r) => ` ${foldText(`${r.name} ${r.subject.replace(/_/g, ' ')} ${r.given.join(' ')} ${r.added.join(' ')}`).split(/[^a-z0-9]+/).join(' ')}`.includes(typed))
          return (
            <>
              <ul className="synonym-list">
                {shown.slice(0, LISTED).map((r) => (
                  <li key={r.subject} data-subject={r.subject}>
                    <strong>{r.name}</strong> <span className="muted small">{r.kind === 'view' ? t('askSynonymsView') : t('askSynonymsIndicator')}</span>
                    <p className="small">
                      {/* Ways people type a question, shown as they are typed (in either language). */}
                      {t('askSynonymsGiven')}: {r.given.length > 0 ? <span translate="no">{r.given.join('; ')}</span> : '—'}
                      <br />
                      {t('askSynonymsAdded')}: {r.added.length > 0 ? <span translate="no">{r.added.join('; ')}</span> : '—'}
                      {r.updated_by && (
                        <span className="muted">
                          {' '}
                          ({r.updated_by}, {fmt.date(r.updated_at)})
                        </span>
                      )}
                    </p>
                    {editing === r.subject ? (
                      <form onSubmit={(e) => save(e, r.subject)} aria-label={t('askSynonymsEdit')}>
                        <label>
                          {t('askSynonymsOnePerLine')}
                          <textarea name="words" rows={4} defaultValue={r.added.join('\n')} />
                        </label>
                        <button type="submit" disabled={attempt.busy !== null}>
                          {attempt.busy === r.subject ? t('working') : t('save')}
                        </button>{' '}
                        <button type="button" onClick={() => setEditing(null)}>
                          {t('cancel')}
                        </button>
                      </form>
                    ) : (
                      <button type="button" onClick={() => setEditing(r.subject)}>
                        {t('askSynonymsEdit')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              {shown.length > LISTED && <p className="muted small">{t('askSynonymsMore').replace('{n}', fmt.number(shown.length - LISTED))}</p>}
              {shown.length === 0 && <p className="muted">{t('askSynonymsNoMatch')}</p>}
            </>
          )
        }}
      </Show>
    </section>
  )
}
