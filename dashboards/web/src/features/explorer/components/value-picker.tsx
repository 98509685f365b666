import { useState } from 'react'
import { loadRows } from '../../../api.ts'
import { ErrorBox, Loading, useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import { foldText } from '../../../../../../infra/contracts/question-words.ts'

/** How many distinct values are offered; past that, the search narrows them (asked of the data again). */
const OFFERED = 200

/**
 * A filter's values picked from the data: the member's distinct values (as the caller may see
 * them), by their names where a code stands for something named, searchable with or without
 * diacritics, several at once.
 */
export function ValuePicker({ member, values, onChange, label }: { member: string; values: string[]; onChange: (values: string[]) => void; label: (value: string) => string }) {
  const { lang } = useLang()
  const [open, setOpen] = useState(false)
  const [text, setText] = useState('')
  const options = useAsync(async () => {
    if (!open) return []
    const rows = await loadRows({ dimensions: [member], order: [[member, 'asc']], limit: 5000 })
    return rows.map((r) => String(r[member] ?? '')).filter((v) => v !== '')
  }, [member, open])
  const words = foldText(text).split(/\s+/).filter(Boolean)
  const shown = options.state === 'ready' ? options.data.filter((v) => words.every((w) => foldText(`${label(v)} ${v}`).includes(w))).slice(0, OFFERED) : []
  const toggle = (v: string) => onChange(values.includes(v) ? values.filter((x) => x !== v) : [...values, v])
  const summary = values.length === 0 ? (lang === 'vi' ? 'Chọn giá trị…' : 'Pick values…') : values.map(label).join('; ')
  return (
    <div className="value-picker">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="value-picker" title={summary}>
        {summary.length > 60 ? `${summary.slice(0, 57)}…` : summary}
      </button>
      {open && (
        <div className="value-picker-list" role="group" aria-label={lang === 'vi' ? 'Giá trị' : 'Values'}>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={lang === 'vi' ? 'Tìm, có hoặc không dấu' : 'Search'} aria-label={lang === 'vi' ? 'Tìm giá trị' : 'Search values'} autoFocus />
          {options.state === 'loading' && <Loading />}
          {options.state === 'error' && <ErrorBox error={options.error} />}
          <ul>
            {shown.map((v) => (
              <li key={v}>
                <label>
                  <input type="checkbox" checked={values.includes(v)} onChange={() => toggle(v)} /> {label(v)}
                </label>
              </li>
            ))}
          </ul>
          {options.state === 'ready' && shown.length === 0 && <p className="muted">{lang === 'vi' ? 'Không có giá trị nào khớp.' : 'No value matches.'}</p>}
        </div>
      )}
    </div>
  )
}
