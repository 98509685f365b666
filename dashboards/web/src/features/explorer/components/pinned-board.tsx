import type { SavedQuestion } from '../../../../../../infra/contracts/saved-question.ts'
import { timeSlotLabel } from '../../../../../../infra/contracts/question-words.ts'
import { cubeError } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import { EMPTY, type Question, type View } from '../question.ts'
import { runQuestion } from '../run-question.ts'

/** How many of a question's rows a card shows (the whole answer is one click away). */
const CARD_ROWS = 5

/** One pinned question, answered now as the account may see it: one number, or its first rows. */
function Card({ saved, view, onOpen }: { saved: SavedQuestion; view: View | undefined; onOpen: () => void }) {
  const { t, fmt, lang } = useLang()
  const q = { ...EMPTY, ...(saved.ui as Partial<Question>) }
  const answer = useAsync(async () => {
    if (!view) return null
    try {
      return await runQuestion({ ...q, limit: Math.min(q.limit, 500) }, view, t('yearBefore'))
    } catch (err) {
      throw cubeError(err)
    }
  }, [saved.name, saved.updated_at, view?.name])
  const grain = q.time?.granularity
  return (
    <article className="panel board-card" data-testid="board-card">
      <h3>
        <button type="button" className="linkish" onClick={onOpen}>
          {saved.name}
        </button>
      </h3>
      {saved.description && <p className="muted">{saved.description}</p>}
      <Show value={answer} empty={(a) => !a || a.rows.length === 0} say={t('emptyPinned')}>
        {(a) => {
          const measure = a!.columns.find((c) => c.numeric)
          if (a!.rows.length === 1 && measure) return <p className="big-number">{fmt.number(a!.rows[0]![measure.key])}</p>
          return (
            <table>
              <tbody>
                {a!.rows.slice(0, CARD_ROWS).map((r, i) => (
                  <tr key={i}>
                    {a!.columns.map((c) => (
                      <td key={c.key} className={c.numeric ? 'num' : undefined}>
                        {c.numeric ? fmt.number(r[c.key]) : c.key === a!.timeKey ? timeSlotLabel(r[c.key], grain, lang) : String(r[c.key] ?? '—')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }}
      </Show>
    </article>
  )
}

/** The account's own board: its pinned questions, each answered afresh when the explorer opens. */
export function PinnedBoard({ list, views, onOpen }: { list: SavedQuestion[]; views: View[]; onOpen: (s: SavedQuestion) => void }) {
  const { lang } = useLang()
  if (list.length === 0) return null
  return (
    <section aria-label={lang === 'vi' ? 'Bảng của tôi' : 'My board'} data-testid="pinned-board">
      <h2>{lang === 'vi' ? 'Bảng của tôi' : 'My board'}</h2>
      <div className="board">
        {list.map((s) => (
          <Card key={s.name} saved={s} view={views.find((v) => v.name === (s.ui as Partial<Question>).view)} onOpen={() => onOpen(s)} />
        ))}
      </div>
    </section>
  )
}
