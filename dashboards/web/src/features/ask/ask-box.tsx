import { useMemo, useState, type FormEvent } from 'react'
import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api } from '../../api.ts'
import { Feedback, useAsync, useAttempt } from '../../components/async.tsx'
import { Trend } from '../../components/indicator-trend.tsx'
import { indicatorMap } from '../../catalog-data.ts'
import { useLang } from '../../i18n.ts'
import { Link } from '../../router.tsx'
import { foldText } from '../../../../../infra/contracts/question-words.ts'
import type { AskAnswer } from '../../../../../infra/contracts/ask.ts'

/** How many rows the answer's chart draws (the first, in the answer's order); all are in the explorer. */
const CHARTED = 15

/**
 * Hỏi đáp: a question in words (Vietnamese or English) answered by POST /api/ask — the sentence,
 * the number with its comparison or the communes and periods as bars, what each part of the
 * question was taken to mean, and the same question opened in the explorer to change it.
 */
export function AskBox({ testId = 'ask', onOpen }: { testId?: string; onOpen?: (query: Record<string, unknown>) => void }) {
  const { t, fmt, lang } = useLang()
  const [text, setText] = useState('')
  const [answer, setAnswer] = useState<AskAnswer | null>(null)
  const attempt = useAttempt(() => undefined)
  const indicators = useAsync(indicatorMap, [])
  // Suggestions as one types: indicators whose name holds the last words typed.
  const suggestions = useMemo(() => {
    if (indicators.state !== 'ready') return []
    const last = foldText(text).split(/\s+/).filter((w) => w.length > 1).slice(-2)
    if (last.length === 0) return []
    return [...indicators.data.values()].filter((i) => last.every((w) => foldText(`${i.name_vi} ${i.name_en}`).includes(w))).slice(0, 8)
  }, [indicators, text])
  const ask = (question: string) =>
    attempt.attempt(async () => setAnswer(await api<AskAnswer>('/api/ask', { body: { question, lang } })), 'ask')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (text.trim()) void ask(text.trim())
  }
  const code = answer?.parts.find((p) => p.part === 'indicator')?.value
  const rows = answer?.data ?? []
  const single = answer?.understood && rows.length === 1 && !answer.query?.dimensions && !answer.query?.timeDimensions
  // The number's member and each row's name come with the answer (KT-XH or another view alike).
  const valueOf = (r: Record<string, unknown>) => (answer?.value ? r[answer.value] : null)
  const year = Number(String((answer?.query?.filters as { member: string; values: string[] }[] | undefined)?.find((f) => f.member === 'kt_xh.period')?.values[0] ?? '').slice(0, 4)) || new Date().getFullYear()
  return (
    <section className="panel ask" data-testid={testId} aria-label={t('askTitle2')}>
      <form className="form-row" onSubmit={submit}>
        <label className="grow">
          {t('askTitle2')}
          <input
            type="search"
            name="question"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('askPlaceholder')}
            list={`${testId}-suggestions`}
            autoComplete="off"
            maxLength={300}
          />
        </label>
        <datalist id={`${testId}-suggestions`}>
          {suggestions.map((i) => (
            <option key={i.code} value={lang === 'vi' ? i.name_vi : i.name_en} />
          ))}
        </datalist>
        <button type="submit" disabled={attempt.busy !== null}>
          {attempt.busy ? t('working') : t('askButton')}
        </button>
      </form>
      <Feedback of={attempt} />
      {answer && (
        <div className="ask-answer" data-understood={answer.understood}>
          <p className={answer.understood ? 'answer' : 'state warn'} data-testid={`${testId}-answer`}>
            {answer.answer}
          </p>
          {single && (
            <p className="big-number" data-testid={`${testId}-number`}>
              {fmt.number(valueOf(rows[0]!))}
              {rows[0]!['kt_xh.growth_pct'] !== undefined && rows[0]!['kt_xh.growth_pct'] !== null && (
                <small className="muted">
                  {' '}
                  {Number(rows[0]!['kt_xh.growth_pct']) >= 0 ? '▲' : '▼'} {fmt.pct(Math.abs(Number(rows[0]!['kt_xh.growth_pct'])))} {t('vsLastYear')}
                </small>
              )}
              {rows[0]!['kt_xh.plan_pct'] !== undefined && rows[0]!['kt_xh.plan_pct'] !== null && (
                <small className="muted">
                  {' '}
                  {fmt.pct(rows[0]!['kt_xh.plan_pct'])} {t('ofPlan')}
                </small>
              )}
            </p>
          )}
          {single && code && <Trend code={code} ind={indicators.state === 'ready' ? indicators.data.get(code) : undefined} year={year} className="ask-trend" height={220} />}
          {answer.understood && answer.labels.length > 1 && (
            <div className="ask-chart" data-testid={`${testId}-chart`}>
              <ResponsiveContainer width="100%" height={60 + Math.min(rows.length, CHARTED) * 26}>
                <BarChart data={rows.slice(0, CHARTED).map((r, i) => ({ name: answer.labels[i] ?? '', value: valueOf(r) === null || valueOf(r) === undefined ? null : Number(valueOf(r)) }))} layout="vertical" margin={{ left: 8, right: 48 }}>
                  <CartesianGrid horizontal={false} />
                  <XAxis type="number" tickFormatter={(v: number) => fmt.number(v)} />
                  <YAxis type="category" dataKey="name" width={160} />
                  {/* The row's name and its number; no series name (it would read "value"). */}
                  <Tooltip formatter={(v) => [fmt.number(v), '']} separator="" />
                  <Bar dataKey="value" fill="#2b6cb0" isAnimationActive={false}>
                    <LabelList dataKey="value" position="right" formatter={(v: unknown) => fmt.number(v)} />
                  </Bar>
                </BarChart>
              </ResponsiveContainer>
              {rows.length > CHARTED && (
                <p className="muted small" data-testid={`${testId}-more`}>
                  {t('askChartMore').replace('{shown}', String(CHARTED)).replace('{all}', fmt.number(rows.length))}
                </p>
              )}
            </div>
          )}
          {answer.parts.length > 0 && (
            <p className="muted small" data-testid={`${testId}-parts`}>
              {t('askUnderstood')}: {answer.parts.filter((p, i, all) => all.findIndex((x) => x.part === p.part && x.meaning === p.meaning) === i).map((p) => p.meaning).join(' · ')}
              {answer.unknown.length > 0 && (
                <>
                  {' '}
                  — {t('askNotUnderstood')}: «{answer.unknown.join(' ')}»
                </>
              )}
            </p>
          )}
          {answer.suggestions.length > 0 && (
            <p className="actions">
              {answer.suggestions.map((s) => (
                <button key={s.code} type="button" className="linkish" onClick={() => (setText(s.name), void ask(s.name))}>
                  {s.name}
                </button>
              ))}
            </p>
          )}
          {answer.query && (
            <Link
              href={`/explorer?ask=${encodeURIComponent(JSON.stringify(answer.query))}`}
              data-testid={`${testId}-open`}
              // In the explorer itself the question is opened in place.
              onClick={(e) => {
                if (!onOpen) return
                e.preventDefault()
                onOpen(answer.query!)
              }}
            >
              {t('openInExplorer')}
            </Link>
          )}
        </div>
      )}
    </section>
  )
}
