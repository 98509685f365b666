import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { Feedback, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import type { DatasetGuide } from '../../../../../../infra/contracts/guide.ts'
import { GUIDE_NOTES_MAX } from '../../../../../../infra/contracts/guide.ts'

/** A dataset's guide for those who use it (generated from its entry), with the owner's notes first; the owner edits its notes here. */
export function DatasetGuidePanel({ id }: { id: string }) {
  const { t, fmt, lang } = useLang()
  const [version, setVersion] = useState(0)
  const guide = useAsync(() => api<DatasetGuide>(`/api/catalog/datasets/${id}/guide?lang=${lang}`), [id, lang, version])
  const attempted = useAttempt(() => setVersion((v) => v + 1))
  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const text = String(new FormData(e.currentTarget).get('notes') ?? '')
    void attempted.attempt(() => api(`/api/catalog/datasets/${id}/guide`, { method: 'PUT', body: { text } }), 'guide', t('doneSaved'))
  }
  return (
    <Show value={guide}>
      {(g) => (
        <article className="guide" data-testid="dataset-guide" lang={g.lang}>
          <h3>{g.title}</h3>
          {g.notes && (
            <section>
              <h4>{t('ownerNotes')}</h4>
              <p className="pre-line">{g.notes.text}</p>
              <p className="muted">
                {g.notes.by} · {fmt.date(g.notes.at)}
              </p>
            </section>
          )}
          {g.sections.map((s) => (
            <section key={s.heading}>
              <h4>{s.heading}</h4>
              {s.paragraphs.map((p) => (
                <p key={p}>{p}</p>
              ))}
              {s.table && (
                <div className="table-scroll">
                  <table>
                    <thead>
                      <tr>
                        {s.table.headers.map((h) => (
                          <th key={h}>{h}</th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {s.table.rows.map((r) => (
                        <tr key={r[0]}>
                          {r.map((c, i) => (
                            <td key={i}>{c}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {s.code?.map((c) => (
                <div key={c.text}>
                  <p>{c.label}</p>
                  <pre className="code" lang="en">
                    {c.text}
                  </pre>
                </div>
              ))}
            </section>
          ))}
          {g.editable && (
            <form className="form-row" onSubmit={save} data-testid="guide-notes-form">
              <label>
                {t('ownerNotes')}
                <textarea name="notes" rows={4} maxLength={GUIDE_NOTES_MAX} defaultValue={g.notes?.text ?? ''} />
              </label>
              <button type="submit">{t('save')}</button>
              <Feedback of={attempted} />
            </form>
          )}
        </article>
      )}
    </Show>
  )
}
