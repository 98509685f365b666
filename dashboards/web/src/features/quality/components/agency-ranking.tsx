import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { Feedback, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import { CRITERION_WORDS, RANKING_CRITERIA, SELF_NOTE_MAX, type AgencyRanking, type RankingAnswer, type SelfAssessmentBody } from '../../../../../../infra/contracts/ranking.ts'

/**
 * The quarter's ranking of agencies on the seven criteria (Lào Cai Điều 25): kho's score on each,
 * the agency's own beside it, how each is scored; the officer's self-assessment form while the
 * quarter is open, and a steward's button to publish it once it ended.
 */
export function AgencyRankingPanel() {
  const { t, fmt, lang } = useLang()
  const [quarter, setQuarter] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const ranking = useAsync(() => api<RankingAnswer>(`/api/ranking${quarter ? `?quarter=${quarter}` : ''}`), [quarter, version])
  const attempted = useAttempt(() => setVersion((v) => v + 1))
  const words = (c: (typeof RANKING_CRITERIA)[number]) => CRITERION_WORDS[c][lang === 'vi' ? 'vi' : 'en']
  const source = (c: (typeof RANKING_CRITERIA)[number]) => CRITERION_WORDS[c][lang === 'vi' ? 'source_vi' : 'source_en']

  return (
    <section className="panel ranking" data-testid="agency-ranking">
      <Show value={ranking}>
        {(r) => {
          const mine = r.self_assessor ? r.agencies.find((a) => a.agency === r.self_assessor) : undefined
          const save = (e: FormEvent<HTMLFormElement>) => {
            e.preventDefault()
            const form = new FormData(e.currentTarget)
            const body: SelfAssessmentBody = {
              quarter: r.quarter,
              scores: RANKING_CRITERIA.map((c) => {
                // Written as people write it (95,5 or 95.5): a text field, so a comma is not refused.
                const given = String(form.get(`score-${c}`) ?? '').trim().replace(',', '.')
                return { criterion: c, score: given === '' ? null : Number(given), note: String(form.get(`note-${c}`) ?? '') }
              }),
            }
            void attempted.attempt(() => api('/api/ranking/self-assessment', { method: 'PUT', body }), 'self', t('doneSaved'))
          }
          const cell = (a: AgencyRanking, c: (typeof RANKING_CRITERIA)[number]) => {
            const x = a.criteria.find((y) => y.criterion === c)!
            const basis = x.done !== null && x.of !== null ? `${fmt.number(x.done, 0)}/${fmt.number(x.of, 0)}` : ''
            return (
              <td key={c} className="num" title={[basis, x.self_note].filter(Boolean).join(' · ')}>
                {fmt.number(x.score, 1)}
                {x.self_score !== null && <small className="muted"> / {fmt.number(x.self_score, 1)}</small>}
              </td>
            )
          }
          return (
            <>
              <div className="toolbar">
                <h2>
                  {t('rankingRules')} — {fmt.period(r.quarter)}
                </h2>
                <label>
                  {t('quarter')}{' '}
                  <select value={r.quarter} onChange={(e) => setQuarter(e.target.value)} data-testid="ranking-quarter">
                    {r.quarters.map((q) => (
                      <option key={q} value={q}>
                        {fmt.period(q)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <p className="muted" data-testid="ranking-status">
                {r.status === 'published' ? `${t('rankingPublished')} ${fmt.date(r.assessed_at.slice(0, 10))}` : t('rankingProvisional')}
              </p>
              {r.agencies.length === 0 ? (
                <p>{t('rankingNone')}</p>
              ) : (
                <div className="table-scroll">
                  <table data-testid="ranking-table">
                    <thead>
                      <tr>
                        <th className="num">#</th>
                        <th>{t('agency')}</th>
                        <th className="num">{t('composite')}</th>
                        {RANKING_CRITERIA.map((c) => (
                          <th key={c} className="num" title={source(c)}>
                            {CRITERION_WORDS[c].letter}) {words(c)}
                          </th>
                        ))}
                        <th className="num">{t('selfComposite')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {r.agencies.map((a) => (
                        <tr key={a.agency} data-agency={a.agency}>
                          <td className="num">{a.rank === null ? '—' : fmt.number(a.rank, 0)}</td>
                          <td>{a.agency_name}</td>
                          <td className="num">
                            <strong>{fmt.number(a.composite, 1)}</strong>
                          </td>
                          {RANKING_CRITERIA.map((c) => cell(a, c))}
                          <td className="num">{fmt.number(a.self_composite, 1)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <p className="hint">{t('rankingHint')}</p>
              <details>
                <summary>{t('rankingHow')}</summary>
                <dl className="criteria" data-testid="ranking-sources">
                  {RANKING_CRITERIA.map((c) => (
                    <div key={c}>
                      <dt>
                        {CRITERION_WORDS[c].letter}) {words(c)}
                      </dt>
                      <dd>{source(c)}</dd>
                    </div>
                  ))}
                </dl>
              </details>
              {r.self_assessor && (
                <form onSubmit={save} data-testid="self-assessment-form" key={`${r.quarter}-${version}`}>
                  <h3>
                    {t('selfAssessment')}: {mine?.agency_name ?? ''} — {fmt.period(r.quarter)}
                  </h3>
                  <div className="table-scroll">
                    <table>
                      <thead>
                        <tr>
                          <th>{t('criterion')}</th>
                          <th className="num">{t('khoScore')}</th>
                          <th>{t('selfScore')}</th>
                          <th>{t('selfNote')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {RANKING_CRITERIA.map((c) => {
                          const x = mine?.criteria.find((y) => y.criterion === c)
                          return (
                            <tr key={c}>
                              <td>
                                {CRITERION_WORDS[c].letter}) {words(c)}
                              </td>
                              <td className="num">{fmt.number(x?.score ?? null, 1)}</td>
                              <td>
                                <input name={`score-${c}`} type="text" inputMode="decimal" pattern="(100|\d{1,2})([.,]\d+)?" size={6} defaultValue={x?.self_score === null || x?.self_score === undefined ? '' : fmt.number(x.self_score, 1)} aria-label={`${t('selfScore')}: ${words(c)}`} />
                              </td>
                              <td>
                                <input name={`note-${c}`} type="text" maxLength={SELF_NOTE_MAX} defaultValue={x?.self_note ?? ''} aria-label={`${t('selfNote')}: ${words(c)}`} />
                              </td>
                            </tr>
                          )
                        })}
                      </tbody>
                    </table>
                  </div>
                  <button type="submit">{t('save')}</button>
                </form>
              )}
              {r.publishable && (
                <button type="button" data-testid="publish-ranking" onClick={() => void attempted.attempt(() => api(`/api/ranking/${r.quarter}/publish`, { method: 'POST' }), 'publish', t('donePublished'))}>
                  {t('publishRanking')}
                </button>
              )}
              <Feedback of={attempted} />
            </>
          )
        }}
      </Show>
    </section>
  )
}
