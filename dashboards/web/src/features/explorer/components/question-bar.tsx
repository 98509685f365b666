import { useState } from 'react'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { GRANULARITIES, GRANULARITY_WORDS, dayText } from '../../../../../../infra/contracts/question-words.ts'
import { indicatorName } from '../../../catalog-data.ts'
import { useLang } from '../../../i18n.ts'
import { khoDay } from '../../../kho-clock.ts'
import { useIndicatorMatches } from '../indicator-search.ts'
import { indicatorQuestion, rangePresets, type Display, type Question, type View } from '../question.ts'

const RANGE_WORDS: Record<string, readonly [string, string]> = {
  last12: ['12 tháng gần đây', 'Last 12 months'],
  thisYear: ['Năm nay', 'This year'],
  lastYear: ['Năm trước', 'Last year'],
  twoYears: ['Năm trước và năm nay', 'Last year and this year'],
  fiveYears: ['5 năm gần đây', 'Last 5 years'],
}
const DISPLAY_WORDS: Record<Display, readonly [string, string]> = { table: ['Bảng', 'Table'], pivot: ['Bảng chéo', 'Pivot'], chart: ['Biểu đồ', 'Chart'] }

/** The place a view can be split by in one step: its communes (their names, the commune level only). */
function communeSplit(view: View | null): { dimension: string; level: string } | null {
  if (!view) return null
  const name = view.dimensions.find((d) => d.name === `${view.name}.admin_units_name`)
  const level = view.dimensions.find((d) => d.name === `${view.name}.unit_level`)
  return name && level ? { dimension: name.name, level: level.name } : null
}

/**
 * The question in a few clicks, in words: start from an indicator found by name (with or without
 * diacritics), split by commune, pick the time grain and the range, and choose how to see it.
 * Each change runs the question at once (`onChange` with run).
 */
export function QuestionBar({ q, view, indicators, onChange, canPivot }: { q: Question; view: View | null; indicators: IndicatorAnswer[]; onChange: (next: Question) => void; canPivot: boolean }) {
  const { lang, fmt } = useLang()
  const [text, setText] = useState('')
  const matches = useIndicatorMatches(indicators, text)
  const word = (pair: readonly [string, string]) => pair[lang === 'vi' ? 0 : 1]
  const today = khoDay()
  const presets = rangePresets(today)
  const split = communeSplit(view)
  const byCommune = !!split && q.dimensions.includes(split.dimension)
  const preset = presets.find((p) => p.from === q.time?.from && p.to === q.time?.to)?.key ?? ''
  const timeMember = view?.dimensions.find((d) => d.type === 'time')

  const toggleCommunes = () => {
    if (!split) return
    const filters = q.filters.filter((f) => f.member !== split.level)
    onChange(
      byCommune
        ? { ...q, dimensions: q.dimensions.filter((d) => d !== split.dimension), filters }
        : { ...q, dimensions: [...q.dimensions, split.dimension], filters: [...filters, { member: split.level, operator: 'equals', values: ['commune'] }] },
    )
  }
  const setGrain = (granularity: string) =>
    onChange({ ...q, time: { dimension: q.time?.dimension || timeMember!.name, granularity, from: q.time?.from ?? '', to: q.time?.to ?? '', compare: q.time?.compare ?? false } })
  const setRange = (key: string) => {
    const p = presets.find((x) => x.key === key)
    if (p) onChange({ ...q, time: { dimension: q.time?.dimension || timeMember!.name, granularity: q.time?.granularity ?? 'month', from: p.from, to: p.to, compare: q.time?.compare ?? false } })
  }

  return (
    <section className="panel question-bar" aria-label={lang === 'vi' ? 'Câu hỏi' : 'Question'}>
      <label className="question-search">
        {lang === 'vi' ? 'Bắt đầu từ một chỉ tiêu' : 'Start from an indicator'}{' '}
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && matches[0]) {
              onChange(indicatorQuestion(matches[0].code, today))
              setText('')
            }
          }}
          placeholder={lang === 'vi' ? 'gõ tên, có hoặc không dấu: doanh nghiep moi' : 'type a name: new enterprises'}
          data-testid="question-search"
          size={36}
        />
      </label>
      {matches.length > 0 && (
        <ul className="choices" data-testid="question-matches">
          {matches.slice(0, 8).map((i) => (
            <li key={i.code}>
              <button
                type="button"
                className="linkish"
                onClick={() => {
                  onChange(indicatorQuestion(i.code, today))
                  setText('')
                }}
              >
                {indicatorName(i, lang)}
              </button>{' '}
              <span className="muted">({fmt.unit(i.unit)})</span>
            </li>
          ))}
        </ul>
      )}
      {view && (
        <div className="form-row question-steps">
          {split && (
            <button type="button" aria-pressed={byCommune} onClick={toggleCommunes} data-testid="split-communes">
              {lang === 'vi' ? 'Theo xã, phường' : 'By commune'}
            </button>
          )}
          {timeMember && (
            <span role="group" aria-label={lang === 'vi' ? 'Theo thời gian' : 'Over time'} className="segmented">
              {GRANULARITIES.map((g) => (
                <button key={g} type="button" aria-pressed={q.time?.granularity === g} onClick={() => setGrain(g)} data-grain={g}>
                  {word(GRANULARITY_WORDS[g])}
                </button>
              ))}
            </span>
          )}
          {timeMember && (
            <label>
              {lang === 'vi' ? 'Khoảng thời gian' : 'Range'}{' '}
              <select value={preset} onChange={(e) => setRange(e.target.value)} data-testid="range-preset">
                <option value="">{q.time?.from && q.time.to ? `${dayText(q.time.from)} – ${dayText(q.time.to)}` : lang === 'vi' ? 'Mọi thời gian' : 'All time'}</option>
                {presets.map((p) => (
                  <option key={p.key} value={p.key}>
                    {word(RANGE_WORDS[p.key]!)} ({dayText(p.from)} – {dayText(p.to)})
                  </option>
                ))}
              </select>
            </label>
          )}
          {q.time?.from && q.time.to && (
            <button type="button" aria-pressed={q.time.compare} onClick={() => onChange({ ...q, time: { ...q.time!, compare: !q.time!.compare } })} data-testid="compare-year">
              {lang === 'vi' ? 'So với cùng kỳ năm trước' : 'Against the year before'}
            </button>
          )}
          <span role="group" aria-label={lang === 'vi' ? 'Cách xem' : 'Show as'} className="segmented">
            {(['table', 'pivot', 'chart'] as const).map((d) => (
              <button key={d} type="button" aria-pressed={(q.display ?? 'table') === d} disabled={d === 'pivot' && !canPivot} onClick={() => onChange({ ...q, display: d })} data-display={d}>
                {word(DISPLAY_WORDS[d])}
              </button>
            ))}
          </span>
        </div>
      )}
    </section>
  )
}
